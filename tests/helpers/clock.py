"""A simulated clock for the services: every chalicelib module's `now_ms` (the one
chalicelib.adapters.dynamo defines and the services import by name) reads this clock."""
from __future__ import annotations

import sys


class SimClock:
    def __init__(self, start_ms: int):
        self.now = int(start_ms)

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> int:
        self.now += int(ms)
        return self.now

    def set(self, ms: int) -> int:
        self.now = int(ms)
        return self.now


def install(monkeypatch, start_ms: int) -> SimClock:
    """Point every loaded chalicelib module's `now_ms` at a new SimClock (undone by
    monkeypatch at the end of the test)."""
    from chalicelib.adapters import dynamo
    original = dynamo.now_ms
    clock = SimClock(start_ms)
    for name, module in list(sys.modules.items()):
        if name.startswith("chalicelib") and getattr(module, "now_ms", None) is original:
            monkeypatch.setattr(module, "now_ms", clock)
    return clock

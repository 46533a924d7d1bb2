"""Fixed-window rate limits: pure arithmetic, no storage.

A limit allows ``per_window`` events per scope (a site) in each window of ``window_s``
seconds, windows aligned to the epoch. The counter for (limit, scope, window) lives under one
key; the first event past the limit is refused until the window ends (``retry_after``).
Fixed windows can let up to twice the limit through around a boundary: acceptable for flood
protection, and it costs one atomic counter update per event (O(1), no reads).
"""
from __future__ import annotations

from dataclasses import dataclass

GRACE_S = 60  # counters outlive their window a little (DynamoDB TTL deletes them later)


@dataclass(frozen=True)
class Limit:
    name: str
    per_window: int
    window_s: int = 60

    @property
    def enabled(self) -> bool:
        return self.per_window > 0


@dataclass(frozen=True)
class Window:
    key: str
    start: int
    end: int

    @property
    def expires_at(self) -> int:
        return self.end + GRACE_S


def window_for(limit: Limit, scope: str, now_s: float) -> Window:
    now = int(now_s)
    start = now - now % limit.window_s
    return Window(f"rate#{limit.name}#{scope}#{start}", start, start + limit.window_s)


def exceeded(limit: Limit, count: int) -> bool:
    return count > limit.per_window


def retry_after(window: Window, now_s: float) -> int:
    """Whole seconds until the window ends (at least 1)."""
    return max(1, int(window.end - int(now_s)))

"""Per-site fixed-window limits (domain/ratelimit.py, services/throttle.py) on a simulated
clock with an in-memory counter: the rule, not DynamoDB, is under test."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters.ratelimit import MemoryRateCounter
from chalicelib.domain.ratelimit import GRACE_S, Limit, exceeded, retry_after, window_for
from chalicelib.services import throttle
from chalicelib.services.deps import Deps


class Clock:
    def __init__(self, t=1_800_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


def make_deps(clock, rates=None):
    return Deps(visitors=None, conversations=None, messages=None, connections=None,
                agents=None, sites=None, sender=None, storage=None, signer_factory=None,
                rates=rates if rates is not None else MemoryRateCounter(), clock=clock)


def test_windows_align_to_the_minute_and_expire_after_it():
    lim = Limit("sessions", 3, 60)
    w = window_for(lim, "shop", 1_800_000_039.9)
    assert w.start % 60 == 0 and w.start <= 1_800_000_039 < w.end
    assert w.key == f"rate#sessions#shop#{w.start}"
    assert w.expires_at == w.end + GRACE_S
    assert retry_after(w, w.end - 0.5) == 1 and retry_after(w, w.start) == 60
    assert not exceeded(lim, 3) and exceeded(lim, 4)


def test_a_site_over_its_limit_gets_429_until_the_window_ends(monkeypatch):
    monkeypatch.setenv("PARLEY_RATE_SESSIONS_PER_MINUTE", "3")
    clock = Clock(1_800_000_000.0 - 1_800_000_000 % 60 + 15)      # 15 s into a window
    deps = make_deps(clock)
    for _ in range(3):
        throttle.check(deps, "sessions", "shop")
    with pytest.raises(throttle.RateLimited) as err:
        throttle.check(deps, "sessions", "shop")
    assert (err.value.status, err.value.code) == (429, "rate_limited")
    assert err.value.details == {"retry_after": 45, "limit": "sessions"}
    throttle.check(deps, "sessions", "other-site")       # other sites are not affected
    clock.t += 44
    with pytest.raises(throttle.RateLimited) as err:
        throttle.check(deps, "sessions", "shop")
    assert err.value.details["retry_after"] == 1
    clock.t += 1                                         # the next window
    throttle.check(deps, "sessions", "shop")


def test_limits_are_per_kind_and_zero_disables(monkeypatch):
    monkeypatch.setenv("PARLEY_RATE_SESSIONS_PER_MINUTE", "1")
    monkeypatch.setenv("PARLEY_RATE_POLLS_PER_MINUTE", "0")
    rates = MemoryRateCounter()
    deps = make_deps(Clock(), rates)
    throttle.check(deps, "sessions", "shop")
    for _ in range(50):
        throttle.check(deps, "polls", "shop")
    assert list(rates.counts.values()) == [1]            # disabled limits write nothing
    with pytest.raises(throttle.RateLimited):
        throttle.check(deps, "sessions", "shop")


def test_a_counter_failure_lets_the_request_through(monkeypatch):
    monkeypatch.setenv("PARLEY_RATE_SESSIONS_PER_MINUTE", "1")

    class Broken:
        def hit(self, key, expires_at):
            raise RuntimeError("ProvisionedThroughputExceeded")
    deps = make_deps(Clock(), Broken())
    for _ in range(3):
        throttle.check(deps, "sessions", "shop")


def test_the_429_carries_retry_after():
    from chalicelib.api.common import error_response
    resp = error_response(throttle.RateLimited("slow down", details={"retry_after": 7,
                                                                     "limit": "polls"}))
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
    body = resp.body if isinstance(resp.body, dict) else json.loads(resp.body)
    assert body["error"]["code"] == "rate_limited"
    assert resp.headers["Content-Type"] == "application/json"

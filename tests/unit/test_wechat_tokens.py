"""WeChat access tokens without AWS: an in-memory store with DynamoDB's conditional-lease
semantics and a counting fake WeChat, so the rule itself is under test (one refresh under
concurrency, refresh before expiry, a failed refresh frees the lease). The same rule on moto
against the loopback stub: tests/integration/test_channels.py."""
import threading
import time
from types import SimpleNamespace

import pytest

from chalicelib.services import wechat
from chalicelib.services.channels import DeliveryFailed


class MemoryTokens:
    def __init__(self):
        self.items, self.lock = {}, threading.Lock()

    def read(self, app_id):
        with self.lock:
            return dict(self.items.get(app_id, {}))

    def take_lease(self, app_id, now_ms, lease_ms):
        with self.lock:
            item = self.items.setdefault(app_id, {})
            if item.get("lease_until") is not None and item["lease_until"] >= now_ms:
                return False
            item["lease_until"] = now_ms + lease_ms
            return True

    def store(self, app_id, token, expires_at_ms):
        with self.lock:
            self.items[app_id] = {"token": token, "expires_at": expires_at_ms}

    def release(self, app_id):
        with self.lock:
            self.items.get(app_id, {}).pop("lease_until", None)


class CountingWeChat:
    def __init__(self, delay=0.05, fail=False):
        self.calls, self.delay, self.fail = 0, delay, fail
        self.lock = threading.Lock()

    def stable_token(self, app_id, secret, force=False):
        with self.lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.delay)            # a slow WeChat: the others arrive meanwhile
        if self.fail:
            raise RuntimeError("wechat down")
        return f"tok-{n}", 7200


@pytest.fixture(autouse=True)
def fresh_memo():
    wechat._memo.clear()
    yield
    wechat._memo.clear()


def deps_with(api):
    return SimpleNamespace(channels=SimpleNamespace(tokens=MemoryTokens(), wechat=api))


CHANNEL = {"id": "ch_0000000000000001", "app_id": "wxapp000000000001"}


def test_sixteen_concurrent_callers_cause_one_refresh():
    api = CountingWeChat()
    deps = deps_with(api)
    got, start = [], threading.Barrier(16)

    def worker():
        start.wait()
        got.append(wechat.access_token(deps, CHANNEL, {"app_secret": "s"},
                                       sleep=lambda s: time.sleep(0.01)))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert api.calls == 1 and got == ["tok-1"] * 16


def test_refreshed_before_expiry_not_after():
    api = CountingWeChat(delay=0)
    deps = deps_with(api)
    now = int(time.time() * 1000)
    deps.channels.tokens.store(CHANNEL["app_id"], "old", now + 10 * 60 * 1000)   # 10 min left
    assert wechat.access_token(deps, CHANNEL, {}) == "old" and api.calls == 0
    wechat._memo.clear()
    deps.channels.tokens.store(CHANNEL["app_id"], "old", now + 4 * 60 * 1000)    # < 5 min
    assert wechat.access_token(deps, CHANNEL, {}) == "tok-1" and api.calls == 1


def test_a_failed_refresh_frees_the_lease_and_waiters_give_up_cleanly():
    deps = deps_with(CountingWeChat(delay=0, fail=True))
    with pytest.raises(RuntimeError):
        wechat.access_token(deps, CHANNEL, {})
    assert "lease_until" not in deps.channels.tokens.read(CHANNEL["app_id"])
    # someone else holds the lease and never stores: bounded wait, then a retryable failure
    deps.channels.tokens.take_lease(CHANNEL["app_id"], int(time.time() * 1000), 60_000)
    with pytest.raises(DeliveryFailed) as err:
        wechat.access_token(deps, CHANNEL, {}, sleep=lambda s: None)
    assert err.value.reason == "token_unavailable" and not err.value.permanent

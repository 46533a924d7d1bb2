"""Outgoing webhooks without AWS: signatures checked by an independent verifier, fan-out
idempotent on event id + endpoint, retries with backoff on a simulated clock (SQS hops of at
most 900 s), parking, automatic disabling with one e-mail to the admins, event-type rules."""
import hashlib
import hmac
import json

import pytest

from chalicelib.domain import webhooks as rules
from chalicelib.sealing import seal
from chalicelib.services import webhook_delivery as wd
from tests.helpers.fake_integrations import ScriptedReceiver, SecondsClock, fake_deps

SECRET = "whsec_unit-test-secret"
START = 1_764_460_800          # seconds
ADMINS = [{"agent_id": "a1", "email": "root@example.com", "role": "admin"},
          {"agent_id": "a2", "email": "off@example.com", "role": "admin", "disabled": True},
          {"agent_id": "a3", "email": "ann@example.com", "role": "agent"}]


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver writes (docs/webhooks.md), independent of Parley's signing code."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return abs(now - int(parts["t"])) <= tolerance and \
        hmac.compare_digest(expected, parts["v1"])


def envelope(n=1, type_="message.created", site="demo"):
    return {"id": f"msg:c_1:{n}", "type": type_, "version": 1, "at": START * 1000 + n,
            "site_key": site, "conversation_id": "c_1", "seq": n,
            "conversation": {"channel": "web"}, "data": {"text": "你好"}}


def setup(codes=(200,), events=("message.created",), admins=ADMINS):
    clock = SecondsClock(START)
    receiver = ScriptedReceiver(*codes)
    deps = fake_deps(receiver, clock, admins)
    data = {"url": "https://hooks.example.com/in", "events": list(events),
            "secret": seal(SECRET, deps.sealing_keys())}
    deps.integrations.create_endpoint("wh_0000000000000001", "demo", data, True, START * 1000)
    return deps, clock, receiver


class Sqs:
    """The deliveries queue on the simulated clock: a task becomes visible when its delay
    has passed; the earliest visible task runs next."""

    def __init__(self, deps, clock):
        self.deps, self.clock, self.pending, self.hops = deps, clock, [], 0

    def run(self, until: float | None = None, max_hops: int = 1000) -> int:
        while self.hops < max_hops:
            for queue, body, delay in self.deps.queue.take():
                assert queue == "webhooks" and 0 <= delay <= 900
                self.pending.append((self.clock() + delay, len(self.pending), body))
            if not self.pending:
                break
            self.pending.sort(key=lambda p: (p[0], p[1]))
            if until is not None and self.pending[0][0] > until:
                break
            visible_at, _, body = self.pending.pop(0)
            self.clock.now = max(self.clock(), visible_at)
            wd.deliver(self.deps, body)
            self.hops += 1
        if until is not None:
            self.clock.now = max(self.clock(), until)
        return self.hops


def run_queue(deps, clock):
    return Sqs(deps, clock).run()


def test_a_delivery_is_signed_and_an_independent_verifier_accepts_it():
    deps, clock, receiver = setup()
    wd.on_event(deps, envelope())
    run_queue(deps, clock)
    [call] = receiver.calls
    headers = call["headers"]
    assert verify(SECRET, headers["Parley-Signature"], call["body"], int(clock()))
    assert not verify("whsec_other", headers["Parley-Signature"], call["body"], int(clock()))
    assert not verify(SECRET, headers["Parley-Signature"], call["body"] + b" ", int(clock()))
    assert headers["Parley-Event-Id"] == "msg:c_1:1"
    assert headers["Parley-Event-Type"] == "message.created"
    assert json.loads(call["body"]) == envelope()
    [dlv] = deps.integrations.deliveries("wh_0000000000000001")
    assert dlv["status"] == "succeeded" and dlv["attempts"] == 1
    assert dlv["data"]["log"][0]["code"] == 200


def test_fan_out_is_idempotent_and_filters_by_type_and_site():
    deps, clock, receiver = setup(events=("conversation.*",))
    wd.on_event(deps, envelope(type_="message.created"))           # not subscribed
    wd.on_event(deps, envelope(type_="conversation.closed", site="other"))
    assert deps.queue.sent == []
    closed = envelope(2, "conversation.closed")
    wd.on_event(deps, closed)
    wd.on_event(deps, closed)                                     # SQS redelivers the event
    assert len(deps.integrations.deliveries("wh_0000000000000001")) == 1
    run_queue(deps, clock)
    assert len(receiver.calls) == 1                               # the duplicate task is a no-op


def test_a_failing_receiver_is_retried_with_backoff_then_parked():
    deps, clock, receiver = setup(codes=(500,))
    wd.on_event(deps, envelope())
    t0 = clock()
    hops = run_queue(deps, clock)
    assert len(receiver.calls) == rules.MAX_ATTEMPTS == 7
    [dlv] = deps.integrations.deliveries("wh_0000000000000001")
    assert dlv["status"] == "parked" and dlv["attempts"] == 7
    times = [e["at"] for e in dlv["data"]["log"]]
    gaps = [(b - a) // 1000 for a, b in zip(times, times[1:])]
    assert gaps == list(rules.RETRY_DELAYS)                    # 1m, 5m, 30m, 2h, 6h, 15h
    assert clock() - t0 == sum(rules.RETRY_DELAYS) < 24 * 3600
    # waits longer than SQS's 900 s limit took several hops
    assert hops == 7 + sum(-(-d // 900) - 1 for d in rules.RETRY_DELAYS)
    assert all(e["code"] == 500 for e in dlv["data"]["log"])
    assert deps.integrations.get_endpoint("wh_0000000000000001")["consecutive_parked"] == 1


def test_a_receiver_that_recovers_clears_the_failure_state():
    deps, clock, receiver = setup(codes=(503, None, 204))
    wd.on_event(deps, envelope())
    run_queue(deps, clock)
    [dlv] = deps.integrations.deliveries("wh_0000000000000001")
    assert dlv["status"] == "succeeded" and dlv["attempts"] == 3
    assert [e.get("code") for e in dlv["data"]["log"]] == [503, None, 204]
    assert "timeout" in dlv["data"]["log"][1]["error"]
    ep = deps.integrations.get_endpoint("wh_0000000000000001")
    assert ep.get("failing_since") is None and ep["enabled"]


def test_sustained_failure_disables_the_endpoint_once_and_emails_the_admins():
    deps, clock, receiver = setup(codes=(500,))
    sqs = Sqs(deps, clock)
    wd.on_event(deps, envelope(1))
    sqs.run(until=START + 23 * 3600 + 1800)          # 23.5 h of failures: still enabled
    assert deps.integrations.get_endpoint("wh_0000000000000001")["enabled"] is True
    wd.on_event(deps, envelope(2))                   # a new event, failing too
    sqs.run(until=START + 24 * 3600 - 1)
    assert deps.integrations.get_endpoint("wh_0000000000000001")["enabled"] is True
    assert deps.email.sent == []
    sqs.run()
    ep = deps.integrations.get_endpoint("wh_0000000000000001")
    assert ep["enabled"] is False and ep["status"] == "disabled:sustained_failure"
    # every delivery failing for 24 h: the first attempt after the 24 h mark disabled it
    assert ep["revoked_at"] >= (START + 24 * 3600) * 1000
    assert [to for to, _s, _t in deps.email.sent] == ["root@example.com"]
    assert "wh_0000000000000001" in deps.email.sent[0][2]
    # later events are not fanned out to a disabled endpoint
    calls = len(receiver.calls)
    wd.on_event(deps, envelope(9))
    run_queue(deps, clock)
    assert len(receiver.calls) == calls and len(deps.email.sent) == 1


def test_consecutive_parked_deliveries_disable_too():
    assert rules.should_disable(None, rules.MAX_CONSECUTIVE_PARKED, 0)
    assert not rules.should_disable(None, rules.MAX_CONSECUTIVE_PARKED - 1, 0)
    assert rules.should_disable(1_000, 0, 1_000 + rules.FAILING_FOR_MS)
    assert not rules.should_disable(1_000, 0, 1_000 + rules.FAILING_FOR_MS - 1)


def test_manual_redelivery_makes_one_more_attempt():
    deps, clock, receiver = setup(codes=(500, 500, 500, 500, 500, 500, 500, 200))
    wd.on_event(deps, envelope())
    run_queue(deps, clock)
    [dlv] = deps.integrations.deliveries("wh_0000000000000001")
    dlv_id = dlv["sk"][3:]
    wd.enqueue(deps, "wh_0000000000000001", dlv_id, 8, int(clock() * 1000), manual=True)
    run_queue(deps, clock)
    [dlv] = deps.integrations.deliveries("wh_0000000000000001")
    assert dlv["status"] == "succeeded" and dlv["attempts"] == 8


def test_hop_delay_and_schedule():
    assert rules.hop_delay(10_000, 0) == 10
    assert rules.hop_delay(3_600_000, 0) == 900
    assert rules.hop_delay(0, 5_000) == 0
    assert [rules.next_delay(n) for n in range(1, 8)] == list(rules.RETRY_DELAYS) + [None]


@pytest.mark.parametrize("name,ok", [
    ("message.created", True), ("conversation.*", True), ("conversation.closed", True),
    ("ticket.*", True), ("contact.updated", True), ("conversation.nope", False),
    ("billing.paid", False), ("*", False), ("message.created; drop", False), ("", False)])
def test_event_types_from_the_catalogue_or_future_families(name, ok):
    assert rules.valid_event_type(name) is ok


def test_matching():
    assert rules.matches(["conversation.*"], "conversation.closed")
    assert not rules.matches(["conversation.*"], "message.created")
    assert rules.matches(["ticket.*", "message.created"], "message.created")
    assert not rules.matches([], "message.created")


def test_api_keys_are_hashed_and_parsed():
    key_id, key = rules.new_api_key()
    parsed = rules.parse_api_key(key)
    assert parsed[0] == key_id and key.startswith("pk_live_")
    assert rules.key_hash(*parsed) != rules.key_hash(key_id, parsed[1] + "x")
    assert rules.parse_api_key("pk_live_short") is None
    assert rules.scope_allows("read-only", "admin", "GET")
    assert not rules.scope_allows("read-only", "admin", "POST")
    assert rules.scope_allows("admin", "admin", "DELETE")
    assert rules.scope_allows("admin", "agent", "GET")
    assert not rules.scope_allows("admin", "agent", "POST")
    assert not rules.scope_allows("channel", "agent", "GET")
    assert rules.scope_allows("channel", "channel", "POST")


def test_a_channel_key_belongs_to_one_site():
    assert rules.site_allows("channel", "demo", "channel", "demo")
    assert not rules.site_allows("channel", "demo", "channel", "other")
    assert not rules.site_allows("channel", None, "channel", "demo")     # an unbound key
    assert not rules.site_allows("admin", None, "channel", "demo")
    # read-only and admin keys are not bound to a site on their routes
    assert rules.site_allows("read-only", None, "admin", None)
    assert rules.site_allows("admin", None, "agent", "demo")

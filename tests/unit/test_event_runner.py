"""The relay and the consumer runner with in-memory fakes (no AWS)."""
import json

from chalicelib.adapters.eventbus import EventBus, EventPublishError
from chalicelib.bootstrap import CONSUMERS, build_consumers
from chalicelib.services import consumers as runner
from chalicelib.services import event_relay
from tests.unit.test_domain_events import conversation, message_row, record, system_row

import pytest


class FakeClaims:
    """ClaimRepo's begin/finish/release rules over a dict, on a simulated clock."""

    def __init__(self):
        self.items = {}          # key -> lease_until (ms) or None when done
        self.now = 1_000_000

    @property
    def keys(self):
        return set(self.items)

    def begin(self, key, lease_ms, now=None, ttl_days=30):
        now = self.now if now is None else now
        if key not in self.items or (self.items[key] is not None and self.items[key] < now):
            self.items[key] = now + lease_ms
            return "started"
        return "busy" if self.items[key] is not None else "done"

    def finish(self, key):
        self.items[key] = None

    def release(self, key):
        self.items.pop(key, None)


class Deps:
    def __init__(self):
        self.claims = FakeClaims()


class FakePublisher:
    def __init__(self):
        self.batches = []

    def publish_batch(self, envelopes):
        self.batches.append(list(envelopes))
        return len(envelopes)


def sqs(*bodies):
    return [{"messageId": f"m{i}", "body": b if isinstance(b, str) else json.dumps(b)}
            for i, b in enumerate(bodies)]


def test_relay_publishes_the_derived_events_of_a_batch_in_order():
    pub = FakePublisher()
    recs = [record("INSERT", message_row(3, type="text", sender_type="visitor", text="x")),
            record("INSERT", system_row("flow_step", seq=4)),       # not a named event
            record("INSERT", system_row("closed", seq=5, reason="idle", by="system"))]
    assert event_relay.relay(pub, "messages", recs) == 2
    assert [[e["id"] for e in b] for b in pub.batches] == [["msg:c_1:3", "msg:c_1:5"]]
    assert event_relay.relay(pub, "messages", [recs[1]]) == 0
    assert len(pub.batches) == 1                                    # nothing to publish
    assert event_relay.relay(pub, "conversations", [record("INSERT", conversation())]) == 1


def test_relay_failure_propagates_so_the_stream_retries_the_batch():
    class Down:
        def publish_batch(self, envelopes):
            raise EventPublishError("1 of 1 events not published")
    with pytest.raises(EventPublishError):
        event_relay.relay(Down(), "conversations", [record("INSERT", conversation())])


def test_event_bus_sends_at_most_ten_per_call_and_fails_on_partial_failure():
    calls = []

    class Client:
        def __init__(self, failed=()):
            self.failed = failed

        def publish_batch(self, TopicArn, PublishBatchRequestEntries):
            calls.append(PublishBatchRequestEntries)
            return {"Successful": [], "Failed": [{"Id": i, "Code": "Throttled"}
                                                 for i in self.failed]}
    bus = EventBus()
    bus._client = Client()
    envs = [{"id": f"msg:c:{n}", "type": "message.created"} for n in range(23)]
    assert bus.publish_batch(envs) == 23
    assert [len(c) for c in calls] == [10, 10, 3]
    assert json.loads(calls[0][0]["Message"]) == envs[0]
    assert calls[0][0]["MessageAttributes"]["type"]["StringValue"] == "message.created"
    bus._client = Client(failed=["0"])
    with pytest.raises(EventPublishError):
        bus.publish_batch(envs[:1])


def test_runner_handles_each_event_once_skips_other_types_and_bad_bodies():
    seen = []
    consumer = runner.Consumer("reports", "q", {"conversation.closed": lambda d, e: seen.append(
        e["id"])})
    deps = Deps()
    closed = {"id": "msg:c:5", "type": "conversation.closed", "conversation_id": "c"}
    other = {"id": "msg:c:6", "type": "message.created", "conversation_id": "c"}
    out = runner.handle_records(deps, consumer, sqs(closed, other, "{nope", {"no": "id"}))
    assert out == {"batchItemFailures": []}
    out = runner.handle_records(deps, consumer, sqs(closed))        # redelivered
    assert out == {"batchItemFailures": []}
    assert seen == ["msg:c:5"]
    assert deps.claims.keys == {"evt#reports#msg:c:5"}              # only handled types claim


def test_runner_releases_the_claim_of_a_failed_handler_and_reports_only_that_record():
    attempts = []

    def flaky(deps, env):
        attempts.append(env["id"])
        if len(attempts) == 1:
            raise RuntimeError("webhook endpoint down")
    consumer = runner.Consumer("qa", "q", {"conversation.rated": flaky,
                                                 "conversation.closed": lambda d, e: None})
    deps = Deps()
    rated = {"id": "msg:c:9", "type": "conversation.rated", "conversation_id": "c"}
    closed = {"id": "msg:c:8", "type": "conversation.closed", "conversation_id": "c"}
    assert runner.handle_records(deps, consumer, sqs(closed, rated)) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert "evt#qa#msg:c:9" not in deps.claims.keys
    assert runner.handle_records(deps, consumer, sqs(rated)) == {"batchItemFailures": []}
    assert runner.handle_records(deps, consumer, sqs(rated)) == {"batchItemFailures": []}
    assert attempts == ["msg:c:9", "msg:c:9"]


def test_a_run_that_died_inside_the_handler_is_taken_over_after_its_lease():
    seen = []
    consumer = runner.Consumer("reports", "q", {"conversation.closed": lambda d, e: seen.append(
        e["id"])})
    deps = Deps()
    closed = {"id": "msg:c:5", "type": "conversation.closed", "conversation_id": "c"}
    key = runner.claim_key("reports", closed["id"])
    assert deps.claims.begin(key, runner.LEASE_MS) == "started"    # ...and the function died
    # a redelivery while the lease holds: not run, retried later
    assert runner.handle_records(deps, consumer, sqs(closed)) == {
        "batchItemFailures": [{"itemIdentifier": "m0"}]}
    deps.claims.now += runner.LEASE_MS + 1
    assert runner.handle_records(deps, consumer, sqs(closed)) == {"batchItemFailures": []}
    assert runner.handle_records(deps, consumer, sqs(closed)) == {"batchItemFailures": []}
    assert seen == ["msg:c:5"]


def test_a_claim_store_error_fails_only_that_record():
    class Broken(FakeClaims):
        def begin(self, key, lease_ms, now=None, ttl_days=30):
            raise RuntimeError("throttled")
    deps = Deps()
    deps.claims = Broken()
    consumer = runner.Consumer("reports", "q", {"message.created": lambda d, e: None})
    env = {"id": "msg:c:1", "type": "message.created", "conversation_id": "c"}
    assert runner.handle_records(deps, consumer, sqs(env, {**env, "type": "x"})) == {
        "batchItemFailures": [{"itemIdentifier": "m0"}]}


def test_consumers_claim_separately():
    deps, seen = Deps(), []
    env = {"id": "msg:c:1", "type": "message.created", "conversation_id": "c"}
    for name in ("reports", "qa"):
        c = runner.Consumer(name, "q", {"message.created": lambda d, e, n=name: seen.append(n)})
        runner.handle_records(deps, c, sqs(env))
    assert seen == ["reports", "qa"]


def test_bootstrap_declares_each_consumer_with_its_queue_and_takes_overrides():
    built = build_consumers()
    assert set(built) == set(CONSUMERS) == {"reports", "qa", "webhooks", "records", "contacts"}
    assert built["contacts"].queue.endswith("-consumer-contacts")
    assert not built["contacts"].idempotent      # the runner claims each event id
    assert built["reports"].queue.endswith("-consumer-reports")
    fn = lambda d, e: None  # noqa: E731
    over = build_consumers(overrides={"qa": {"conversation.closed": fn}})
    assert over["qa"].handlers == {"conversation.closed": fn}
    assert over["reports"].handlers == dict(CONSUMERS["reports"]["handlers"])

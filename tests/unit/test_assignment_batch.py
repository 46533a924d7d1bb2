"""The assignments queue runs a batch's `assign` tasks as one pass (tasks.py)."""
import json
from types import SimpleNamespace

from chalicelib.services import tasks


def _record(mid, body):
    return {"messageId": mid, "body": json.dumps(body)}


def _deps(calls, fail=False):
    def assign(deps, body):
        calls.append(("assign", body))
        if fail:
            raise RuntimeError("boom")

    def other(deps, body):
        calls.append(("other", body))
    return SimpleNamespace(task_handlers={"assign": assign, "positions": other})


def test_a_batch_of_wake_ups_is_one_pass_over_the_union_of_their_queues():
    calls = []
    out = tasks.handle_assignment_records(_deps(calls), [
        _record("1", {"type": "assign", "queue_keys": ["beta", "alpha"]}),
        _record("2", {"type": "assign", "queue_keys": ["alpha"]}),
        _record("3", {"type": "assign", "queue_key": "_default"}),
        _record("4", {"type": "positions", "queue_key": "alpha"}),
    ])
    assert out == {"batchItemFailures": []}
    assert calls.count(("assign", {"queue_keys": ["_default", "alpha", "beta"]})) == 1
    assert [c for c in calls if c[0] == "assign"] == [
        ("assign", {"queue_keys": ["_default", "alpha", "beta"]})]
    assert ("other", {"type": "positions", "queue_key": "alpha"}) in calls


def test_a_failed_pass_returns_every_assign_record_for_retry_and_only_those():
    calls = []
    out = tasks.handle_assignment_records(_deps(calls, fail=True), [
        _record("1", {"type": "assign", "queue_keys": ["alpha"]}),
        _record("2", {"type": "positions", "queue_key": "alpha"}),
        _record("3", {"type": "assign", "queue_keys": ["beta"]}),
    ])
    assert sorted(f["itemIdentifier"] for f in out["batchItemFailures"]) == ["1", "3"]

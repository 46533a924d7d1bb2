"""The assignments queue runs a batch's `assign` tasks as one pass, then the places the pass
did not run, one run per queue (tasks.py); the events queue runs places first."""
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
    # the pass first, then the places (one run per queue)
    assert calls[-1] == ("other", {"queue_key": "alpha", "after": 0})


def test_the_assignments_batch_runs_the_pass_then_the_places_it_did_not_run():
    calls = []

    def assign(deps, body):
        calls.append(("assign", body))
        return {"alpha"}                       # the pass ran alpha's places itself
    deps = _deps(calls)
    deps.task_handlers["assign"] = assign
    out = tasks.handle_assignment_records(deps, [
        _record("1", {"type": "assign", "queue_keys": ["alpha"]}),
        _record("2", {"type": "positions", "queue_key": "alpha", "after": 100}),
        _record("3", {"type": "positions", "queue_key": "beta", "after": 50}),
        _record("4", {"type": "positions", "queue_key": "beta", "after": 300}),
    ])
    assert out == {"batchItemFailures": []}
    assert calls == [("assign", {"queue_keys": ["alpha"]}),
                     ("other", {"queue_key": "beta", "after": 300})]


def test_a_failed_pass_returns_every_assign_record_for_retry_and_only_those():
    calls = []
    out = tasks.handle_assignment_records(_deps(calls, fail=True), [
        _record("1", {"type": "assign", "queue_keys": ["alpha"]}),
        _record("2", {"type": "positions", "queue_key": "alpha"}),
        _record("3", {"type": "assign", "queue_keys": ["beta"]}),
    ])
    assert sorted(f["itemIdentifier"] for f in out["batchItemFailures"]) == ["1", "3"]


def _event_deps(calls, fail_queue=None):
    def positions(deps, body):
        calls.append(("positions", body))
        if body["queue_key"] == fail_queue:
            raise RuntimeError("boom")

    def bot_turn(deps, body):
        calls.append(("bot_turn", body))
    return SimpleNamespace(task_handlers={"positions": positions, "bot_turn": bot_turn})


def test_the_events_batch_runs_places_first_once_per_queue():
    calls = []
    out = tasks.handle_event_records(_event_deps(calls), [
        _record("1", {"type": "bot_turn", "conversation_id": "c1"}),
        _record("2", {"type": "positions", "queue_key": "alpha", "after": 100}),
        _record("3", {"type": "positions", "queue_key": "beta", "after": 50}),
        _record("4", {"type": "positions", "queue_key": "alpha", "after": 300}),
    ])
    assert out == {"batchItemFailures": []}
    # the two queues' runs go side by side, both before the rest of the batch
    assert sorted(calls[:2], key=lambda c: c[1]["queue_key"]) == [
        ("positions", {"queue_key": "alpha", "after": 300}),
        ("positions", {"queue_key": "beta", "after": 50})]
    assert calls[2:] == [("bot_turn", {"type": "bot_turn", "conversation_id": "c1"})]


def test_a_failed_places_run_returns_the_records_it_stood_for():
    calls = []
    out = tasks.handle_event_records(_event_deps(calls, fail_queue="alpha"), [
        _record("1", {"type": "positions", "queue_key": "alpha", "after": 1}),
        _record("2", {"type": "positions", "queue_key": "beta", "after": 1}),
        _record("3", {"type": "positions", "queue_key": "alpha", "after": 2}),
        _record("4", {"type": "bot_turn", "conversation_id": "c1"}),
    ])
    assert sorted(f["itemIdentifier"] for f in out["batchItemFailures"]) == ["1", "3"]
    assert ("bot_turn", {"type": "bot_turn", "conversation_id": "c1"}) in calls

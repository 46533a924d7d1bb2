"""Background tasks delivered through SQS (at least once): publish one, run a batch.

Which handler runs for which task type is declared in chalicelib/bootstrap.py
(TASK_HANDLERS) and reaches the runner through deps.task_handlers; nothing registers itself.
Every handler must be idempotent: SQS may deliver a record twice, and a failed record is
retried (partial batch responses), then parked in the dead-letter queue."""
from __future__ import annotations

import json

from chalicelib import log
from chalicelib.services import parallel


def publish(deps, task_type: str, payload: dict, queue: str = "events", delay: int = 0) -> None:
    deps.queue.send(queue, {"type": task_type, **payload}, delay=delay)


def handle_records(deps, records, handlers: dict | None = None) -> dict:
    """Run each record's handler; report the failed ones so only they are retried.
    `handlers`: task type -> fn(deps, body); deps.task_handlers unless given."""
    failures = []
    for record in records:
        message_id = record.get("messageId")
        try:
            body = json.loads(record.get("body") or "{}")
            table = handlers if handlers is not None else deps.task_handlers
            fn = table.get(body.get("type"))
            if fn is None:
                log.warning("event_unknown_type", type=body.get("type"), message_id=message_id)
                continue  # nothing will ever handle it: do not retry
            fn(deps, body)
        except Exception as exc:
            log.error("event_failed", message_id=message_id, error=repr(exc),
                      conversation_id=_cid(record))
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def handle_assignment_records(deps, records) -> dict:
    """The assignments queue: routing's own work. The batch's `assign` tasks run first as
    ONE pass over the union of their queues (a pass fills every free slot of the queues it
    is given, so five wake-ups of the same queues need one pass, not five); the pass runs
    the places of the lines it moved itself. Then the batch's `positions` tasks of the
    other lines, one run per queue (a task of a line the pass just ran is answered by that
    run, which read the line after the task asked), then anything else as in
    handle_records. A failed pass reports every `assign` record of the batch for retry, a
    failed places run the records it stood for."""
    places, rest = _split(records, "positions")
    picked, others = _split(rest, "assign")
    assigns = [record for record, _ in picked]
    keys = [k for _, body in picked
            for k in body.get("queue_keys") or [body.get("queue_key") or "_default"]]
    failures, ran = [], set()
    if assigns:
        try:
            ran = set(deps.task_handlers["assign"](
                deps, {"queue_keys": sorted(set(map(str, keys)))}) or ())
        except Exception as exc:
            log.error("event_failed", error=repr(exc), task="assign", records=len(assigns))
            failures += [{"itemIdentifier": r.get("messageId")} for r in assigns]
    failures += _places_runs(deps, [(r, b) for r, b in places
                                    if str(b.get("queue_key") or "_default") not in ran])
    result = handle_records(deps, others) if others else {"batchItemFailures": []}
    result["batchItemFailures"] = failures + result["batchItemFailures"]
    return result


def handle_event_records(deps, records) -> dict:
    """The events queue: a batch's `positions` tasks (published there before they moved to
    the assignments queue) run first, one run per queue, as there; everything else runs as
    in handle_records."""
    picked, others = _split(records, "positions")
    failures = _places_runs(deps, picked)
    result = handle_records(deps, others) if others else {"batchItemFailures": []}
    result["batchItemFailures"] = failures + result["batchItemFailures"]
    return result


def _places_runs(deps, picked: list[tuple[dict, dict]]) -> list[dict]:
    """One `positions` run per queue for a batch's positions tasks: the run reads the line
    as it is now, later than each task asked for, so it answers them all. The queues'
    runs touch different lines and run side by side (most of a run is waiting on DynamoDB
    and on the posts). Returns the failures: every record a failed run stood for."""
    runs: dict[str, list] = {}
    for record, body in picked:
        runs.setdefault(str(body.get("queue_key") or "_default"), []).append((record, body))

    def run(item) -> list[dict]:
        key, group = item
        after = max(int(b.get("after") or 0) for _, b in group)
        try:
            deps.task_handlers["positions"](deps, {"queue_key": key, "after": after})
            return []
        except Exception as exc:
            log.error("event_failed", error=repr(exc), task="positions", queue=key,
                      records=len(group))
            return [{"itemIdentifier": r.get("messageId")} for r, _ in group]

    return [f for failed in parallel.each(run, sorted(runs.items()), 4) for f in failed]


def _split(records, task_type: str) -> tuple[list[tuple[dict, dict]], list[dict]]:
    """([(record, body)] of the batch's `task_type` tasks, the other records)."""
    picked, others = [], []
    for record in records:
        try:
            body = json.loads(record.get("body") or "{}")
        except ValueError:
            body = {}
        if body.get("type") == task_type:
            picked.append((record, body))
        else:
            others.append(record)
    return picked, others


def _cid(record) -> str | None:
    try:
        return json.loads(record.get("body") or "{}").get("conversation_id")
    except ValueError:
        return None

"""Background work delivered through SQS (at least once): a registry of handlers by type.

Every handler must be idempotent: SQS may deliver a record twice, and a failed record is
retried (partial batch responses), then parked in the dead-letter queue."""
from __future__ import annotations

import json
from typing import Callable

from chalicelib import log

HANDLERS: dict[str, Callable] = {}


def handler(event_type: str):
    def register(fn):
        HANDLERS[event_type] = fn
        return fn
    return register


def publish(deps, event_type: str, payload: dict, queue: str = "events", delay: int = 0) -> None:
    deps.queue.send(queue, {"type": event_type, **payload}, delay=delay)


def handle_records(deps, records) -> dict:
    """Run each record's handler; report the failed ones so only they are retried."""
    failures = []
    for record in records:
        message_id = record.get("messageId")
        try:
            body = json.loads(record.get("body") or "{}")
            fn = HANDLERS.get(body.get("type"))
            if fn is None:
                log.warning("event_unknown_type", type=body.get("type"), message_id=message_id)
                continue  # nothing will ever handle it: do not retry
            fn(deps, body)
        except Exception as exc:
            log.error("event_failed", message_id=message_id, error=repr(exc),
                      conversation_id=_cid(record))
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _cid(record) -> str | None:
    try:
        return json.loads(record.get("body") or "{}").get("conversation_id")
    except ValueError:
        return None

"""Runs a consumer of the conversation event stream on a batch of its SQS records.

Each record is one event envelope (raw SNS delivery). The consumer declares the event types
it handles (chalicelib/bootstrap.py); others are acknowledged and skipped. Each event runs
once per consumer: the runner begins `evt#{consumer}#{id}` in the keys table (a claim with a
lease) before the handler and marks it done after; a handler that raises releases the claim
so the SQS retry runs it again, and a run that died inside the handler (timeout, crash)
leaves a lease that a redelivery takes over once it has expired. Failed records (and events
another run still holds) are reported as partial batch failures (like services/tasks.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from chalicelib import log


@dataclass(frozen=True)
class Consumer:
    name: str
    queue: str                                  # its queue name (config.CONSUMER_QUEUES)
    handlers: dict[str, Callable] = field(default_factory=dict)  # event type -> fn(deps, event)
    #: the handlers are idempotent on the event id themselves (e.g. the reports consumer
    #: records the id in the same conditional write that counts it): no claim is taken
    idempotent: bool = False


#: how long a started run holds its event: longer than the consumer functions' 30 s timeout,
#: shorter than the queues' 5 receives x 60 s visibility before the DLQ
LEASE_MS = 120_000


def claim_key(consumer: str, event_id: str) -> str:
    return f"evt#{consumer}#{event_id}"


def handle_records(deps, consumer: Consumer, records) -> dict:
    failures = []
    for record in records:
        message_id = record.get("messageId")
        try:
            envelope = json.loads(record.get("body") or "")
            if not isinstance(envelope, dict) or not envelope.get("id"):
                raise ValueError("not an event envelope")
        except ValueError:
            log.warning("consumer_bad_record", consumer=consumer.name, message_id=message_id)
            continue  # nothing will ever handle it: do not retry
        try:
            ok = run_once(deps, consumer, envelope)
        except Exception as exc:          # the claim itself failed (e.g. throttled): retry
            log.error("consumer_claim_failed", consumer=consumer.name, error=repr(exc),
                      event_id=envelope["id"], conversation_id=envelope.get("conversation_id"))
            ok = False
        if not ok:
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def run_once(deps, consumer: Consumer, envelope: dict) -> bool:
    """Handle one event at most once for this consumer; False if it should be retried."""
    fn = consumer.handlers.get(envelope.get("type"))
    fields = {"consumer": consumer.name, "event_id": envelope["id"],
              "type": envelope.get("type"), "conversation_id": envelope.get("conversation_id")}
    if fn is None:
        return True
    if consumer.idempotent:
        try:
            fn(deps, envelope)
        except Exception as exc:
            log.error("consumer_failed", error=repr(exc), **fields)
            return False
        log.info("consumer_handled", **fields)
        return True
    key = claim_key(consumer.name, envelope["id"])
    state = deps.claims.begin(key, LEASE_MS)
    if state != "started":
        log.info("consumer_duplicate" if state == "done" else "consumer_busy", **fields)
        return state == "done"
    try:
        fn(deps, envelope)
    except Exception as exc:
        deps.claims.release(key)
        log.error("consumer_failed", error=repr(exc), **fields)
        return False
    try:
        deps.claims.finish(key)
    except Exception as exc:   # it ran: acknowledge; the lease expires, a duplicate re-runs it
        log.error("consumer_finish_failed", error=repr(exc), **fields)
    log.info("consumer_handled", **fields)
    return True

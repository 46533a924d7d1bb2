"""Runs a consumer of the conversation event stream on a batch of its SQS records.

Each record is one event envelope (raw SNS delivery). The consumer declares the event types
it handles (chalicelib/bootstrap.py); others are acknowledged and skipped. Each event runs at
most once per consumer: the runner claims `evt#{consumer}#{id}` in the keys table before the
handler, and releases the claim if the handler raises, so the retry runs it again. Failed
records are reported as partial batch failures (like services/events.py)."""
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
        if not run_once(deps, consumer, envelope):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def run_once(deps, consumer: Consumer, envelope: dict) -> bool:
    """Handle one event at most once for this consumer; False if it should be retried."""
    fn = consumer.handlers.get(envelope.get("type"))
    fields = {"consumer": consumer.name, "event_id": envelope["id"],
              "type": envelope.get("type"), "conversation_id": envelope.get("conversation_id")}
    if fn is None:
        return True
    key = claim_key(consumer.name, envelope["id"])
    if not deps.claims.claim(key):
        log.info("consumer_duplicate", **fields)
        return True
    try:
        fn(deps, envelope)
    except Exception as exc:
        deps.claims.release(key)
        log.error("consumer_failed", error=repr(exc), **fields)
        return False
    log.info("consumer_handled", **fields)
    return True

"""The relay: DynamoDB stream records in, named conversation events out to the topic.

Runs as the table streams' Lambda handlers (app.py). Any failure raises, so Lambda retries the
batch from the same records; the events carry stable ids, so what was published before the
failure is recognised and dropped by each consumer (docs/events.md)."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain import events as named


def relay(publisher, table: str, records: list[dict]) -> int:
    """Derive the events of a batch of stream records of `table` and publish them in order.
    Returns how many were published."""
    envelopes = []
    for record in records:
        envelopes += named.from_stream_record(table, record)
    if envelopes:
        publisher.publish_batch(envelopes)
    for env in envelopes:
        log.info("event_relayed", conversation_id=env["conversation_id"], event_id=env["id"],
                 type=env["type"], ticket_id=env.get("ticket_id"),
                 contact_id=env.get("contact_id"))
    return len(envelopes)

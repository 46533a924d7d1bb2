"""The `records` consumer: keep a conversation's record and its token postings current.

On every event that changes a record's facts it reads the conversation (one consistent
GetItem) and writes the record, on condition the stored revision is not newer, so a
redelivered or late event never puts an older state back. On `conversation.closed` it also
reads the transcript (Query, a page at a time), writes one posting per distinct token
(BatchWriteItem; the keys are deterministic, so a redelivery rewrites the same items) and
archives the conversation for analysts (one S3 object per conversation and close, written
once: domain/archive.py). Idempotent without a claim. Message text is never logged.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib import log
from chalicelib.domain import archive as archiving
from chalicelib.domain import records as rules
from chalicelib.services.qa import transcript

HANDLED_TYPES = ("conversation.created", "conversation.assigned", "conversation.transferred",
                 "conversation.joined", "conversation.closed", "conversation.reopened",
                 "conversation.rated", "conversation.tagged")
TEXT_TYPES = ("text", "attachment")


def _epoch(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(value)


def searchable_texts(messages) -> list[str]:
    """The texts a search finds: public messages (notes and system events are left out) and
    attachment names."""
    out = []
    for m in messages:
        if m.get("type") not in TEXT_TYPES or m.get("sender_type") == "system":
            continue
        if m.get("type") == "attachment":
            out.append((m.get("attachment") or {}).get("name") or "")
        else:
            out.append(m.get("text") or "")
    return out


def index(deps, conversation_id: str, with_text: bool) -> dict | None:
    """Write one conversation's record (and, with_text, its postings). None: no such
    conversation (expired or deleted)."""
    conv = deps.conversations.get(conversation_id, consistent=True)
    if conv is None:
        return None
    record = rules.record_of(conv)
    sk = rules.sort_key(record["started_at"], conversation_id)
    expires = _epoch(conv.get("expires_at"))
    written = deps.records.put_record(sk, record, expires)
    requests = 0
    tokens = []
    archived = None
    if with_text:
        messages = transcript(deps, conversation_id)
        tokens = rules.conversation_tokens(searchable_texts(messages))
        requests = deps.records.put_postings(record["site_key"], sk, tokens, expires)
        if record["status"] == "closed" and record["closed_at"]:
            archived = deps.archive.put_once(
                archiving.object_key(record["site_key"], conversation_id, record["closed_at"]),
                archiving.line(record, messages))
    log.info("record_indexed", conversation_id=conversation_id, written=written,
             tokens=len(tokens), batch_writes=requests, archived=archived)
    return record


def on_event(deps, event: dict) -> None:
    if event.get("type") in HANDLED_TYPES and event.get("conversation_id"):
        index(deps, event["conversation_id"], event["type"] == "conversation.closed")

"""Live supervision rules (no AWS): a supervisor's whisper, barge-in and live view.

- A whisper is a message of type `whisper` (domain/messages.PRIVATE_TYPES): stored in the
  conversation's history like a note, pushed to the agents in the chat and to supervisors
  watching it, never to the visitor on any path (services filter with visible_to_visitor).
- A barge-in makes the supervisor the holder (a transfer to themself, so reports and QA see
  an ordinary `conversation.transferred` with `barge_in: true`); the previous agent stays a
  participant unless `keep_agent` is false.
- A live view registers the supervisor as a watcher for WATCH_MS (renewed while the console
  shows the chat): watchers get the chat's pushes without joining it, so the visitor sees no
  `joined` event. Watchers are kept in the conversation's attrs under `watch:<agent id>` ->
  until (ms), one key each, so two supervisors starting a view at once do not overwrite
  each other.
"""
from __future__ import annotations

from chalicelib.domain.validation import CLIENT_ID_RE, MAX_TEXT, Field, validate
from chalicelib.errors import ValidationError

WATCH_MS = 30 * 60 * 1000
WATCH_PREFIX = "watch:"

WHISPER_SCHEMA = {
    "client_message_id": Field(str, required=True, pattern=CLIENT_ID_RE, min_len=1, max_len=64),
    "text": Field(str, required=True, max_len=MAX_TEXT, strip=False),
}
BARGE_IN_SCHEMA = {"keep_agent": Field(bool)}
WATCH_SCHEMA = {"watch": Field(bool)}

NOT_SUPERVISOR = (403, "not_supervisor", "Only supervisors and admins can do this.")
CLOSED = (409, "conversation_closed", "This conversation is closed.")


def parse_whisper(payload: dict) -> dict:
    body = validate(payload, WHISPER_SCHEMA)
    if not body["text"].strip():
        raise ValidationError("A whisper needs text.", code="empty_message")
    return body


def parse_barge_in(payload: dict) -> dict:
    body = validate(payload or {}, BARGE_IN_SCHEMA)
    return {"keep_agent": body.get("keep_agent", True)}


def parse_watch(payload: dict) -> bool:
    return validate(payload or {}, WATCH_SCHEMA).get("watch", True)


def supervise(conv: dict, actor, live: bool = True):
    """May this actor whisper into / take over / watch this conversation? None when allowed,
    else (status, code, message). `live`: the chat must not be closed."""
    if not actor.is_supervisor:
        return NOT_SUPERVISOR
    if live and conv.get("status") == "closed":
        return CLOSED
    return None


def watch_key(agent_id: str) -> str:
    return WATCH_PREFIX + agent_id


def watchers(attrs: dict | None, now_ms: int) -> list[str]:
    """The agent ids whose live view of the chat has not expired."""
    return sorted(k[len(WATCH_PREFIX):] for k, until in (attrs or {}).items()
                  if isinstance(k, str) and k.startswith(WATCH_PREFIX)
                  and _ms(until) > now_ms)


def _ms(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0

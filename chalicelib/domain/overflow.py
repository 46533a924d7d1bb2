"""Overflow: a chat that waited too long in a team's line moves to another team's line, once
(docs/routing.md "Overflow"). Pure: no AWS, no clock (callers pass `now` in ms).

Team setting `overflow`: {"after_seconds": 120..86400, "to_team": "<team id>"}. A queued chat
whose wait in this line (attrs.queued_at: when it joined the line) reached `after_seconds`
moves to `to_team`'s line keeping its place-in-line order (`queued_at`), so it is placed by
age among the chats already there and is not sent to the back. A chat moves once per stay
in a line: `attrs.overflowed_at` at or after the time it joined the line (a move keeps that
time) means it overflowed already, so the target's own overflow does not move it again (no
ping-pong); a later return to a line (a transfer, an agent who left) starts a new stay.
"""
from __future__ import annotations

MIN_AFTER_SECONDS = 120
MAX_AFTER_SECONDS = 86400
REASON = "overflow"


def joined_at(conv: dict) -> int:
    """When the chat joined its current line (ms): attrs.queued_at, else the order itself."""
    attrs = conv.get("attrs") or {}
    return int(attrs.get("queued_at") or conv.get("queued_at") or 0)


def overflowed(conv: dict) -> bool:
    """Already moved by an overflow during this stay in a line."""
    at = (conv.get("attrs") or {}).get("overflowed_at")
    return at is not None and int(at) >= joined_at(conv)


def cutoff(setting: dict, now: int) -> int:
    """Chats that joined the line at or before this time (ms) are due."""
    return int(now) - int(setting["after_seconds"]) * 1000


def is_due(conv: dict, source: str, setting: dict | None, now: int) -> bool:
    """Queued in `source`, waited `after_seconds` there, not overflowed in this stay, and
    the target is another queue."""
    if not setting or setting.get("to_team") in (None, source):
        return False
    return (conv.get("status") == "queued" and conv.get("queue_key") == source
            and not overflowed(conv) and joined_at(conv) <= cutoff(setting, now))


def due_in_line(line: list[dict], source: str, setting: dict | None, now: int) -> list[dict]:
    """The due chats of the head of a line (read in line order). The line is ordered by
    `queued_at`, which is at most the join time (a priority moves it earlier), so once a
    chat's order is past the cutoff nobody behind it can be due: the walk stops there."""
    if not setting:
        return []
    limit = cutoff(setting, now)
    out = []
    for conv in line:
        if int(conv.get("queued_at") or 0) > limit:
            break
        if is_due(conv, source, setting, now):
            out.append(conv)
    return out


def transition(conv: dict, source: str, setting: dict, now: int) -> dict:
    """The move of one due chat: the fields to set (same place-in-line order, the target's
    queue), the attrs to record, and the system event the visitor and the stream see (a
    `transferred` to a team with reason `overflow`: docs/events.md). Raises ValueError when
    the chat is not due (a caller that read it must not move it)."""
    if not is_due(conv, source, setting, now):
        raise ValueError("not due")
    target = setting["to_team"]
    return {"expect_queue": source,
            "set_fields": {"queue_key": target, "team": target,
                           "queued_at": int(conv["queued_at"])},
            "attrs": {"overflowed_at": int(now), "overflow_from": source},
            "event": {"reason": REASON, "team": target, "from_team": source}}

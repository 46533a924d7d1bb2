"""Overflow: chats that waited a team's `overflow.after_seconds` move to `overflow.to_team`'s
line, once, keeping their place by age (the rule: domain/overflow.py; docs/routing.md).

Runs as the `overflow` task ({"queue_key": team}), published by the safety sweep when the
head of a team's line is past the team's limit and by the assignment pass when a chat it
read stays waiting past it. A run reads the team (one GetItem), the head of its line (one
Query) and, when something is due, the target team (one GetItem); each move is one
conditional write (still queued in this line), so a redelivered or racing task moves
nothing twice and posts no second event.
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.domain import assignment as policy
from chalicelib.domain import overflow as rule
from chalicelib.services import positions
from chalicelib.services.conversations import post_system_event
from chalicelib.services.notifier import notify_conversation
from chalicelib.services.routing import publish_assign, publish_overflow

BATCH = 25          # chats moved per run and line; a full batch publishes the next run


def setting_of(team: dict | None) -> dict | None:
    return (team or {}).get("overflow") or None


def on_overflow(deps, body: dict) -> int:
    return run_queue(deps, str(body.get("queue_key") or ""))


def run_queue(deps, key: str, now: int | None = None) -> int:
    """Move the due chats at the head of team `key`'s line; the number moved."""
    directory = getattr(deps, "directory", None)
    if not key or key == policy.DEFAULT_QUEUE or directory is None:
        return 0
    setting = setting_of(directory.get("team", key))
    if not setting:
        return 0
    now = now_ms() if now is None else now
    line = deps.waiting.waiting(key, limit=BATCH)
    due = rule.due_in_line(line, key, setting, now)
    if not due:
        return 0
    target = setting["to_team"]
    if directory.get("team", target) is None:
        # the target was deleted after the setting was saved: the chats stay in line
        log.warning("overflow_target_missing", queue=key, to_team=target)
        return 0
    moved = sum(1 for conv in due if _move(deps, conv, key, setting, now))
    if moved:
        publish_assign(deps, [target])
        positions.schedule(deps, [key, target])
    if len(due) == BATCH:
        publish_overflow(deps, [key])         # more may be due behind this batch
    log.info("overflow_run", queue=key, to_team=target, due=len(due), moved=moved)
    return moved


def _move(deps, conv: dict, key: str, setting: dict, now: int) -> bool:
    step = rule.transition(conv, key, setting, now)
    cid = conv["conversation_id"]
    try:
        deps.waiting.move(cid, "queued", set_fields=step["set_fields"], attrs=step["attrs"],
                          expect_queue=key)
    except AssignmentConflict:
        return False          # assigned, closed or moved on meanwhile: nothing written
    fresh = post_system_event(deps, conv, "transferred", step["event"])
    notify_conversation(deps, fresh)
    log.info("conversation_overflowed", conversation_id=cid, queue=key,
             to_team=setting["to_team"])
    return True

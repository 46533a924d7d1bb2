"""Who may do what to a conversation (no AWS here).

Agents read every conversation (one shared inbox). Writing is narrower:
- an assigned conversation belongs to its agent; other agents only read it, supervisors and
  admins may step in (join, post, close, reassign);
- an unassigned one (new, open with the bot, queued, offline) is written by the agents who
  joined it; joining a queued one needs membership of its team;
- a closed one takes no messages until it is reopened, by the agent who had it (or anyone
  when nobody had it) or a supervisor.

Each check returns None when allowed, else (status, code, message) for the error."""
from __future__ import annotations

from chalicelib.domain.actors import Actor

UNASSIGNED = ("new", "open", "queued", "offline")

CLOSED = (409, "conversation_closed", "This conversation is closed.")
NOT_YOURS = (403, "not_yours", "This conversation is assigned to someone else.")
NOT_PARTICIPANT = (403, "not_participant", "Join the conversation first.")
NOT_YOUR_TEAM = (403, "not_your_team", "This conversation waits for another team.")


def _participant(conv: dict, agent_id: str) -> bool:
    return agent_id in (conv.get("participants") or [])


_UNASSIGNED = object()   # the holder rule has no say: the conversation has no holder


def _holder_rule(conv: dict, actor: Actor):
    """What write and join share: a closed conversation is refused, supervisors may, an
    assigned one is its agent's alone; _UNASSIGNED when the conversation has no holder."""
    if conv.get("status") == "closed":
        return CLOSED
    if actor.is_supervisor:
        return None
    if conv.get("status") == "assigned":
        return None if conv.get("agent_id") == actor.id else NOT_YOURS
    return _UNASSIGNED


def write(conv: dict, actor: Actor):
    """Post messages or notes, send typing, upload attachments."""
    ruled = _holder_rule(conv, actor)
    if ruled is not _UNASSIGNED:
        return ruled
    return None if _participant(conv, actor.id) else NOT_PARTICIPANT


def join(conv: dict, actor: Actor, serves_queue: bool):
    ruled = _holder_rule(conv, actor)
    if ruled is not _UNASSIGNED:
        return ruled
    return NOT_YOUR_TEAM if conv.get("status") == "queued" and not serves_queue else None


def accept(conv: dict, actor: Actor, serves_queue: bool):
    if conv.get("status") == "queued" and not actor.is_supervisor and not serves_queue:
        return NOT_YOUR_TEAM
    return None


def close(conv: dict, actor: Actor, serves_queue: bool):
    if conv.get("status") == "closed":
        return (409, "conversation_closed", "This conversation is already closed.")
    if actor.kind == "visitor" or actor.is_supervisor:
        return None
    if conv.get("status") == "assigned":
        return None if conv.get("agent_id") == actor.id else NOT_YOURS
    if _participant(conv, actor.id):
        return None
    if conv.get("status") == "queued":
        return None if serves_queue else NOT_YOUR_TEAM
    if conv.get("status") == "offline":
        return None          # left messages are every agent's follow-up work
    return NOT_PARTICIPANT


def reopen(conv: dict, actor: Actor):
    if conv.get("status") != "closed":
        return (409, "not_closed", "Only a closed conversation can be reopened.")
    if actor.is_supervisor or not conv.get("agent_id") or conv.get("agent_id") == actor.id:
        return None
    return NOT_YOURS


def tag(conv: dict, actor: Actor):
    """Tags: triage on unassigned conversations, wrap-up on closed ones by whoever had them."""
    if actor.is_supervisor:
        return None
    status = conv.get("status")
    if status in UNASSIGNED:
        return None
    if conv.get("agent_id") == actor.id:
        return None
    if status == "closed" and not conv.get("agent_id") and _participant(conv, actor.id):
        return None
    return NOT_YOURS

"""Supervisor actions on other agents' conversations, as audited use cases: a reassign, and
a supervisor joining a conversation another agent holds (a step-in). The work is done by
services/lifecycle.py and services/conversations.py; this records it in the audit log."""
from __future__ import annotations

from chalicelib.domain.actors import Actor
from chalicelib.services import audit
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle


def reassign(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    out = lifecycle.reassign(deps, actor, conversation_id, payload)
    conv = out.get("conversation") or {}
    audit.record(deps, actor, "conversation.reassigned", "conversation", conversation_id,
                 conv.get("site_key"), {"to_agent_id": conv.get("agent_id")})
    return out


def join(deps, actor: Actor, conversation_id: str) -> dict:
    conv = convs.join(deps, actor, conversation_id)
    holder = conv.get("agent_id")
    if actor.is_supervisor and holder and holder != actor.id:
        audit.record(deps, actor, "conversation.joined", "conversation", conversation_id,
                     conv.get("site_key"), {"agent_id": holder})
    return conv

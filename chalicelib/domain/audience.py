"""Who hears about a change (plain rules, no AWS): chalicelib/services/notifier.py reads the
live connections once per change and keeps the ones these functions pick.

A connection row is a dict: {"connection_id", "kind": "visitor"|"agent", "agent_id",
"role", "teams"} (agent rows carry the role and teams the agent had at $connect; a role or
team change closes the agent's sockets so the console reconnects with the new ones).
"""
from __future__ import annotations

from chalicelib.domain.assignment import DEFAULT_QUEUE

WATCHERS = ("supervisor", "admin")      # roles that see every conversation and every load


def conversation_team(conv: dict) -> str:
    """The queue a conversation belongs to: where it waits, else the team it was routed to,
    else the general queue (served by every agent)."""
    return conv.get("queue_key") or conv.get("team") or DEFAULT_QUEUE


def hears_conversation(conn: dict, conv: dict, also=()) -> bool:
    """An agent connection hears a conversation change when its agent holds or joined it
    (or is in `also`, e.g. who held it before a transfer), serves its queue/team, or is a
    supervisor/admin."""
    if conn.get("kind") != "agent":
        return False
    agent_id = conn.get("agent_id")
    if conn.get("role") in WATCHERS:
        return True
    if agent_id and (agent_id == conv.get("agent_id") or agent_id in (conv.get("participants")
                                                                       or ()) or agent_id in also):
        return True
    team = conversation_team(conv)
    return team == DEFAULT_QUEUE or team in (conn.get("teams") or ())


def hears_agent(conn: dict, agent_id: str) -> bool:
    """Load and presence of an agent: the agent's own consoles and supervisors/admins (the
    floor view). Others read loads when they open the transfer dialog (GET /agent/agents)."""
    return conn.get("kind") == "agent" and (conn.get("agent_id") == agent_id
                                           or conn.get("role") in WATCHERS)

"""One place that decides who hears about a state change, and pushes it.

A conversation change goes, as a delta {"type": "conversation", "conversation": <view with
rev>}, to the visitor's connections (visitor view) and to the agent connections the rule in
chalicelib/domain/audience.py picks (agent view): holder and participants, the agents who
serve its queue/team, supervisors and admins. An agent's load/presence change ({"type":
"agent"}) goes to that agent and to supervisors/admins. Each change costs one Query for the
agent connections (kind-index) plus, for conversations, one for the visitor's; the filtering
happens in memory. Never to every agent: the console merges the delta into the lists it
holds (web/console/app/inbox.js) instead of re-reading them.
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain import audience
from chalicelib.services import delivery
from chalicelib.services.views import agent_view, conversation_view


def conversation_recipients(deps, conv: dict, also=(),
                            agent_conns: list[dict] | None = None,
                            visitor_conns: list[dict] | None = None
                            ) -> tuple[list[dict], list[dict]]:
    """(visitor connections, agent connections) for a change of `conv`. `agent_conns`: the
    agent connections when the caller read them already (an assignment pass reads them once
    for all the chats it moves); `visitor_conns`: the conversation's connections when the
    caller read them already."""
    visitors = visitor_conns if visitor_conns is not None else \
        delivery.visitor_connections(deps, conv)
    if agent_conns is None:
        agent_conns = deps.connections.by_kind("agent")
    agents = [c for c in agent_conns if audience.hears_conversation(c, conv, also)]
    return visitors, agents


def notify_conversation(deps, conv: dict, also=(), agent_conns: list[dict] | None = None,
                        visitor_conns: list[dict] | None = None) -> int:
    """Push the changed conversation to who may see it. `also`: agent ids that must hear it
    although the rule would not pick them (who held it before it moved away)."""
    cid = conv["conversation_id"]
    visitors, agents = conversation_recipients(deps, conv, also, agent_conns, visitor_conns)
    n = delivery.push(deps, agents, {"type": "conversation",
                                     "conversation": conversation_view(conv, for_agent=True)},
                      cid)
    n += delivery.push(deps, visitors, {"type": "conversation",
                                        "conversation": conversation_view(conv,
                                                                          for_agent=False)},
                       cid)
    log.info("conversation_pushed", conversation_id=cid, agents=len(agents),
             visitors=len(visitors), rev=int(conv.get("rev") or 0))
    return n


def notify_agent(deps, agent: dict | None, agent_conns: list[dict] | None = None) -> int:
    """Push an agent's load and presence to that agent and to supervisors/admins."""
    if not agent:
        return 0
    if agent_conns is None:
        agent_conns = deps.connections.by_kind("agent")
    conns = [c for c in agent_conns if audience.hears_agent(c, agent["agent_id"])]
    return delivery.push(deps, conns, {"type": "agent", "agent": agent_view(agent)})

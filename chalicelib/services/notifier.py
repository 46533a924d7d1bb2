"""Who hears about a change: conversation and agent-load pushes to consoles and visitors."""
from __future__ import annotations

from chalicelib.services import delivery
from chalicelib.services.views import agent_view, conversation_view


def notify_conversation(deps, conv: dict) -> None:
    """Tell every agent console and the visitor that the conversation changed."""
    delivery.to_all_agents(deps, {"type": "conversation",
                                  "conversation": conversation_view(conv, for_agent=True)})
    delivery.push(deps, deps.connections.by_conversation(conv["conversation_id"]),
                  {"type": "conversation",
                   "conversation": conversation_view(conv, for_agent=False)},
                  conv["conversation_id"])


def notify_agent(deps, agent: dict) -> None:
    delivery.to_all_agents(deps, {"type": "agent", "agent": agent_view(agent)})


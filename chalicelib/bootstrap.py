"""Explicit wiring: what runs when. One file to read to follow SQS -> handler, message ->
hooks, $disconnect -> hooks; nothing registers itself as a side effect of being imported.

build() gives the adapters (services/deps.py) with these maps attached; tests that build
their own Deps call wire(deps).
"""
from __future__ import annotations

from chalicelib.services import bot, followup, presence, routing
from chalicelib.services.deps import Deps, build_default


# ------------------------------------------------------------------ SQS tasks, hooks
#: SQS task type -> handler(deps, body). The "assign" tasks arrive on the assignments
#: queue, the others on the events queue; every handler is idempotent (at-least-once).
TASK_HANDLERS = {
    "assign": routing.on_assign,                    # assign waiting chats of one queue
    "queue_timeout": routing.on_queue_timeout,      # waited too long: offer leave-a-message
    "presence_check": presence.on_presence_check,   # last socket gone: away after the grace
    "email_reply": followup.on_email_reply,         # agent reply to an offline message
    "bot_turn": bot.bot_turn,                       # the bot answers a visitor message
}

#: sender kind of a stored message -> hooks(deps, conversation, message), in order
MESSAGE_HOOKS = {
    "visitor": [bot.on_visitor_message,             # bot mode: publish a bot_turn
                routing.on_visitor_message],        # no bot: the first message queues
    "agent": [followup.on_agent_message],           # offline visitor: email the reply
}

#: after $disconnect removed the row: hooks(deps, the connection row or None)
DISCONNECT_HOOKS = [presence.on_disconnect]         # agent's last socket: presence check


def wire(deps: Deps) -> Deps:
    deps.task_handlers = dict(TASK_HANDLERS)
    deps.message_hooks = {kind: list(hooks) for kind, hooks in MESSAGE_HOOKS.items()}
    deps.disconnect_hooks = list(DISCONNECT_HOOKS)
    return deps


def build() -> Deps:
    """The adapters for AWS, wired."""
    return wire(build_default())

"""Explicit wiring: what runs when. One file to read to follow SQS -> handler, message ->
hooks, $disconnect -> hooks, event stream -> consumers; nothing registers itself as a side
effect of being imported.

build() gives the adapters (services/deps.py) with these maps attached; tests that build
their own Deps call wire(deps).
"""
from __future__ import annotations

from typing import Callable

from chalicelib import config
from chalicelib.services import (bot, channels, followup, overflow, positions, presence, qa,
                                 qa_review, routing, webhook_delivery, wechat)
from chalicelib.services.consumers import Consumer
from chalicelib.services.records import export as records_export
from chalicelib.services.records import indexer as records_indexer
from chalicelib.services.contacts import timeline as contact_timeline
from chalicelib.services.reports import consumer as reports_consumer
from chalicelib.services.deps import Deps, build_default
from chalicelib.services.tickets import comments as ticket_comments
from chalicelib.services.tickets import create as ticket_create


# ------------------------------------------------------------------ SQS tasks, hooks
#: SQS task type -> handler(deps, body). The "assign" tasks arrive on the assignments
#: queue, the others on the events queue; every handler is idempotent (at-least-once).
TASK_HANDLERS = {
    "assign": routing.on_assign,                    # fill free slots of some queues
    "positions": positions.on_positions,            # push the places in line of a queue
    "handle_time": positions.on_handle_time,        # a closed chat: the queue's average
    "requeue_agent": presence.on_requeue_agent,     # agent gone: chats back to the front
    "queue_timeout": routing.on_queue_timeout,      # waited too long: offer leave-a-message
    "overflow": overflow.on_overflow,               # waited a team's limit: the next team
    "presence_check": presence.on_presence_check,   # last socket gone: away after the grace
    "email_reply": followup.on_email_reply,         # agent reply to an offline message
    "bot_turn": bot.bot_turn,                       # the bot answers a visitor message
    "channel_deliver": channels.deliver,            # a reply to WeChat (retries, backoff)
    "records_export": records_export.run,           # a large chat-records export to S3
    "ticket_from_offline": ticket_create.on_offline_message,  # left message -> a ticket
    "ticket_mail": ticket_comments.on_mail_task,    # a public ticket reply -> the requester
}

#: the webhook deliveries queue's tasks (its own function: a slow receiver blocks nothing else)
WEBHOOK_TASKS = {
    webhook_delivery.TASK: webhook_delivery.deliver,  # POST one delivery, retry or park it
}

#: sender kind of a stored message -> hooks(deps, conversation, message), in order
MESSAGE_HOOKS = {
    "visitor": [bot.on_visitor_message,             # bot mode: publish a bot_turn
                routing.on_visitor_message],        # no bot: the first message queues
    "agent": [followup.on_agent_message,            # offline visitor: email the reply
              channels.on_outbound_message],        # not a web chat: deliver via its channel
    "bot": [channels.on_outbound_message],          # (post_bot_message runs these)
}

#: channel kind -> fn(deps, channel, conversation, message): delivers a reply (the API
#: channel's replies leave through outgoing webhooks, so it has none here)
CHANNEL_SENDERS = {
    "wechat": wechat.send,                          # 公众号 客服消息
    "wechat_mp": wechat.send,                       # 小程序 客服消息: the same API
}

#: after $disconnect removed the row: hooks(deps, the connection row or None)
DISCONNECT_HOOKS = [presence.on_disconnect]         # agent's last socket: presence check


def wire(deps: Deps) -> Deps:
    deps.task_handlers = dict(TASK_HANDLERS)
    deps.message_hooks = {kind: list(hooks) for kind, hooks in MESSAGE_HOOKS.items()}
    deps.disconnect_hooks = list(DISCONNECT_HOOKS)
    deps.channel_senders = dict(CHANNEL_SENDERS)
    return deps


def build() -> Deps:
    """The adapters for AWS, wired."""
    return wire(build_default())


# ------------------------------------------------------------------ event-stream consumers
#: The consumers of the conversation event stream (docs/events.md). Each has its own queue
#: (subscribed to the topic, with its own DLQ) and maps the event types it handles to
#: functions `fn(deps, envelope)`. app.py gives each consumer queue an on_sqs_message handler
#: that runs services/consumers.handle_records with the consumer built here.
CONSUMERS: dict[str, dict] = {
    # figures: per-conversation facts and per-site day buckets (docs/reports.md); the
    # consumer records each event id in the write that counts it, so it needs no claim
    "reports": {"queue": config.CONSUMER_QUEUES["reports"], "idempotent": True,
                "handlers": {t: reports_consumer.handle
                             for t in sorted(reports_consumer.HANDLED_TYPES)}},
    # quality inspection: score each closed (or later rated) conversation; the score is a pure
    # function of the transcript, so a redelivered event rewrites the same item
    # then queue it for manual review when its team's sampling rules pick it (a conditional
    # put: never twice)
    "qa": {"queue": config.CONSUMER_QUEUES["qa"], "idempotent": True,
           "handlers": {t: qa_review.on_event for t in qa.HANDLED_TYPES}},
    # outgoing webhooks: one delivery record + task per matching endpoint; the record is a
    # conditional put keyed on event id + endpoint id, so a redelivered event adds nothing
    "webhooks": {"queue": config.CONSUMER_QUEUES["webhooks"], "idempotent": True,
                 "handlers": {t: webhook_delivery.on_event
                              for t in webhook_delivery.HANDLED_TYPES}},
    # chat records: one searchable record per conversation (rewritten on condition its
    # revision is not newer) and, on close, the token postings of its messages (fixed keys)
    "records": {"queue": config.CONSUMER_QUEUES["records"], "idempotent": True,
                "handlers": {t: records_indexer.on_event
                             for t in records_indexer.HANDLED_TYPES}},
    # contacts: each conversation's events on its contact's timeline (and the rating on its
    # stats); the runner's claims make the stats update count once
    "contacts": {"queue": config.CONSUMER_QUEUES["contacts"],
                 "handlers": {t: contact_timeline.on_event
                              for t in contact_timeline.HANDLED_TYPES}},
}


def build_consumers(declared: dict[str, dict] | None = None,
                    overrides: dict[str, dict[str, Callable]] | None = None
                    ) -> dict[str, Consumer]:
    """The consumers as runnable objects; `overrides` replaces a consumer's handler map
    (tests and the local runtime's test app inject recording handlers this way)."""
    declared = CONSUMERS if declared is None else declared
    overrides = overrides or {}
    return {name: Consumer(name=name, queue=spec["queue"],
                           handlers=dict(overrides.get(name, spec["handlers"])),
                           idempotent=spec.get("idempotent", False) and name not in overrides)
            for name, spec in declared.items()}

"""What runs when: the one place handlers are wired (nothing registers itself on import).

CONSUMERS: the consumers of the conversation event stream (docs/events.md). Each has its own
queue (subscribed to the topic, with its own DLQ) and maps the event types it handles to
functions `fn(deps, envelope)`. app.py gives each consumer queue an on_sqs_message handler
that runs services/consumers.handle_records with the consumer built here.
"""
from __future__ import annotations

from typing import Callable

from chalicelib import config
from chalicelib.services.consumers import Consumer

#: consumer name -> {"queue": its queue name, "handlers": {event type: fn(deps, envelope)}}.
#: The reports and webhooks consumers fill in their handlers on their own branches.
CONSUMERS: dict[str, dict] = {
    "reports": {"queue": config.CONSUMER_QUEUES["reports"], "handlers": {}},
    "webhooks": {"queue": config.CONSUMER_QUEUES["webhooks"], "handlers": {}},
}


def build_consumers(declared: dict[str, dict] | None = None,
                    overrides: dict[str, dict[str, Callable]] | None = None
                    ) -> dict[str, Consumer]:
    """The consumers as runnable objects; `overrides` replaces a consumer's handler map
    (tests and the local runtime's test app inject recording handlers this way)."""
    declared = CONSUMERS if declared is None else declared
    overrides = overrides or {}
    return {name: Consumer(name=name, queue=spec["queue"],
                           handlers=dict(overrides.get(name, spec["handlers"])))
            for name, spec in declared.items()}

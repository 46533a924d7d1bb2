"""SQS publisher: the assignment queue, the background-events queue and the webhook
deliveries queue."""
from __future__ import annotations

import json

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

# logical queue -> (queue name, the env var that may give its URL directly)
QUEUES = {"assignments": (lambda: config.ASSIGNMENT_QUEUE, "assignment"),
          "events": (lambda: config.EVENTS_QUEUE, "events"),
          "webhooks": (lambda: config.WEBHOOK_DELIVERY_QUEUE, "webhook_delivery")}


class QueuePublisher(LazyClient):
    service = "sqs"

    def __init__(self, session=None):
        super().__init__(session)
        self._urls: dict[str, str] = {}

    def client_kwargs(self) -> dict:
        return {"endpoint_url": config.sqs_endpoint()}

    def url(self, queue: str) -> str:
        if queue not in self._urls:
            name, url_key = QUEUES[queue]
            url = config.queue_url(url_key)
            if url is None:
                url = self._get_client().get_queue_url(QueueName=name())["QueueUrl"]
            self._urls[queue] = url
        return self._urls[queue]

    def send(self, queue: str, body: dict, delay: int = 0) -> None:
        self._get_client().send_message(QueueUrl=self.url(queue),
                                        MessageBody=json.dumps(body, separators=(",", ":")),
                                        DelaySeconds=max(0, min(int(delay), 900)))

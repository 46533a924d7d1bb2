"""SQS publisher: the assignment queue and the background-events queue."""
from __future__ import annotations

import json
import threading

from chalicelib import config

# logical queue -> (queue name, the env var that may give its URL directly)
QUEUES = {"assignments": (lambda: config.ASSIGNMENT_QUEUE, "assignment"),
          "events": (lambda: config.EVENTS_QUEUE, "events")}


class QueuePublisher:
    def __init__(self, session=None):
        self._session = session
        self._client = None
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def _get_client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    session = self._session or boto3.session.Session()
                    self._client = session.client("sqs", endpoint_url=config.sqs_endpoint(),
                                                  region_name=config.region())
        return self._client

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

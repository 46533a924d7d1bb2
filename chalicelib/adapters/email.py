"""Outgoing email through Amazon SES (replies to visitors who left a message offline)."""
from __future__ import annotations

import threading

from chalicelib import config


class EmailSender:
    def __init__(self, session=None):
        self._session = session
        self._client = None
        self._lock = threading.Lock()

    def _get_client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    session = self._session or boto3.session.Session()
                    self._client = session.client(
                        "ses", endpoint_url=config.ses_endpoint(), region_name=config.region())
        return self._client

    def send(self, to: str, subject: str, text: str, reply_to: str | None = None) -> str:
        params = {"Source": config.ses_sender(), "Destination": {"ToAddresses": [to]},
                  "Message": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                              "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}}}
        if reply_to:
            params["ReplyToAddresses"] = [reply_to]
        return self._get_client().send_email(**params)["MessageId"]

"""Outgoing email through Amazon SES (replies to visitors who left a message offline)."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient


class EmailSender(LazyClient):
    service = "ses"

    def client_kwargs(self) -> dict:
        return {"endpoint_url": config.ses_endpoint()}

    def send(self, to: str, subject: str, text: str, reply_to: str | None = None) -> str:
        params = {"Source": config.ses_sender(), "Destination": {"ToAddresses": [to]},
                  "Message": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                              "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}}}
        if reply_to:
            params["ReplyToAddresses"] = [reply_to]
        return self._get_client().send_email(**params)["MessageId"]

    def send_raw(self, source: str, destinations: list[str], raw: bytes) -> str:
        """A complete MIME message (SendRawEmail); SES's message id."""
        return self._get_client().send_raw_email(
            Source=source, Destinations=list(destinations),
            RawMessage={"Data": raw})["MessageId"]

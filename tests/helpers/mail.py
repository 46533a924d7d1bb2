"""Email-channel test helpers: an in-memory TicketsMailPort, a Gmail-style reply to a mail we
sent, and the S3 event SES's receipt rule causes."""
from __future__ import annotations

import email
import secrets
from email import policy
from email.message import EmailMessage


class FakeTicketsPort:
    """The three methods of chalicelib/services/tickets/mail_port.TicketsMailPort, in memory,
    idempotent on mail.message_id like the real one; records every call."""

    def __init__(self):
        self.tickets: dict[str, dict] = {}
        self.calls: list[tuple] = []
        self.lookups: list[tuple] = []
        self._by_message: dict[str, str] = {}

    def ticket_for_thread(self, site_key, message_ids, reply_token):
        self.calls.append(("ticket_for_thread", site_key, list(message_ids), reply_token))
        self.lookups.append((list(message_ids), reply_token))
        for tid, t in self.tickets.items():
            if t["site_key"] == site_key and set(message_ids) & t["ids"]:
                return tid
        for tid, t in self.tickets.items():
            if t["site_key"] == site_key and reply_token and t["token"] == reply_token:
                return tid
        return None

    def create_from_email(self, site_key, mail):
        self.calls.append(("create_from_email", site_key, mail.message_id))
        if mail.message_id in self._by_message:
            return self._by_message[mail.message_id]
        tid = f"t{len(self.tickets) + 1}"
        self.tickets[tid] = {"site_key": site_key, "token": secrets.token_urlsafe(9),
                             "number": 1000 + len(self.tickets), "subject": mail.subject,
                             "ids": {mail.message_id}, "mails": [mail]}
        self._by_message[mail.message_id] = tid
        return tid

    def add_email_reply(self, site_key, ticket_id, mail):
        self.calls.append(("add_email_reply", site_key, ticket_id, mail.message_id))
        if mail.message_id in self._by_message:
            return
        ticket = self.tickets[ticket_id]
        ticket["ids"].add(mail.message_id)
        ticket["mails"].append(mail)
        self._by_message[mail.message_id] = ticket_id

    # what the tickets side does around send_ticket_reply
    def ticket_dict(self, tid: str) -> dict:
        t = self.tickets[tid]
        return {"ticket_id": tid, "number": t["number"], "subject": t["subject"],
                "reply_token": t["token"], "site_key": t["site_key"]}

    def sent(self, tid: str, message_id: str) -> None:
        self.tickets[tid]["ids"].add(message_id)


def gmail_style_reply(sent_raw: str, in_reply_to: str | None, text: str, frm: str,
                      message_id: str = "<CAreply-1@mail.gmail.com>") -> bytes:
    """What Gmail sends back when the customer answers a mail we sent: to its Reply-To,
    `Re:` subject, the new text above an attribution line and the quoted original.
    in_reply_to: the Message-ID the client saw (None: a client that drops the headers)."""
    ours = email.message_from_string(sent_raw, policy=policy.default)
    quoted = "\n".join(f"> {line}" if line else ">" for line in
                       ours.get_body(("plain",)).get_content().strip().split("\n"))
    reply = EmailMessage(policy=policy.SMTP)
    reply["From"] = frm
    reply["To"] = str(ours["Reply-To"])
    reply["Subject"] = f"Re: {ours['Subject']}"
    reply["Date"] = "Mon, 23 Nov 2026 12:00:00 +0000"
    reply["Message-ID"] = message_id
    if in_reply_to:
        reply["In-Reply-To"] = in_reply_to
        reply["References"] = in_reply_to
    reply.set_content(f"{text}\n\nOn Mon, Nov 23, 2026 at 11:00 AM {ours['From']} wrote:\n\n"
                      f"{quoted}\n", charset="utf-8")
    return reply.as_bytes()


def s3_event(bucket: str, key: str) -> dict:
    from urllib.parse import quote_plus
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                         "awsRegion": "us-east-1", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket,
                                           "arn": f"arn:aws:s3:::{bucket}"},
                                "object": {"key": quote_plus(key), "size": 1}}}]}


def sqs_event(bucket: str, key: str, message_id: str = "m-1") -> dict:
    """The mail queue's record carrying the bucket's ObjectCreated event."""
    import json
    return {"Records": [{"messageId": message_id, "receiptHandle": "r",
                         "body": json.dumps(s3_event(bucket, key)),
                         "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:parley-dev-mail"}]}

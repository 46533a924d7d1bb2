"""The parsed form of one inbound mail: the contract between the email and tickets branches.

Message ids (message_id, in_reply_to, references) keep their angle brackets, as the headers
write them: `<uuid@domain>`. `send_ticket_reply` returns its Message-ID in the same form, so
an id the tickets side stores compares equal to the ids a reply carries back.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    from_addr: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str                       # the new content: quoted history and signature stripped
    full_text: str                  # the whole plain-text body (HTML turned to text if none)
    html_sanitized_text: str | None  # the HTML body as safe plain text (None: no HTML part)
    attachments: tuple[dict, ...]   # {filename, content_type, size, s3_key}
    reply_token: str | None         # from a plus address: support+t_<token>@domain
    auto_submitted: bool            # auto-reply, bulk, or our own mail coming back (loop)
    is_bounce: bool                 # a delivery status notification
    received_at: int                # ms

    def thread_ids(self) -> list[str]:
        """The ids of the mails this one answers, nearest first (In-Reply-To, then
        References from the last), without repeats."""
        out: list[str] = []
        for mid in ([self.in_reply_to] if self.in_reply_to else []) + \
                list(reversed(self.references)):
            if mid not in out:
                out.append(mid)
        return out

"""The outbound mail port, called through one indirection until the email branch's
`chalicelib/services/mail_outbound.send_ticket_reply` is merged: a test (or the local
runtime) may put its own function in deps.extras["ticket_mailer"]."""
from __future__ import annotations

from typing import Callable


def mailer(deps) -> Callable | None:
    """send_ticket_reply(deps, *, site_key, ticket, comment, to_addr, thread_ids) -> the new
    Message-ID; None when no mail channel exists in this build."""
    fn = (deps.extras or {}).get("ticket_mailer")
    if fn is not None:
        return fn
    try:
        from chalicelib.services import mail_outbound   # the email branch's module
    except ImportError:
        return None
    return getattr(mail_outbound, "send_ticket_reply", None)

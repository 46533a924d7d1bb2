"""A site's own email address (setting mail_address): validated, and mirrored as a
"mailbox" item of the directory table so inbound mail finds its site with one GetItem.

Every site also receives mail at <site_key>@<inbound domain> without any setting.
"""
from __future__ import annotations

from chalicelib import config
from chalicelib.domain.mail.addresses import PLUS_TOKEN, normalize
from chalicelib.errors import Conflict, ValidationError

KIND = "mailbox"


def check(deps, site_key: str, value: str | None) -> str | None:
    """The address to store (lower-cased), None to clear; 400/409 with a stable code."""
    if value is None or not value.strip():
        return None
    addr = normalize(value).lower()
    local, _, domain = addr.partition("@")
    if not addr or PLUS_TOKEN.match(local) or "+" in local:
        raise ValidationError("Enter a plain email address (no plus tag).",
                              code="invalid_email", details={"field": "mail_address"})
    if domain == config.mail_inbound_domain() and local != site_key.lower():
        raise ValidationError("Addresses at the inbound domain belong to their site key.",
                              code="invalid_email", details={"field": "mail_address"})
    owner = deps.directory.get(KIND, addr)
    if owner and owner.get("site_key") != site_key:
        raise Conflict("Another site receives mail at this address.",
                       code="mail_address_taken", details={"field": "mail_address"})
    return addr


def claim(deps, site_key: str, old: str | None, new: str | None) -> None:
    """Point the mailbox item at the site (after the settings are saved)."""
    if new:
        deps.directory.put(KIND, new, {"site_key": site_key})
    if old and old != new:
        owner = deps.directory.get(KIND, old)
        if owner and owner.get("site_key") == site_key:
            deps.directory.delete(KIND, old)

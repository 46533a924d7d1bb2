"""Identities: the keys that say "this is the same person". Each is `kind:value` with the
value normalised, so the same e-mail typed twice, or a phone written with spaces, maps to one
identity key (and, through the contacts table's identity items, to one contact)."""
from __future__ import annotations

import re

from chalicelib.domain.validation import EMAIL_RE
from chalicelib.errors import ValidationError

#: kind -> what it is. `visitor` (a widget visitor id) and `user` (a signed-in user id from
#: identify()) are per site; `wechat` is an openid, `api` an API channel's external id.
KINDS = ("visitor", "user", "email", "phone", "wechat", "api")
#: kinds that say "the same person" when two contacts share them and they were verified
#: (automatic merge suggestions)
MERGEABLE = ("email", "phone", "user")
DEFAULT_COUNTRY = "86"
_PHONE_JUNK = re.compile(r"[\s\-().\u00a0/]")
_OPAQUE = re.compile(r"^[A-Za-z0-9_.:@=+-]{1,128}$")


def normalise_email(value: str) -> str:
    text = (value or "").strip().lower()
    if not EMAIL_RE.match(text):
        raise ValidationError("Not an e-mail address.", code="invalid_email",
                              details={"value": value})
    return text


def normalise_phone(value: str, country: str = DEFAULT_COUNTRY) -> str:
    """E.164-ish: `+` then 8-15 digits. `00` becomes `+`; a national number (no prefix)
    gets the site's country code (default 86: an 11-digit mainland mobile); a leading trunk
    `0` is dropped."""
    raw = _PHONE_JUNK.sub("", (value or "").strip()).replace("\uff0b", "+")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        digits = raw[1:]
    else:
        digits = raw.lstrip("0")
        if len(digits) <= 11:        # national: 138 0013 8000, 010 1234 5678
            digits = country + digits
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise ValidationError("Not a phone number.", code="invalid_phone",
                              details={"value": value})
    return "+" + digits


def normalise(kind: str, value: str, country: str = DEFAULT_COUNTRY) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Unknown identity kind '{kind}'.", code="invalid_identity_kind")
    if not isinstance(value, str):
        raise ValidationError("An identity value is a string.", code="invalid_identity")
    if kind == "email":
        return normalise_email(value)
    if kind == "phone":
        return normalise_phone(value, country)
    text = value.strip()
    if not _OPAQUE.match(text):
        raise ValidationError(f"Invalid {kind} id.", code="invalid_identity")
    return text


def key(kind: str, value: str, country: str = DEFAULT_COUNTRY) -> str:
    """`kind:normalised value`, the identity's key."""
    return f"{kind}:{normalise(kind, value, country)}"


def split(identity: str) -> tuple[str, str]:
    kind, _, value = identity.partition(":")
    return kind, value


def of_kind(identities, kind: str) -> list[str]:
    return sorted(v for k, v in map(split, identities or ()) if k == kind)

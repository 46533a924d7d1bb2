"""Outgoing webhooks and API keys: the rules, no AWS. (docs/webhooks.md)

- which event types an endpoint may subscribe to (the catalogue of docs/events.md: the
  conversation, `ticket.*` and `contact.*` families, by name or pattern) and whether an event
  matches;
- the signature: `Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`;
- the retry schedule (exponential, about 24 h in all, then the delivery is parked) and the
  SQS hop that waits for the next attempt (at most 900 s per hop);
- when an endpoint is disabled automatically (sustained failure);
- the shape of API keys: `pk_live_<key id>_<secret>`, stored as sha256(key id + secret).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _secrets

from chalicelib.domain.contacts.events import TYPES as CONTACT_EVENT_TYPES
from chalicelib.domain.events import EVENT_TYPES
from chalicelib.domain.tickets.events import TYPES as TICKET_EVENT_TYPES

#: the event types of docs/events.md an endpoint may pick (the stream's own list, tickets' and
#: contacts' included: they are relayed to the same topic from those tables' streams)
CATALOGUE = tuple(["message.created"] +
                  sorted(t for t in EVENT_TYPES if t != "message.created") +
                  list(TICKET_EVENT_TYPES) + list(CONTACT_EVENT_TYPES))
#: families accepted by pattern (events not on the stream yet): none today
FUTURE_FAMILIES: tuple = ()
TYPE_RE = re.compile(r"^([a-z]+)\.(\*|[a-z_]{1,40})$")
MAX_TYPES = 40
MAX_ENDPOINTS = 20                  # per site: a bounded list (GitHub allows 20 per repository)


def valid_event_type(name: str) -> bool:
    """A catalogue type, a family wildcard (`conversation.*`) or a future family's type."""
    if name in CATALOGUE:
        return True
    m = TYPE_RE.match(name or "")
    if not m:
        return False
    family, rest = m.groups()
    if family in FUTURE_FAMILIES:
        return True
    if family not in ("message", "conversation", "ticket", "contact"):
        return False
    return rest == "*" or name in CATALOGUE


def matches(subscribed: list[str], event_type: str) -> bool:
    for pattern in subscribed or ():
        if pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


# ------------------------------------------------------------------ signatures
SIGNATURE_HEADER = "Parley-Signature"
SIGNATURE_TOLERANCE = 300        # receivers should refuse a timestamp older than this (s)


def new_secret() -> str:
    return "whsec_" + _secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{int(timestamp)}.".encode() + body,
                   hashlib.sha256).hexdigest()
    return f"t={int(timestamp)},v1={mac}"


# ------------------------------------------------------------------ retries
#: seconds to wait after failed attempt n (1-based): 1 min, 5 min, 30 min, 2 h, 6 h, 15 h:
#: seven attempts over about 23.6 h; after the last failure the delivery is parked
RETRY_DELAYS = (60, 300, 1800, 7200, 21600, 54000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
MAX_HOP = 900                     # SQS DelaySeconds limit: longer waits take several hops


def next_delay(attempt: int) -> int | None:
    """Seconds before the attempt after failed attempt `attempt`; None: park it."""
    if attempt < 1 or attempt > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempt - 1]


def hop_delay(due_ms: int, now_ms: int) -> int:
    """The DelaySeconds for the next hop towards `due_ms` (0: it is due)."""
    remaining = (int(due_ms) - int(now_ms) + 999) // 1000
    return max(0, min(MAX_HOP, remaining))


# ------------------------------------------------------------------ automatic disabling
FAILING_FOR_MS = 24 * 3600 * 1000     # every delivery failing this long disables it
MAX_CONSECUTIVE_PARKED = 5            # or this many parked deliveries in a row


def should_disable(failing_since: int | None, consecutive_parked: int, now_ms: int) -> bool:
    if consecutive_parked >= MAX_CONSECUTIVE_PARKED:
        return True
    return failing_since is not None and now_ms - int(failing_since) >= FAILING_FOR_MS


# ------------------------------------------------------------------ API keys
KEY_SCOPES = ("read-only", "channel", "admin")
KEY_PREFIX = "pk_live_"
KEY_RE = re.compile(r"^pk_live_([a-z0-9]{12})_([A-Za-z0-9_-]{32,64})$")


def new_api_key() -> tuple[str, str]:
    """(key id, the full key shown once)."""
    key_id = "".join(_secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    return key_id, f"{KEY_PREFIX}{key_id}_{_secrets.token_urlsafe(32)}"


def parse_api_key(key: str) -> tuple[str, str] | None:
    """(key id, secret part) of a well-formed key; None otherwise."""
    m = KEY_RE.match(key or "")
    return (m.group(1), m.group(2)) if m else None


def key_hash(key_id: str, secret_part: str) -> str:
    return hashlib.sha256(f"{key_id}:{secret_part}".encode("utf-8")).hexdigest()


def scope_allows(scope: str, area: str, method: str) -> bool:
    """May a key of `scope` call a route of `area` ("agent" | "admin" | "channel")?
    read-only: GETs of agent and admin routes; admin: the admin routes and GETs of the agent
    routes (a key never acts as an agent: accepting, posting, closing are people's work);
    channel: only the API channel's inbound route."""
    reading = method.upper() in ("GET", "HEAD")
    if scope == "admin":
        return area == "admin" or (area == "agent" and reading)
    if scope == "read-only":
        return area in ("agent", "admin") and reading
    if scope == "channel":
        return area == "channel"
    return False


def site_allows(scope: str, key_site: str | None, area: str, site_key: str | None) -> bool:
    """A channel key belongs to one site: it may post only to that site's API channels.
    Read-only and admin keys are not bound to a site."""
    if scope == "channel" or area == "channel":
        return key_site is not None and key_site == site_key
    return True


LAST_USED_EVERY_MS = 60_000           # last_used_at is written at most once a minute

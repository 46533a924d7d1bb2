"""Fixed-window counters in the keys table: one atomic UpdateItem (ADD) per event.

Items are ``rate#<limit>#<scope>#<window start>`` with a count ``n`` and the table's TTL
attribute, so DynamoDB deletes old windows by itself.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.adapters.models import _meta


class RateWindow(Model):
    """A counter item in the keys table (the same table as models.Key)."""
    Meta = _meta("keys")
    key = UnicodeAttribute(hash_key=True)
    n = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class RateCounter:
    def hit(self, key: str, expires_at: int) -> int:
        """Count one event in the window ``key``; the count including it."""
        item = RateWindow(key)
        item.update(actions=[
            RateWindow.n.add(1),
            RateWindow.expires_at.set(datetime.fromtimestamp(expires_at, timezone.utc)),
        ])
        return int(item.n)


class MemoryRateCounter:
    """In-memory stand-in for unit tests."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.expiry: dict[str, int] = {}

    def hit(self, key: str, expires_at: int) -> int:
        self.counts[key] = self.counts.get(key, 0) + 1
        self.expiry[key] = expires_at
        return self.counts[key]

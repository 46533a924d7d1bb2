"""Data retention: how long conversations, their messages and visitor records are kept.

A site's ``retention_days`` setting (none: kept until deleted) becomes an ``expires_at``
attribute written when each record is created - the visitor record, the conversation and
every message - and DynamoDB's TTL deletes the item after that time (usually within a
day or two). Records keep the retention they were created under: changing the setting
applies to new records. A conversation carries its ``retention_days`` so a message costs no
extra read of the site.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

MAX_DAYS = 3650


def expires_at(retention_days: Optional[int], now_ms: int) -> Optional[datetime]:
    """When a record created at ``now_ms`` expires; None when it is kept."""
    if not retention_days:
        return None
    created = datetime.fromtimestamp(now_ms / 1000, timezone.utc)
    return created + timedelta(days=int(retention_days))


def ttl_fields(retention_days: Optional[int], now_ms: int) -> dict:
    """``{"expires_at": ...}`` to add to a new item, or nothing."""
    when = expires_at(retention_days, now_ms)
    return {"expires_at": when} if when else {}

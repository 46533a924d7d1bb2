"""The analysts' archive (pure): where a closed conversation's JSON Lines object goes, what the
line holds, and which day prefixes a site's retention removes.

Objects: `site={site}/dt={UTC day of the close}/{conversation}-{closed_at}.jsonl`, one line
per object (the conversation's record and its public messages). The key is a function of the
conversation and its close, so a redelivered `conversation.closed` names the same object
(written with If-None-Match: once), and a reopened chat closed again adds a second object.
The site comes first in the key so that a site's retention can delete whole day prefixes of
that site (S3 lifecycle rules are per bucket and prefix, not per site setting).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

PURGE_LOOKBACK_DAYS = 7     # a missed daily run is caught up within a week


def utc_day(ms: int) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).strftime("%Y-%m-%d")


def object_key(site_key: str, conversation_id: str, closed_at: int) -> str:
    return f"site={site_key}/dt={utc_day(closed_at)}/{conversation_id}-{int(closed_at)}.jsonl"


def line(record: dict, messages) -> bytes:
    """One JSON line: the record's facts and the public messages (notes left out)."""
    msgs = [{"seq": int(m["seq"]), "at": int(m["created_at"]),
             "sender_type": m.get("sender_type"), "sender_name": m.get("sender_name"),
             "type": m.get("type"),
             "text": m.get("text") if m.get("type") != "attachment"
             else (m.get("attachment") or {}).get("name"),
             "event": (m.get("event") or {}).get("kind") if m.get("type") == "event" else None}
            for m in messages if m.get("type") != "note"]
    row = {k: record.get(k) for k in ("conversation_id", "site_key", "started_at", "closed_at",
                                      "status", "channel", "team", "agent_id", "agent_name",
                                      "agents", "tags", "rating", "visitor_id")}
    row["messages"] = msgs
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def purge_days(today: str, retention_days: int | None,
               lookback: int = PURGE_LOOKBACK_DAYS) -> list[str]:
    """The UTC days whose objects a site's retention removes on `today`: the days just past
    the retention (a daily run deletes one; the lookback covers missed runs)."""
    if not retention_days:
        return []
    last = datetime.strptime(today, "%Y-%m-%d") - timedelta(days=int(retention_days) + 1)
    return [(last - timedelta(days=i)).strftime("%Y-%m-%d") for i in range(lookback)]

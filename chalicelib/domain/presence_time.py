"""Agent online/away/offline time (pure): intervals split into hour buckets, and the
per-agent totals of a site's local days.

Agents are not per site, so their time is stored once, in **UTC hour** buckets: one item
per UTC day holding `p:{HH}:{s}:{agent}` = milliseconds of status `s` (on, aw, off) in that
UTC hour. A report maps each UTC hour to the local day of the site's zone that contains the
hour's start: exact for whole-hour zones (UTC+8, DST-aware IANA zones); in a half-hour zone
an hour at local midnight is counted on the day it starts (at most 30 minutes off at a day's
edge).

An interval is counted when the status it describes ends (the next change); at most
MAX_INTERVAL_MS of it (the most recent part), so one change touches at most 15 day items.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain.reports import DAY_MS, local_day_hour, spread_over_hours

STATUS_CODES = {"online": "on", "away": "aw", "offline": "off"}
COLUMNS = {"on": "online_ms", "aw": "away_ms", "off": "offline_ms"}
MAX_INTERVAL_MS = 14 * DAY_MS
PREFIX = "p:"


def attr(hour: int, status: str, agent_id: str) -> str:
    return f"{PREFIX}{hour:02d}:{STATUS_CODES[status]}:{agent_id}"


def contributions(agent_id: str, status: str, start_ms: int, end_ms: int
                  ) -> dict[str, dict[str, int]]:
    """{UTC day: {attribute: ms}} of `status` held over [start, end), split at every UTC
    hour boundary (and so at every day boundary). Unknown status or empty interval: {}."""
    if status not in STATUS_CODES or end_ms <= start_ms:
        return {}
    start_ms = max(start_ms, end_ms - MAX_INTERVAL_MS)
    out: dict[str, dict[str, int]] = {}
    for day, hour, ms in spread_over_hours(start_ms, end_ms, timezone.utc):
        bucket = out.setdefault(day, {})
        key = attr(hour, status, agent_id)
        bucket[key] = bucket.get(key, 0) + ms
    return out


def utc_days_for(first_local: str, last_local: str, tz) -> list[str]:
    """The UTC days whose hours may fall in the local days [first, last] of zone `tz`."""
    d0 = datetime.strptime(first_local, "%Y-%m-%d").replace(tzinfo=tz)
    d1 = datetime.strptime(last_local, "%Y-%m-%d").replace(tzinfo=tz) + timedelta(days=1)
    a, b = d0.astimezone(timezone.utc).date(), d1.astimezone(timezone.utc).date()
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def local_totals(items_by_utc_day: dict[str, dict], first_local: str, last_local: str,
                 tz) -> dict[str, dict[str, int]]:
    """{agent: {"online_ms", "away_ms", "offline_ms"}} over the local days [first, last]."""
    out: dict[str, dict[str, int]] = {}
    for utc_day, item in items_by_utc_day.items():
        base = int(datetime.strptime(utc_day, "%Y-%m-%d")
                   .replace(tzinfo=timezone.utc).timestamp() * 1000)
        for key, ms in item.items():
            if not key.startswith(PREFIX) or not ms:
                continue
            hour, code, agent_id = key[len(PREFIX):].split(":", 2)
            day, _ = local_day_hour(base + int(hour) * 3_600_000, tz)
            if first_local <= day <= last_local and code in COLUMNS:
                row = out.setdefault(agent_id, {c: 0 for c in COLUMNS.values()})
                row[COLUMNS[code]] += int(ms)
    return out

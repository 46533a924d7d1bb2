"""Per-entry bot figures: how often each knowledge-base entry was asked, answered, offered,
found helpful or not, and led to a person or to a chat closed by the bot alone.

The counts come from the one stream of conversation events: the reports consumer counts a
bot reply's ``data.bot`` (docs/events.md) into the site's day buckets under the dimension
``k:{entry id}`` (chalicelib/domain/reports.py, idempotent on the event id like every report
figure). "Was this helpful?" is not a conversation event; the widget's feedback adds to the
same day bucket here, once per bot answer (a claim on the answer). Reading a range reads
the range's day items (one BatchGetItem per 100 days), never the conversations.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Optional

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.kb import COMMON
from chalicelib.domain import departments as depts
from chalicelib.domain import report_rollup as rollup
from chalicelib.domain import reports as metrics
from chalicelib.errors import ValidationError
from chalicelib.services.reports.consumer import site_zone
from chalicelib.services.reports.queries import load_days

DEFAULT_DAYS = 30
MAX_DAYS = 92
MAX_LIMIT = 100
METRICS = ("answered", "offered", "offered_first", "helpful", "not_helpful", "handed_off",
           "resolved")


def _dim(entry_id: str) -> str:
    return "k:" + entry_id


def record_feedback(deps, conv: dict, bot_msg: dict, entry_id: str, helpful: bool) -> bool:
    """Count a visitor's "helpful? yes / no" under a bot answer on the answer's local day,
    once per answer (the first choice counts). True when it was counted now."""
    cid, seq = conv["conversation_id"], int(bot_msg["seq"])
    key = f"kbfig#{cid}#{seq}"
    if not deps.claims.claim(key, ttl_days=MAX_DAYS + 30):
        return False
    site_key = conv["site_key"]
    day, _hour = metrics.local_day_hour(int(bot_msg.get("created_at") or now_ms()),
                                        site_zone(deps, site_key))
    metric = "helpful" if helpful else "not_helpful"
    try:
        deps.reports.add(site_key, day, {f"{_dim(entry_id)}|{metric}": 1})
    except Exception:
        deps.claims.release(key)  # the visitor's retry counts it
        raise
    log.info("bot_entry_feedback", conversation_id=cid, seq=seq, entry_id=entry_id,
             helpful=helpful)
    return True


def _day(name: str, value: Optional[str]) -> Optional[datetime]:
    if value in (None, ""):
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d")
    except ValueError:
        raise ValidationError(f"'{name}' must be a date YYYY-MM-DD.", code="invalid_date",
                              details={"field": name})


def _int(name: str, value, default: int, low: int, high: int) -> int:
    if value in (None, ""):
        return default
    try:
        n = int(str(value))
    except ValueError:
        n = low - 1
    if not low <= n <= high:
        raise ValidationError(f"'{name}' must be a whole number from {low} to {high}.",
                              code="out_of_range", details={"field": name})
    return n


def entry_figures(deps, site_key: str, entries: list, params: dict) -> dict:
    """Figures per entry over ``from``..``to`` (the site's local days; default the ``days``
    (30) up to today), most asked first, ``limit`` a page (default 20) from ``cursor``.
    ``entries`` are the site's KB entries (with the shared base): every one is listed, asked
    or not; an entry that was counted and no longer exists is listed with ``deleted: true``."""
    if site_key == COMMON:
        raise ValidationError("Figures belong to a site: choose one (the shared base has no "
                              "conversations).", code="site_required",
                              details={"field": "site_key"})
    # a department's figures: the site's counts of the entries its bot has (a department's
    # entry ids are its own; counts of other departments' entries are not listed)
    kb = site_key
    site_key, dept = depts.split_key(kb)
    tz = site_zone(deps, site_key)       # the caller read the site: the zone is cached
    today = datetime.strptime(metrics.local_day_hour(now_ms(), tz)[0], "%Y-%m-%d")
    last = _day("to", params.get("to")) or today
    span = _int("days", params.get("days"), DEFAULT_DAYS, 1, MAX_DAYS)
    first = _day("from", params.get("from")) or last - timedelta(days=span - 1)
    if first > last:
        raise ValidationError("'from' is after 'to'.", code="invalid_range",
                              details={"field": "from"})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"A range is at most {MAX_DAYS} days.", code="range_too_long",
                              details={"field": "from"})
    limit = _int("limit", params.get("limit"), 20, 1, MAX_LIMIT)
    offset = _int("cursor", params.get("cursor"), 0, 0, 1_000_000)
    days = metrics.days_between(first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d"))
    counted: dict = defaultdict(lambda: defaultdict(int))   # entry -> metric -> sum of days
    for item in load_days(deps, site_key, days, tz).values():
        for dim, values in rollup.split(item).items():
            if dim.startswith("k:"):
                for metric, n in values.items():
                    counted[dim[2:]][metric] += int(n)
    by_id = {e.id: e for e in entries}
    rows = []
    for entry_id in sorted(set(by_id) | (set() if dept else set(counted))):
        c = counted.get(entry_id, {})
        row = {m: int(c.get(m, 0)) for m in METRICS}
        row["asked"] = row["answered"] + row["offered_first"]
        rated = row["helpful"] + row["not_helpful"]
        row["helpful_rate"] = round(row["helpful"] / rated, 4) if rated else None
        e = by_id.get(entry_id)
        rows.append({"id": entry_id, "question": e.question if e else None,
                     "deleted": e is None, **row})
    rows.sort(key=lambda r: (-r["asked"], -r["offered"], r["id"]))
    page = rows[offset:offset + limit]
    more = offset + limit < len(rows)
    return {"site_key": kb, "from": days[0], "to": days[-1], "total": len(rows),
            "entries": page, "next_cursor": str(offset + limit) if more else None}

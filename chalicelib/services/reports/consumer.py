"""The reports consumer: one conversation or ticket event in, the day buckets it changes
updated (ticket figures: domain/ticket_reports.py).

Per event (docs/reports.md): one consistent GetItem of the conversation's report state, one
conditional UpdateItem that records the event's fact (condition: the id is new and the state
version is the one read), then one UpdateItem ADD per local day whose figures change (one in
the normal case: the event's own day). A duplicate finds its id and writes nothing; an event
that arrives out of order changes the figures exactly as if it had come in order, because the
bucket delta is contributions(facts + this) - contributions(facts).

Wire it (chalicelib/bootstrap.py) to its own queue for the types in `HANDLED_TYPES`.
"""
from __future__ import annotations

import time

from chalicelib import log
from chalicelib.adapters.reports import StateMoved, subject_key
from chalicelib.domain import reports as metrics
from chalicelib.domain import ticket_reports
from chalicelib.errors import ValidationError

HANDLED_TYPES = metrics.REPORT_TYPES + ticket_reports.TICKET_TYPES
MAX_ATTEMPTS = 20
TZ_CACHE_SECONDS = 300
DEFAULT_TZ = "UTC"

_tz_cache: dict = {}


def site_zone_name(settings: dict | None) -> str:
    """The zone a site's reports are bucketed in: settings.report_tz, else the business-hours
    zone, else UTC."""
    settings = settings or {}
    return (settings.get("report_tz") or (settings.get("business_hours") or {}).get("tz")
            or DEFAULT_TZ)


def site_zone(deps, site_key: str):
    """The site's report zone, cached per Lambda container for a few minutes."""
    key = (id(deps), site_key)
    hit = _tz_cache.get(key)
    now = time.monotonic()
    if hit and hit[1] > now:
        return hit[0]
    site = deps.sites.get(site_key) or {}
    tz = metrics.zone(site_zone_name(site.get("settings")))
    _tz_cache[key] = (tz, now + TZ_CACHE_SECONDS)
    return tz


def _check(event: dict) -> None:
    subject = "ticket_id" if _is_ticket(event) else "conversation_id"
    for key in ("id", "type", "at", "site_key", subject):
        if not event.get(key):
            raise ValidationError(f"Event without '{key}'.", code="invalid_event")
    if event.get("version", 1) != 1:
        raise ValidationError("Unknown event version.", code="invalid_event")


def _is_ticket(event: dict) -> bool:
    return str(event.get("type") or "").startswith("ticket.")


def handle(deps, event: dict) -> dict:
    """Apply one event envelope (docs/events.md). Returns what happened:
    {"status": "ignored" | "duplicate" | "counted", "writes": n}."""
    if event.get("type") not in HANDLED_TYPES:
        return {"status": "ignored", "writes": 0}
    _check(event)
    figures = ticket_reports if _is_ticket(event) else metrics
    fact = figures.fact_of(event)
    if fact is None:           # a private note: not part of any figure
        return {"status": "ignored", "writes": 0}
    store = deps.reports
    cid, eid, site_key = event.get("conversation_id"), event["id"], event["site_key"]
    subject = subject_key(cid, event.get("ticket_id") if figures is ticket_reports else None)
    tz = site_zone(deps, site_key)
    for attempt in range(MAX_ATTEMPTS):
        version, facts = store.state(subject)
        if eid in facts:
            return {"status": "duplicate", "writes": 0}
        before = figures.contributions(facts.values(), tz)
        after = figures.contributions([*facts.values(), fact], tz)
        delta = metrics.by_day(metrics.diff(after, before))
        try:
            store.record(subject, site_key, eid, fact, version)
        except StateMoved:
            time.sleep(min(0.2, 0.005 * 2 ** min(attempt, 5)))
            continue           # another event of this conversation won: re-read
        writes = 1
        try:
            for day, counters in sorted(delta.items()):
                writes += store.add(site_key, day, counters)
        except Exception:
            store.forget(subject, eid, version)   # the redelivery counts it
            raise
        if writes > 2:
            log.info("report_late_event", conversation_id=cid, ticket_id=event.get("ticket_id"),
                     event_id=eid, days=len(delta), writes=writes)
        return {"status": "counted", "writes": writes}
    raise RuntimeError(f"report state of {subject} kept moving")

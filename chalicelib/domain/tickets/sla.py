"""SLA policies per priority: first-reply and resolution targets counted in business hours.

A ticket's `sla` state (a plain dict stored on the ticket):
  first_reply_due / resolution_due   ms, or None (met, paused, or no target)
  first_reply_at                     ms of the first public agent reply
  paused_at                          ms when the clock stopped (status pending customer)
  remaining                          {kind: open seconds left} while paused
  breached                           kinds whose due time passed before they were met
The due-time index holds `next_due`: the earliest due time not yet breached, so the sweep
reads each ticket once per breach and nothing it has already flagged."""
from __future__ import annotations

from chalicelib.domain.assignment import HoursError, validate_hours
from chalicelib.domain.tickets import business_time
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError

PRIORITIES = ("low", "normal", "high", "urgent")
KINDS = ("first_reply", "resolution")
MAX_MINUTES = 60 * 24 * 365
#: about to breach: due within this many ms (the "breaching soon" view)
SOON_MS = 60 * 60 * 1000

DEFAULT_TARGETS = {
    "urgent": {"first_reply_minutes": 60, "resolution_minutes": 4 * 60},
    "high": {"first_reply_minutes": 4 * 60, "resolution_minutes": 16 * 60},
    "normal": {"first_reply_minutes": 8 * 60, "resolution_minutes": 40 * 60},
    "low": {"first_reply_minutes": 16 * 60, "resolution_minutes": 80 * 60},
}

TARGET = {"first_reply_minutes": Field(int, min=1, max=MAX_MINUTES, nullable=True),
          "resolution_minutes": Field(int, min=1, max=MAX_MINUTES, nullable=True)}
POLICY = {"business_hours": Field(dict, nullable=True),
          "use_site_hours": Field(bool),
          "targets": Field(dict, required=True,
                           schema={p: Field(dict, schema=TARGET) for p in PRIORITIES})}


def validate_policy(payload) -> dict:
    """{targets: {priority: {first_reply_minutes, resolution_minutes}}, business_hours |
    use_site_hours}. A priority left out (or a null target) has no due time."""
    body = validate(payload, POLICY)
    try:
        validate_hours(body.get("business_hours"))
    except HoursError as err:
        raise ValidationError(str(err), code=err.code, details={"field": err.field})
    body.setdefault("business_hours", None)
    body.setdefault("use_site_hours", body["business_hours"] is None)
    return body


def default_policy() -> dict:
    return {"targets": DEFAULT_TARGETS, "business_hours": None, "use_site_hours": True}


def hours_of(policy: dict, site_hours: dict | None) -> dict | None:
    if policy.get("business_hours"):
        return policy["business_hours"]
    return site_hours if policy.get("use_site_hours") else None


def _target_seconds(policy: dict, priority: str, kind: str) -> int | None:
    minutes = ((policy.get("targets") or {}).get(priority) or {}).get(f"{kind}_minutes")
    return int(minutes) * 60 if minutes else None


def start(policy: dict, hours: dict | None, priority: str, now: int) -> dict:
    """The SLA state of a new ticket."""
    sla = {"first_reply_at": None, "paused_at": None, "remaining": {}, "breached": []}
    for kind in KINDS:
        secs = _target_seconds(policy, priority, kind)
        sla[f"{kind}_due"] = business_time.add(now, secs, hours) if secs else None
    return sla


def reprioritize(sla: dict, policy: dict, hours: dict | None, priority: str,
                 created_at: int, now: int) -> dict:
    """A new priority: the targets count again from the ticket's creation (open kinds only;
    a paused clock keeps the remaining time of the new target less the time already used)."""
    out = dict(sla)
    for kind in KINDS:
        if not _active(sla, kind):
            continue
        secs = _target_seconds(policy, priority, kind)
        if secs is None:
            out[f"{kind}_due"] = None
            out["remaining"] = {k: v for k, v in (out.get("remaining") or {}).items()
                                if k != kind}
            continue
        if sla.get("paused_at"):
            used = business_time.between(created_at, sla["paused_at"], hours)
            out["remaining"] = {**(out.get("remaining") or {}), kind: max(0, secs - used)}
        else:
            out[f"{kind}_due"] = business_time.add(created_at, secs, hours)
    return out


def _active(sla: dict, kind: str) -> bool:
    if kind == "first_reply" and sla.get("first_reply_at"):
        return False
    return kind not in (sla.get("met") or [])


def pause(sla: dict, hours: dict | None, now: int) -> dict:
    """Pending customer: stop the clocks, keeping the open time each had left."""
    if sla.get("paused_at"):
        return sla
    remaining = {}
    for kind in KINDS:
        due = sla.get(f"{kind}_due")
        if due is not None:
            remaining[kind] = max(0, business_time.between(now, due, hours))
    return {**sla, "paused_at": now, "remaining": remaining,
            "first_reply_due": None, "resolution_due": None}


def resume(sla: dict, hours: dict | None, now: int) -> dict:
    """Back from pending: the clocks go on from where they stopped."""
    if not sla.get("paused_at"):
        return sla
    out = {**sla, "paused_at": None, "remaining": {}}
    for kind, secs in (sla.get("remaining") or {}).items():
        out[f"{kind}_due"] = business_time.add(now, int(secs), hours)
    return out


def replied(sla: dict, now: int) -> dict:
    """The first public agent reply meets the first-reply target."""
    if sla.get("first_reply_at"):
        return sla
    remaining = {k: v for k, v in (sla.get("remaining") or {}).items() if k != "first_reply"}
    return {**sla, "first_reply_at": now, "first_reply_due": None, "remaining": remaining}


def resolved(sla: dict, now: int) -> dict:
    """Solved or closed: the resolution clock stops for good (unless reopened)."""
    met = sorted(set(sla.get("met") or []) | {"resolution"})
    return {**sla, "resolution_due": None, "paused_at": None, "remaining": {}, "met": met,
            "resolved_at": now}


def reopened(sla: dict, policy: dict, hours: dict | None, priority: str, now: int) -> dict:
    """A solved ticket reopened: a fresh resolution target from now."""
    met = [k for k in (sla.get("met") or []) if k != "resolution"]
    secs = _target_seconds(policy, priority, "resolution")
    return {**sla, "met": met, "resolved_at": None,
            "resolution_due": business_time.add(now, secs, hours) if secs else None}


def due_breaches(sla: dict, now: int) -> list[str]:
    """Kinds whose due time has passed and that are not flagged yet."""
    flagged = set(sla.get("breached") or [])
    return [k for k in KINDS if k not in flagged and sla.get(f"{k}_due") is not None
            and int(sla[f"{k}_due"]) <= now]


def mark_breached(sla: dict, kinds: list[str]) -> dict:
    return {**sla, "breached": sorted(set(sla.get("breached") or []) | set(kinds))}


def next_due(sla: dict) -> int | None:
    """The earliest due time still to watch (not breached yet): the due index's sort key."""
    flagged = set(sla.get("breached") or [])
    dues = [int(sla[f"{k}_due"]) for k in KINDS
            if k not in flagged and sla.get(f"{k}_due") is not None]
    return min(dues) if dues else None


def badge(sla: dict, now: int) -> str | None:
    """breached | soon | None: what a list shows next to a ticket."""
    if sla.get("breached") or due_breaches(sla, now):
        return "breached"
    nd = next_due(sla)
    if nd is not None and nd - now <= SOON_MS:
        return "soon"
    return None

"""The leads pool (线索池) and pipeline. Pure: the states, which moves are allowed, and when a
claimed lead goes back to the pool.

A contact becomes a lead (in the pool, unclaimed) when it leaves contact details (pre-chat,
a form, an offline message) or an agent marks it. A sales agent claims it (one claim wins:
the store's conditional write); the holder moves it through the pipeline. A claimed lead that
is not touched (no status change, note or follow-up date set) within the site's
`lead_return_hours` goes back to the pool; won and lost leads are done and never return."""
from __future__ import annotations

from chalicelib.errors import Conflict, ValidationError

STATUSES = ("new", "contacted", "qualified", "won", "lost")
OPEN = ("new", "contacted", "qualified")
DEFAULT_RETURN_HOURS = 72
MAX_RETURN_HOURS = 24 * 90
HOUR_MS = 3600 * 1000
SOURCES = ("prechat", "form", "offline", "agent", "import")


def new_lead(source: str, now: int) -> dict:
    if source not in SOURCES:
        raise ValueError(source)
    return {"status": "new", "source": source, "since": now, "owner_id": None,
            "claimed_at": None, "touched_at": now, "next_contact_at": None, "history": []}


def return_hours(settings: dict | None) -> int:
    hours = (settings or {}).get("lead_return_hours") or DEFAULT_RETURN_HOURS
    return max(1, min(int(hours), MAX_RETURN_HOURS))


def due_at(lead: dict, settings: dict | None) -> int | None:
    """When a claimed open lead returns to the pool (None: it never does)."""
    if not lead.get("owner_id") or lead.get("status") not in OPEN:
        return None
    return int(lead.get("touched_at") or lead.get("claimed_at") or 0) \
        + return_hours(settings) * HOUR_MS


def claim(lead: dict | None, agent_id: str, now: int) -> dict:
    if not lead:
        raise Conflict("This contact is not a lead.", code="not_a_lead")
    if lead.get("owner_id"):
        raise Conflict("Another agent has claimed this lead.", code="already_claimed")
    if lead.get("status") not in OPEN:
        raise Conflict("This lead is closed.", code="lead_closed")
    return {**lead, "owner_id": agent_id, "claimed_at": now, "touched_at": now,
            "history": _log(lead, now, agent_id, "claimed")}


def move(lead: dict | None, agent_id: str, may_override: bool, now: int,
         status: str | None = None, note: str | None = None,
         next_contact_at: int | None = None) -> dict:
    """The holder (or a supervisor) changes status / adds a note / sets the next contact."""
    if not lead:
        raise Conflict("This contact is not a lead.", code="not_a_lead")
    if lead.get("owner_id") != agent_id and not may_override:
        raise Conflict("Claim this lead first.", code="not_your_lead")
    if status is not None and status not in STATUSES:
        raise ValidationError("Unknown lead status.", code="invalid_value",
                              details={"field": "status"})
    out = {**lead, "touched_at": now}
    what = []
    if status and status != lead.get("status"):
        out["status"] = status
        what.append(f"status:{status}")
    if next_contact_at is not None:
        out["next_contact_at"] = next_contact_at or None
        what.append("next_contact")
    if note:
        what.append("note")
    out["history"] = _log(lead, now, agent_id, ",".join(what) or "touched", note)
    return out


def release(lead: dict, now: int, by: str = "system") -> dict:
    """Back to the pool: unclaimed, status and history kept."""
    return {**lead, "owner_id": None, "claimed_at": None, "touched_at": now,
            "history": _log(lead, now, by, "returned")}


def is_due(lead: dict, settings: dict | None, now: int) -> bool:
    at = due_at(lead, settings)
    return at is not None and at <= now


def follow_up_due(lead: dict, now: int) -> bool:
    at = lead.get("next_contact_at")
    return bool(at) and int(at) <= now and lead.get("status") in OPEN


def _log(lead: dict, now: int, who: str, what: str, note: str | None = None) -> list:
    entry = {"at": now, "by": who, "what": what}
    if note:
        entry["note"] = note
    return (list(lead.get("history") or []) + [entry])[-50:]

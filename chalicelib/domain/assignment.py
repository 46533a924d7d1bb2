"""Assignment policy, business hours and queue estimates. Pure: no AWS, no I/O."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

DEFAULT_QUEUE = "_default"
PRESENCE = ("online", "away", "offline")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")


def queue_key(team: str | None) -> str:
    return team or DEFAULT_QUEUE


def serves(agent: dict, key: str) -> bool:
    """Every agent serves the general queue; team queues need membership."""
    return key == DEFAULT_QUEUE or key in (agent.get("teams") or [])


def queues_of(agent: dict) -> list[str]:
    return [DEFAULT_QUEUE] + sorted(agent.get("teams") or [])


def eligible(agent: dict, key: str) -> bool:
    return (agent.get("status") == "online" and not agent.get("disabled")
            and int(agent.get("active_count") or 0) < int(agent.get("capacity") or 0)
            and serves(agent, key))


def pick_agent(agents: list[dict], key: str, previous_agent_id: str | None = None,
               exclude: set | None = None) -> dict | None:
    """Online, in the right team, under capacity; the visitor's previous agent if available;
    otherwise the least loaded, ties broken by who has waited longest since an assignment."""
    exclude = exclude or set()
    candidates = [a for a in agents if eligible(a, key) and a["agent_id"] not in exclude]
    if not candidates:
        return None
    if previous_agent_id:
        for a in candidates:
            if a["agent_id"] == previous_agent_id:
                return a
    return min(candidates, key=lambda a: (int(a.get("active_count") or 0),
                                          int(a.get("last_assigned_at") or 0),
                                          a["agent_id"]))


# ------------------------------------------------------------------ business hours
class HoursError(ValueError):
    """Business hours that cannot be used; `code` and `field` name what is wrong."""

    def __init__(self, message: str, code: str = "invalid_hours", field: str = "business_hours"):
        super().__init__(message)
        self.code = code
        self.field = field


MAX_SPANS_PER_DAY = 6


def _tz(name: str | None):
    if not name or name.upper() == "UTC":
        return timezone.utc
    m = _OFFSET.match(name.strip())
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))
    try:
        from zoneinfo import ZoneInfo
        return ZoneInfo(name)
    except Exception:
        raise HoursError(f"Unknown time zone '{name}'.", code="invalid_timezone",
                         field="business_hours.tz")


def validate_hours(hours: dict | None) -> dict | None:
    """The one rule for business hours (the admin API and the queue both use it): None, or
    {"tz": IANA name | "UTC" | "+08:00", "days": {"mon": [["09:00", "18:00"], ...]}} with at
    most six spans a day, each start before its end ("24:00" ends a day), none overlapping."""
    if hours is None:
        return None
    if not isinstance(hours, dict) or set(hours) - {"tz", "days"}:
        raise HoursError("business_hours must be {tz, days}.")
    _tz(hours.get("tz"))
    days = hours.get("days") or {}
    if not isinstance(days, dict) or set(days) - set(DAYS):
        raise HoursError("business_hours.days must be keyed by mon..sun.",
                         field="business_hours.days")
    for day, spans in days.items():
        field = f"business_hours.days.{day}"
        if not isinstance(spans, list) or len(spans) > MAX_SPANS_PER_DAY:
            raise HoursError(f"{field}: at most {MAX_SPANS_PER_DAY} [start, end] pairs.",
                             field=field)
        for i, span in enumerate(spans):
            if (not isinstance(span, list) or len(span) != 2 or
                    not all(isinstance(t, str) and HHMM_RE.match(t) for t in span) or
                    span[0] >= span[1]):
                raise HoursError(f"{field}[{i}] must be [start, end] (\"HH:MM\") with start "
                                 f"before end.", field=field)
        ordered = sorted(spans)
        for a, b in zip(ordered, ordered[1:]):
            if b[0] < a[1]:
                raise HoursError(f"{field}: {a[0]}-{a[1]} and {b[0]}-{b[1]} overlap.",
                                 field=field)
    return hours


def is_open(hours: dict | None, now: datetime | None = None) -> bool:
    """None means always open."""
    if not hours:
        return True
    now = now or datetime.now(timezone.utc)
    local = now.astimezone(_tz(hours.get("tz")))
    spans = (hours.get("days") or {}).get(DAYS[local.weekday()]) or []
    hhmm = local.strftime("%H:%M")
    return any(start <= hhmm < end for start, end in spans)


# ------------------------------------------------------------------ estimates
def estimate_wait_seconds(position: int, online_agents: int, avg_handle_seconds: int = 240,
                          free_slots: int = 0) -> int:
    """A rough wait: nobody ahead and a free slot means about now; otherwise the people
    ahead share the online agents, each taking about avg_handle_seconds."""
    if position <= free_slots:
        return 0
    agents = max(1, online_agents)
    return int(round((position - free_slots) * avg_handle_seconds / agents))

"""Assignment policy, business hours and queue estimates. Pure: no AWS, no I/O."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

DEFAULT_QUEUE = "_default"
PRESENCE = ("online", "away", "offline")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
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
        raise ValueError(f"unknown time zone {name!r}")


def validate_hours(hours: dict | None) -> dict | None:
    """Raise ValueError unless hours is None or {"tz": ..., "days": {"mon": [["09:00", "18:00"]]}}."""
    if hours is None:
        return None
    if not isinstance(hours, dict) or set(hours) - {"tz", "days"}:
        raise ValueError("business_hours must be {tz, days}")
    _tz(hours.get("tz"))
    days = hours.get("days") or {}
    if not isinstance(days, dict) or set(days) - set(DAYS):
        raise ValueError("days must be keyed by mon..sun")
    for day, spans in days.items():
        if not isinstance(spans, list) or len(spans) > 6:
            raise ValueError(f"{day}: a list of [start, end] pairs")
        for span in spans:
            if (not isinstance(span, list) or len(span) != 2 or
                    not all(isinstance(t, str) and _HHMM.match(t) for t in span) or
                    span[0] >= span[1]):
                raise ValueError(f"{day}: each span is [\"HH:MM\", \"HH:MM\"], start before end")
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

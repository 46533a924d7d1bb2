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


def _load_share(agent: dict) -> tuple:
    """Balance by load relative to capacity (3 of 6 is as busy as 1 of 2), then by chat
    count, then whoever has waited longest since an assignment."""
    active, capacity = int(agent.get("active_count") or 0), int(agent.get("capacity") or 0)
    return (active / capacity if capacity else 1.0, active,
            int(agent.get("last_assigned_at") or 0), agent["agent_id"])


def pick_agent(agents: list[dict], key: str, previous_agent_id: str | None = None,
               exclude: set | None = None) -> dict | None:
    """Online, in the right team, under capacity; the visitor's previous agent if available;
    otherwise the least loaded relative to capacity (see _load_share)."""
    exclude = exclude or set()
    candidates = [a for a in agents if eligible(a, key) and a["agent_id"] not in exclude]
    if not candidates:
        return None
    if previous_agent_id:
        for a in candidates:
            if a["agent_id"] == previous_agent_id:
                return a
    return min(candidates, key=_load_share)


def free_slots(agents: list[dict], key: str) -> int:
    """Free slots of the online agents who serve `key`."""
    return sum(int(a.get("capacity") or 0) - int(a.get("active_count") or 0)
               for a in agents if eligible(a, key))


def merge_lines(lines: dict[str, list[dict]]) -> list[dict]:
    """The heads of several queues as one line: by place-in-line order (`queued_at`, which
    priority moves earlier), then by conversation id. Within one queue this keeps the
    queue's own order, so merging never reorders a queue; across the queues an agent
    serves, the chat that has (by priority) waited longest comes first."""
    merged = [c for line in lines.values() for c in line]
    return sorted(merged, key=lambda c: (int(c.get("queued_at") or 0), c["conversation_id"]))


def plan(line: list[dict], agents: list[dict], limit: int, now: int) -> list[tuple[dict, dict]]:
    """An assignment pass's moves before any write: the chats of `line` (merged, oldest
    first) each to the agent pick_agent chooses, counting the slots the plan itself takes
    (on copies: `agents` is not changed). A chat nobody free serves is passed over, so a
    line another team's agents serve goes on filling. At most `limit` moves."""
    pool = [dict(a) for a in agents]
    moves: list[tuple[dict, dict]] = []
    for conv in line:
        if len(moves) >= limit:
            break
        agent = pick_agent(pool, conv.get("queue_key") or DEFAULT_QUEUE,
                           (conv.get("attrs") or {}).get("previous_agent_id"))
        if agent is None:
            continue
        moves.append((conv, agent))
        agent["active_count"] = int(agent.get("active_count") or 0) + 1
        agent["last_assigned_at"] = now + len(moves)      # the next tie goes to another
    return moves


LANDING_MS = 5000   # how much later than it asked a handoff's write may land in its line


def shown_places(line: list[dict]) -> list[int]:
    """The place in line to show each chat of `line` (in line order, each with its order
    `queued_at` and its shown place `attrs.queue_position`): its rank, except that a place
    does not go up for a chat that asked a moment earlier but whose write landed later
    (two handoffs at once: a chat new to the line, with no place shown yet, within
    LANDING_MS of it in order). The place shown then stays, unless that would leave it
    more than one off or show "next" to a chat that is not first. A chat put ahead for any
    other reason (a higher priority, a chat returned to the front, one moved in from
    another line by age) raises the places behind it to their ranks."""
    places, start = [], 0
    new = [0]                        # new[i]: chats among the first i with no place yet
    for conv in line:
        new.append(new[-1] + (not (conv.get("attrs") or {}).get("queue_position")))
    for rank, conv in enumerate(line, start=1):
        order = int(conv.get("queued_at") or 0)
        while int(line[start].get("queued_at") or 0) < order - LANDING_MS:
            start += 1
        # ahead of it, new to the line, and asked at nearly the same time: landed late
        close_ahead = new[rank - 1] - new[start]
        shown = (conv.get("attrs") or {}).get("queue_position")
        if not shown or rank <= int(shown) or rank - int(shown) > close_ahead:
            places.append(rank)
        else:
            places.append(max(int(shown), rank - 1, 2))
    return places


# ------------------------------------------------------------------ priorities
MAX_BOOST_SECONDS = 86400
PRIORITY_KEYS = ("vip", "returning", "channels")


def validate_priorities(priorities: dict | None) -> dict | None:
    """Site setting `priorities`: {"vip": s, "returning": s, "channels": {"<channel>": s}},
    each s the seconds (0..86400) a chat of that kind moves ahead in line. Raises ValueError
    naming the bad field."""
    if priorities is None:
        return None
    if not isinstance(priorities, dict) or set(priorities) - set(PRIORITY_KEYS):
        raise ValueError("priorities")
    for name in ("vip", "returning"):
        if name in priorities and not _seconds(priorities[name]):
            raise ValueError(f"priorities.{name}")
    channels = priorities.get("channels", {})
    if not isinstance(channels, dict) or len(channels) > 20:
        raise ValueError("priorities.channels")
    for channel, value in channels.items():
        if not (isinstance(channel, str) and 0 < len(channel) <= 40) or not _seconds(value):
            raise ValueError(f"priorities.channels.{channel}")
    return priorities


def _seconds(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        0 <= value <= MAX_BOOST_SECONDS


def priority_boost(priorities: dict | None, vip: bool = False, returning: bool = False,
                   channel: str | None = None) -> int:
    """Seconds this chat moves ahead in line: the sum of the site's values for what applies
    (VIP visitor, returning visitor, channel), at most a day. 0 without the setting."""
    p = priorities or {}
    boost = (int(p.get("vip") or 0) if vip else 0) + \
        (int(p.get("returning") or 0) if returning else 0) + \
        int((p.get("channels") or {}).get(channel or "", 0) or 0)
    return max(0, min(MAX_BOOST_SECONDS, boost))


def line_order(queued_at_ms: int, boost_seconds: int) -> int:
    """The queue-index sort value: the time the chat asked, moved earlier by its boost. Two
    chats of one priority keep their arrival order (FIFO within a priority)."""
    return int(queued_at_ms) - int(boost_seconds) * 1000


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
                          free_slots: int = 0, slots: int | None = None) -> int:
    """A rough wait: nobody ahead and a free slot means about now; otherwise the people
    ahead share the slots of the online agents (`slots`; one per agent when not given),
    each chat taking about avg_handle_seconds (measured per queue, see handle_average)."""
    if position <= free_slots:
        return 0
    lanes = max(1, slots if slots else online_agents)
    return int(round((position - free_slots) * avg_handle_seconds / lanes))


def handle_average(previous_ms: int | None, sample_ms: int, weight: float = 0.1) -> int:
    """Rolling (exponentially weighted) average handle time: each closed chat moves the
    average `weight` of the way towards its own handle time."""
    sample_ms = max(0, int(sample_ms))
    if not previous_ms:
        return sample_ms
    return int(round(previous_ms + weight * (sample_ms - previous_ms)))

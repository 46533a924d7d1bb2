"""Counting time in business hours (the same {tz, days} shape as the site's opening hours,
chalicelib/domain/assignment.validate_hours). None means always open: plain calendar time.

All instants are ms since the epoch; durations are seconds of open time."""
from __future__ import annotations

from datetime import date, datetime, time as dtime, timedelta

from chalicelib.domain.assignment import DAYS, _tz

#: how far ahead a due time is looked for (hours with no open span at all never end)
MAX_DAYS = 3 * 366


def _spans_of_day(hours: dict, tz, day: date) -> list[tuple[int, int]]:
    """The day's open spans as (start ms, end ms), in order. Local wall-clock times, so a
    daylight-saving day is as long as it really is."""
    spans = (hours.get("days") or {}).get(DAYS[day.weekday()]) or []
    out = []
    for start, end in sorted(spans):
        s = datetime.combine(day, dtime(int(start[:2]), int(start[3:])), tzinfo=tz)
        if end == "24:00":
            e = datetime.combine(day + timedelta(days=1), dtime(0, 0), tzinfo=tz)
        else:
            e = datetime.combine(day, dtime(int(end[:2]), int(end[3:])), tzinfo=tz)
        out.append((int(s.timestamp() * 1000), int(e.timestamp() * 1000)))
    return out


def _open_spans(hours: dict, start_ms: int):
    """Open spans from the one containing start_ms onwards (clipped to start at start_ms)."""
    tz = _tz(hours.get("tz"))
    day = datetime.fromtimestamp(start_ms / 1000, tz).date() - timedelta(days=1)
    for _ in range(MAX_DAYS):
        for s, e in _spans_of_day(hours, tz, day):
            if e <= start_ms:
                continue
            yield max(s, start_ms), e
        day += timedelta(days=1)


def add(start_ms: int, seconds: int, hours: dict | None) -> int | None:
    """The instant when `seconds` of open time have passed since start_ms; None when the
    hours never open (no span within MAX_DAYS)."""
    start_ms, left = int(start_ms), int(seconds) * 1000
    if not hours:
        return start_ms + left
    if left <= 0:
        return start_ms
    for s, e in _open_spans(hours, start_ms):
        if e - s >= left:
            return s + left
        left -= e - s
    return None


def between(a_ms: int, b_ms: int, hours: dict | None) -> int:
    """Seconds of open time in [a_ms, b_ms) (negative when b is before a)."""
    a_ms, b_ms = int(a_ms), int(b_ms)
    if b_ms < a_ms:
        return -between(b_ms, a_ms, hours)
    if not hours:
        return (b_ms - a_ms) // 1000
    total = 0
    for s, e in _open_spans(hours, a_ms):
        if s >= b_ms:
            break
        total += min(e, b_ms) - s
    return total // 1000

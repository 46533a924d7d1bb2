"""Agent online/away/offline time for the reports (docs/reports.md "Agent presence time").

presence.py calls `record_change` after every status change it writes (set_status, the
away-after-grace check, the presence sweep). The change's id is the agent and its time: the
state item ("agent#{agent}", "presence") holds the status being timed and since when; a change
not later than that (a retry, a duplicate) counts nothing. Otherwise the state moves to the new
status (conditional on the state read: a concurrent change makes us re-read) and the interval
of the previous status is ADDed to the UTC-hour presence buckets, one UpdateItem per UTC day
it touches (split at every hour boundary: domain/presence_time.contributions).

Cost per change: 1 GetItem + 1 UpdateItem (+1 per day of the interval that ends). Presence
changes are not on the send/assign path. A failure here is logged and never fails the status
change (the time of that one interval is then missing).
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters.reports import StateMoved
from chalicelib.domain import presence_time

ATTEMPTS = 3


def record_change(deps, agent_id: str, status: str, at: int) -> str:
    """Count the interval that the change to `status` at `at` ends. Returns "counted",
    "started" (first change seen), "unchanged", "duplicate" or "unknown_status"."""
    if status not in presence_time.STATUS_CODES:
        return "unknown_status"
    for _ in range(ATTEMPTS):
        state = deps.reports.presence_state(agent_id)
        if state and at <= state[1]:
            return "duplicate"
        if state and state[0] == status:
            return "unchanged"
        try:
            deps.reports.presence_move(agent_id, status, at, state[1] if state else None)
        except StateMoved:
            continue
        if not state:
            return "started"
        for day, counters in presence_time.contributions(agent_id, state[0], state[1],
                                                         at).items():
            deps.reports.presence_add(day, counters)
        return "counted"
    log.warning("presence_time_contended", agent_id=agent_id, status=status)
    return "contended"


def safe_record_change(deps, agent_id: str, status: str, at: int) -> None:
    """record_change for presence.py: a reports failure never fails the status change."""
    try:
        record_change(deps, agent_id, status, at)
    except Exception as exc:     # logged; that interval's time is missing from the reports
        log.error("presence_time_failed", agent_id=agent_id, status=status, error=repr(exc))

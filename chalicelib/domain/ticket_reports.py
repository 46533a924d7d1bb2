"""Ticket figures as a pure function of a ticket's events (no AWS, no clock).

The reports consumer keeps the compact facts of each ticket's events, as it does for a
conversation (domain/reports.py), and ADDs `diff(contributions(new), contributions(old))` to
the same day buckets, so a duplicate adds nothing and the order of arrival does not matter:
facts are ordered by the ticket version of the change that produced them.

Metrics (each on the local day of the event that defines it; dims: site "s", the ticket's
team "t:{team}" at that moment, and for agent figures the agent "a:{agent}"):
- tk_created: ticket.created.
- tk_replies: an agent's public reply (per replying agent).
- tk_first_reply_ms: created -> the first public agent reply (that agent).
- tk_solved / tk_resolution_ms: the first move to solved or closed (the assignee at that
  moment); created -> then.
- tk_reopened: solved -> open (the requester wrote back, or an agent reopened it).
- tk_breach_first_reply / tk_breach_resolution: the sweep found that due time passed (once
  per kind; the assignee then).
"""
from __future__ import annotations

from chalicelib.domain.reports import _Obs

TICKET_TYPES = ("ticket.created", "ticket.commented", "ticket.status_changed",
                "ticket.assigned", "ticket.sla_breached")
TICKET_COUNTERS = ("tk_created", "tk_replies", "tk_solved", "tk_reopened",
                   "tk_breach_first_reply", "tk_breach_resolution")
TICKET_DURATIONS = ("tk_first_reply_ms", "tk_resolution_ms")
DONE = ("solved", "closed")


def fact_of(event: dict) -> dict | None:
    """The compact record of one ticket envelope (None: not a figure)."""
    etype = event.get("type")
    if etype not in TICKET_TYPES:
        return None
    ctx = event.get("ticket") or {}
    data = event.get("data") or {}
    n = str(event.get("id") or "").rsplit(":", 1)[-1]
    f = {"t": etype.split(".", 1)[1], "at": int(event["at"]),
         "q": int(ctx.get("version") or 0) * 100 + (int(n) if n.isdigit() else 0),
         "tm": ctx.get("team") or None, "a": ctx.get("assignee_id") or None}
    if etype == "ticket.commented":
        author = data.get("author") or {}
        if not data.get("public") or author.get("type") != "agent":
            return None                       # notes and the requester's mail: no figure
        f["a"] = author.get("id")
    elif etype == "ticket.status_changed":
        f["fr"], f["to"] = data.get("from"), data.get("to")
    elif etype == "ticket.sla_breached":
        f["k"] = sorted(k for k in data.get("kinds") or () if k in ("first_reply", "resolution"))
    return {k: v for k, v in f.items() if v is not None}


class _TicketObs(_Obs):
    def _dims(self, f: dict, agent: str | None):
        dims = ["s"]
        if f.get("tm"):
            dims.append("t:" + f["tm"])
        if agent:
            dims.append("a:" + agent)
        return dims


def contributions(facts, tz) -> dict:
    """{(day, attribute): value} that one ticket's facts add to the buckets."""
    obs = _TicketObs(tz)
    facts = sorted(facts, key=lambda f: (f.get("q", 0), f["at"]))
    created = next((f for f in facts if f["t"] == "created"), None)
    seen: set = set()

    def once(name):
        if name in seen:
            return False
        seen.add(name)
        return True

    if created is not None:
        obs.count("tk_created", created)
    for f in facts:
        t = f["t"]
        if t == "commented":
            obs.count("tk_replies", f, f.get("a"))
            if created is not None and once("first_reply"):
                obs.duration("tk_first_reply_ms", f, f["at"] - created["at"], f.get("a"))
        elif t == "status_changed":
            if f.get("to") in DONE and f.get("fr") not in DONE and once("solved"):
                obs.count("tk_solved", f, f.get("a"))
                if created is not None:
                    obs.duration("tk_resolution_ms", f, f["at"] - created["at"], f.get("a"))
            elif f.get("fr") == "solved" and f.get("to") == "open":
                obs.count("tk_reopened", f, f.get("a"))
        elif t == "sla_breached":
            for kind in f.get("k") or ():
                if once("breach_" + kind):
                    obs.count("tk_breach_" + kind, f, f.get("a"))
    return {k: v for k, v in obs.out.items() if v}

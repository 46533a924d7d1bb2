"""Synthetic event envelopes (docs/events.md) of one conversation with known timings, for
tests that need report figures without running the services (unit and browser tests)."""
from __future__ import annotations

import itertools

MIN = 60_000


def conversation(cid="c1", agent="a1", at=0, team="sales", site="demo", score=4):
    """created -> visitor -> bot -> queued (+2 min) -> assigned (+5) -> visitor -> agent
    (+6) -> private note -> closed (+20) -> rated `score` (+21)."""
    ctx = {"visitor_id": "v_" + cid, "channel": "web", "team": team, "agent_id": None}
    seq = itertools.count(1)

    def ev(etype, offset_min, data=None, agent_id=None):
        s = 0 if etype == "conversation.created" else next(seq)
        return {"id": f"msg:{cid}:{s}" if s else f"conv:{cid}:0:{etype}", "type": etype,
                "version": 1, "at": int(at + offset_min * MIN), "site_key": site,
                "conversation_id": cid, "seq": s,
                "conversation": {**ctx, "agent_id": agent_id}, "data": data or {}}

    def msg(who, offset, sender_id=None):
        return ev("message.created", offset, {"sender": {"type": who, "id": sender_id},
                                               "kind": "text", "private": False})
    return [ev("conversation.created", 0), msg("visitor", 0.5), msg("bot", 1),
            ev("conversation.queued", 2, {"reason": "visitor_request"}),
            ev("conversation.assigned", 5, {"agent_id": agent}, agent),
            msg("visitor", 5.5), msg("agent", 6, agent),
            ev("message.created", 7, {"sender": {"type": "agent", "id": agent},
                                      "kind": "note", "private": True}),
            ev("conversation.closed", 20, {"reason": "closed", "by": "agent"}, agent),
            ev("conversation.rated", 21, {"score": score}, agent)]


def ticket(tid="t1", agent="a1", at=0, team="sales", site="demo"):
    """A ticket's events as the tickets stream publishes them (domain/tickets/events.py):
    created at `at`, the agent's public reply 30 min later, solved 2 h after creation."""
    def env(version, n, etype, when, status, data):
        return {"id": f"tkt:{tid}:h{version}:{n}", "type": etype, "version": 1, "at": when,
                "site_key": site, "conversation_id": None, "seq": None, "ticket_id": tid,
                "ticket": {"number": 1, "status": status, "priority": "normal", "team": team,
                           "assignee_id": agent, "source": "api", "version": version},
                "by": {"type": "agent", "id": agent, "name": None}, "data": data}
    return [
        env(1, 0, "ticket.created", at, "open", {"status": "open", "team": team,
                                                 "assignee_id": agent, "source": "api"}),
        env(1, 1, "ticket.assigned", at, "open", {"from": None, "to": agent, "team": team}),
        env(2, 0, "ticket.commented", at + 30 * 60_000, "open",
            {"comment_id": "c1", "public": True, "author": {"type": "agent", "id": agent},
             "source": "console", "attachments": 0}),
        env(3, 0, "ticket.status_changed", at + 2 * 3_600_000, "solved",
            {"from": "open", "to": "solved"}),
    ]

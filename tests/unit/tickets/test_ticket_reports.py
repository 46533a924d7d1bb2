"""Ticket figures (domain/ticket_reports.py) through the reports consumer, without AWS.

Oracle: a few hundred tickets driven through the real transitions (domain/tickets/model.py)
on a simulated clock; their events, shuffled and with duplicates, go through the consumer
into the in-memory store; every ticket figure of the report equals the figure recomputed
from the ticket histories by a separate, simple function."""
import random
from datetime import datetime, timezone
from types import SimpleNamespace

from chalicelib.domain import report_rollup as rollup
from chalicelib.domain import ticket_reports
from chalicelib.domain.tickets import model
from chalicelib.services.reports import consumer
from tests.helpers.fake_reports import FakeReports

POLICY = {"targets": {"normal": {"first_reply_minutes": 60, "resolution_minutes": 8 * 60}}}
MIN = 60_000
T0 = int(datetime(2026, 3, 2, 1, tzinfo=timezone.utc).timestamp() * 1000)   # 09:00 at +08:00
AGENTS = [{"type": "agent", "id": f"a{i}", "name": f"Agent {i}"} for i in range(4)]
REQUESTER = {"type": "requester", "id": None, "name": "Cus"}


class Sites:
    def get(self, key):
        return {"site_key": key, "settings": {"report_tz": "+08:00"}}


def deps():
    consumer._tz_cache.clear()
    return SimpleNamespace(reports=FakeReports(), sites=Sites())


def envelopes(ticket_id, changes):
    """What services/event_relay + domain/tickets/events.from_row publish for each change."""
    out = []
    for h, ch in enumerate(changes):
        ctx = {k: ch.ticket.get(k) for k in ("number", "status", "priority", "team",
                                              "assignee_id", "source", "version")}
        for n, ev in enumerate(ch.events):
            out.append({"id": f"tkt:{ticket_id}:h{h}:{n}", "type": ev["type"], "version": 1,
                        "at": ch.history["at"], "site_key": "demo", "conversation_id": None,
                        "seq": None, "ticket_id": ticket_id, "ticket": ctx,
                        "by": ch.history["by"], "data": ev.get("data") or {}})
    return out


def simulate(rng, i):
    """One ticket's life: (its changes, the oracle's record of what happened)."""
    now = T0 + rng.randint(0, 6 * 24 * 60) * MIN
    team = rng.choice(["sales", "support", None])
    owner = rng.choice(AGENTS)
    ch = model.create(ticket_id=f"t{i}", number=i, site_key="demo", subject="s",
                      description="d", requester={"email": "c@example.com"},
                      priority="normal", team=team,
                      assignee={"id": owner["id"], "name": owner["name"]}
                      if rng.random() < 0.6 else None,
                      tags=[], custom_fields={}, source="api", conversation_ids=[],
                      reply_token="tok", actor=owner, now=now, policy=POLICY, hours=None)
    changes = [ch]
    truth = {"created": ch.ticket["created_at"], "team": team, "first_reply": None,
             "solved": None, "solver": None, "reopened": 0, "replies": [],
             "breaches": set()}
    t = ch.ticket
    for _ in range(rng.randint(0, 7)):
        now += rng.randint(1, 600) * MIN
        step = rng.random()
        try:
            if step < 0.35:
                who = rng.choice(AGENTS + [REQUESTER])
                public = who is REQUESTER or rng.random() < 0.7
                c = model.comment(t, comment_id=f"c{now}", body="b", public=public,
                                  author=who, attachments=[], now=now, policy=POLICY,
                                  hours=None)
                if who is not REQUESTER and public:
                    truth["replies"].append(who["id"])
                    if truth["first_reply"] is None:
                        truth["first_reply"] = (now - truth["created"], who["id"])
            elif step < 0.55:
                c = model.update(t, {"status": rng.choice(["solved", "closed", "open",
                                                           "pending"])},
                                 actor=owner, now=now, policy=POLICY, hours=None)
            elif step < 0.7:
                nxt = rng.choice(AGENTS)
                c = model.update(t, {"assignee_id": nxt["id"], "assignee_name": nxt["name"]},
                                 actor=owner, now=now, policy=POLICY, hours=None)
            else:
                c = model.sla_breached(t, now)
                truth["breaches"] |= set((c.events[0]["data"]["kinds"]) if c.events else ())
        except model.TransitionError:
            continue
        if not c.changed:
            continue
        for ev in c.events:
            if ev["type"] == "ticket.status_changed":
                d = ev["data"]
                if d["to"] in ("solved", "closed") and d["from"] not in ("solved", "closed") \
                        and truth["solved"] is None:
                    truth["solved"] = (now - truth["created"], c.ticket.get("assignee_id"))
                if d["from"] == "solved" and d["to"] == "open":
                    truth["reopened"] += 1
        changes.append(c)
        t = c.ticket
    return changes, truth


def oracle(truths, agent=None):
    """Ticket figures recomputed from the histories (all inside the report's range)."""
    def mine(who):
        return agent is None or who == agent
    firsts = [ms for ms, who in (t["first_reply"] for t in truths if t["first_reply"])
              if mine(who)]
    solved = [ms for ms, who in (t["solved"] for t in truths if t["solved"]) if mine(who)]
    out = {"tk_replies": sum(1 for t in truths for who in t["replies"] if mine(who)),
           "tk_first_reply_n": len(firsts), "tk_solved": len(solved),
           "tk_resolution_n": len(solved),
           "tk_first_reply_avg_ms": sum(firsts) // len(firsts) if firsts else None,
           "tk_resolution_avg_ms": sum(solved) // len(solved) if solved else None}
    if agent is None:
        out.update({"tk_created": len(truths),
                    "tk_reopened": sum(t["reopened"] for t in truths),
                    "tk_breach_first_reply": sum("first_reply" in t["breaches"] for t in truths),
                    "tk_breach_resolution": sum("resolution" in t["breaches"] for t in truths)})
    return out


def report(d, dim):
    return rollup.figures(rollup.collect(d.reports.snapshot().values(), dim))


def test_ticket_figures_equal_the_oracle_whatever_the_delivery_order():
    rng = random.Random(7)
    lives = [simulate(rng, i) for i in range(300)]
    events = [e for i, (changes, _) in enumerate(lives) for e in envelopes(f"t{i}", changes)]
    assert len(events) > 1000
    again = rng.sample(events, len(events) // 10)                # 10 % redelivered
    stream = events + again
    rng.shuffle(stream)
    d = deps()
    got = [consumer.handle(d, e)["status"] for e in stream]
    # notes, the requester's mail and field edits are no figure: ignored, never recorded
    assert got.count("duplicate") == sum(ticket_reports.fact_of(e) is not None for e in again)
    truths = [t for _, t in lives]
    fig = report(d, "s")
    want = oracle(truths)
    assert {k: fig[k] for k in want} == want
    assert want["tk_solved"] > 50 and want["tk_reopened"] > 0 and want["tk_breach_first_reply"]
    for agent in AGENTS:
        fig = report(d, "a:" + agent["id"])
        want = oracle(truths, agent["id"])
        assert {k: fig[k] for k in want} == want, agent["id"]


def test_in_order_and_shuffled_streams_fill_the_same_buckets():
    rng = random.Random(3)
    lives = [simulate(rng, i) for i in range(40)]
    events = [e for i, (changes, _) in enumerate(lives) for e in envelopes(f"t{i}", changes)]
    a, b = deps(), deps()
    for e in events:
        consumer.handle(a, e)
    shuffled = events[:]
    rng.shuffle(shuffled)
    for e in shuffled:
        consumer.handle(b, e)
    assert a.reports.snapshot() == b.reports.snapshot()


def test_notes_and_requester_mail_are_not_replies_and_a_day_is_the_site_day():
    d = deps()
    t0 = int(datetime(2026, 3, 2, 17, tzinfo=timezone.utc).timestamp() * 1000)  # 01:00 +08
    ch = model.create(ticket_id="t1", number=1, site_key="demo", subject="s", description="d",
                      requester={"email": "c@example.com"}, priority="normal", team="sales",
                      assignee=None, tags=[], custom_fields={}, source="email",
                      conversation_ids=[], reply_token="tok", actor=None, now=t0,
                      policy=POLICY, hours=None)
    note = model.comment(ch.ticket, comment_id="n", body="x", public=False, author=AGENTS[0],
                         attachments=[], now=t0 + MIN, policy=POLICY, hours=None)
    mail = model.comment(note.ticket, comment_id="m", body="x", public=True, author=REQUESTER,
                         attachments=[], now=t0 + 2 * MIN, policy=POLICY, hours=None)
    reply = model.comment(mail.ticket, comment_id="r", body="x", public=True,
                          author=AGENTS[1], attachments=[], now=t0 + 30 * MIN, policy=POLICY,
                          hours=None)
    for e in envelopes("t1", [ch, note, mail, reply]):
        consumer.handle(d, e)
    assert set(d.reports.buckets) == {("demo", "2026-03-03")}       # the +08:00 day
    fig = report(d, "s")
    assert fig["tk_created"] == 1 and fig["tk_replies"] == 1
    assert fig["tk_first_reply_avg_ms"] == 30 * MIN and fig["tk_first_reply_p50_ms"] >= 30 * MIN
    team = report(d, "t:sales")
    assert team["tk_created"] == 1 and team["tk_first_reply_n"] == 1
    assert report(d, "a:a1")["tk_replies"] == 1 and report(d, "a:a0")["tk_replies"] == 0

"""The overflow rule without AWS (simulated times, plain dicts): who is due, once per stay
in a line, keeping the place-in-line order; what reports and QA make of the event."""
from types import SimpleNamespace

import pytest

from chalicelib.domain import overflow as rule
from chalicelib.domain import report_rollup as rollup
from chalicelib.domain.qa import checks
from chalicelib.services.reports import consumer
from tests.helpers.fake_reports import FakeReports

T0 = 1_767_196_800_000
SETTING = {"after_seconds": 120, "to_team": "tech"}


def chat(cid, joined, order=None, key="billing", **attrs):
    return {"conversation_id": cid, "status": "queued", "queue_key": key,
            "queued_at": joined if order is None else order,
            "attrs": {"queued_at": joined, **attrs}}


def test_due_after_the_limit_in_this_line_and_not_before():
    c = chat("c1", T0)
    assert not rule.is_due(c, "billing", SETTING, T0 + 119_999)
    assert rule.is_due(c, "billing", SETTING, T0 + 120_000)
    assert not rule.is_due(c, "tech", SETTING, T0 + 500_000)              # other line
    assert not rule.is_due({**c, "status": "assigned"}, "billing", SETTING, T0 + 500_000)
    assert not rule.is_due(c, "billing", None, T0 + 500_000)              # no setting
    assert not rule.is_due(c, "billing", {"after_seconds": 120, "to_team": "billing"},
                           T0 + 500_000)                                   # to itself


def test_a_chat_moves_once_per_stay_in_a_line():
    moved = chat("c1", T0, key="tech", overflowed_at=T0 + 130_000, overflow_from="billing")
    back = {"after_seconds": 120, "to_team": "billing"}           # tech overflows to billing
    assert not rule.is_due(moved, "tech", back, T0 + 10 * 60_000)  # no ping-pong
    # transferred into a line again later: a new stay, which may overflow again
    later = chat("c1", T0 + 20 * 60_000, key="tech", overflowed_at=T0 + 130_000)
    assert rule.is_due(later, "tech", back, T0 + 23 * 60_000)


def test_the_walk_stops_at_the_first_order_past_the_cutoff():
    now = T0 + 300_000
    line = [chat("vip", T0 + 250_000, order=T0 - 300_000),   # boosted, joined recently
            chat("old", T0), chat("mid", T0 + 180_000), chat("new", T0 + 200_000)]
    due = rule.due_in_line(line, "billing", SETTING, now)
    assert [c["conversation_id"] for c in due] == ["old", "mid"]
    assert rule.cutoff(SETTING, now) == T0 + 180_000
    assert rule.due_in_line(line, "billing", None, now) == []


def test_the_transition_keeps_the_place_in_line_order_and_names_the_event():
    c = chat("c1", T0, order=T0 - 60_000, priority_boost=60)
    step = rule.transition(c, "billing", SETTING, T0 + 121_000)
    assert step["expect_queue"] == "billing"
    assert step["set_fields"] == {"queue_key": "tech", "team": "tech",
                                  "queued_at": T0 - 60_000}
    assert step["attrs"] == {"overflowed_at": T0 + 121_000, "overflow_from": "billing"}
    assert step["event"] == {"reason": "overflow", "team": "tech", "from_team": "billing"}
    with pytest.raises(ValueError):
        rule.transition(c, "billing", SETTING, T0 + 60_000)              # not due yet


# ------------------------------------------------------------------ reports and QA
MIN = 60_000


def _ev(cid, seq, etype, at_min, data=None, team="billing", agent=None):
    return {"id": f"msg:{cid}:{seq}", "type": etype, "version": 1, "at": T0 + at_min * MIN,
            "site_key": "demo", "conversation_id": cid, "seq": seq,
            "conversation": {"visitor_id": "v1", "channel": "web", "team": team,
                             "agent_id": agent}, "data": data or {}}


def overflowed_chat():
    return [_ev("c1", 1, "conversation.queued", 0, {"reason": "visitor_request"}),
            _ev("c1", 2, "conversation.transferred", 2,
                {"reason": "overflow", "team": "tech", "from_team": "billing"}, team="tech"),
            _ev("c1", 3, "conversation.assigned", 5, {"agent_id": "a1"}, "tech", "a1")]


class Sites:
    def get(self, key):
        return {"site_key": key, "settings": {"report_tz": "UTC"}}


def test_reports_count_an_overflow_as_one_transfer_and_keep_the_wait():
    consumer._tz_cache.clear()
    deps = SimpleNamespace(reports=FakeReports(), sites=Sites())
    events = overflowed_chat()
    for e in events + events[1:2]:                         # the transfer redelivered
        consumer.handle(deps, e)
    items = deps.reports.days("demo", ["2025-12-31", "2026-01-01"]).values()
    fig = rollup.figures(rollup.collect(items, "s"))
    assert fig["transfers"] == 1
    assert fig["wait_avg_ms"] == 5 * MIN                   # from the first queue entry
    tech = rollup.figures(rollup.collect(items, "t:tech"), percentiles=False)
    assert tech["transfers"] == 1 and tech["queued"] == 1


def test_qa_transfer_count_leaves_overflows_out():
    def transferred(seq, **event):
        return {"seq": seq, "type": "event", "created_at": T0 + seq,
                "event": {"kind": "transferred", **event}}
    msgs = [transferred(1, reason="overflow", team="tech"), transferred(2, agent_id="a2")]
    assert checks._transfers(msgs, {"max": 1}) == []
    assert len(checks._transfers(msgs + [transferred(3, agent_id="a3")], {"max": 1})) == 1

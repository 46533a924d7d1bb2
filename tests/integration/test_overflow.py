"""Overflow on moto (simulated clock): a chat past its team's limit moves to the next team's
line once, keeping its place by age; the visitor is told; the sweep and the assignment pass
trigger it; redelivered and racing tasks move nothing twice; the setting is validated."""
import pytest

from chalicelib.domain import events as event_rules
from chalicelib.domain import report_rollup as rollup
from chalicelib.errors import AppError
from chalicelib.services import admin, overflow, routing
from chalicelib.services.reports import consumer as reports_consumer
from tests.helpers import clock as sim
from tests.helpers.aws import AwsCallCounter, drain_queues
from tests.integration.test_queue import conv, make_agent
from tests.integration.test_routing_load import handoff, published

T0 = 1_767_196_800_000


@pytest.fixture
def floor(deps, monkeypatch):
    monkeypatch.setenv("PARLEY_POSITION_WINDOW_SECONDS", "0")
    from chalicelib.services import sites
    for team in ("billing", "tech"):
        deps.directory.create("team", team, {"name": team.title()})
    sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False,
                                                "teams": ["billing", "tech"]})
    admin.update_team(deps, "billing", {"overflow": {"after_seconds": 120,
                                                     "to_team": "tech"}})
    drain_queues(deps)
    return sim.install(monkeypatch, T0)


def line(deps, key):
    return [c["conversation_id"] for c in deps.waiting.waiting(key)]


def events_of(deps, cid, kind):
    return [m["event"] for m in deps.messages.after(cid, 0)
            if m["type"] == "event" and m["event"]["kind"] == kind]


def test_the_setting_is_validated_before_anything_is_written(deps, floor):
    def code(payload, team="tech"):
        with pytest.raises(AppError) as err:
            admin.update_team(deps, team, payload)
        return err.value.status, err.value.code, err.value.details.get("field")
    assert code({"overflow": {"after_seconds": 120, "to_team": "tech"}}) == \
        (400, "overflow_to_self", "overflow.to_team")
    assert code({"overflow": {"after_seconds": 120, "to_team": "nope"}}) == \
        (400, "unknown_team", "overflow.to_team")
    assert code({"overflow": {"after_seconds": 60, "to_team": "billing"}}) == \
        (400, "out_of_range", "overflow.after_seconds")
    assert code({"overflow": {"after_seconds": 86401, "to_team": "billing"}})[1] == \
        "out_of_range"
    assert code({"overflow": {"to_team": "billing"}})[1] == "missing_field"
    assert code({"overflow": {"after_seconds": 120, "to_team": "billing", "x": 1}})[1] == \
        "unknown_field"
    assert code({"overflow": "billing"})[1] == "invalid_type"
    with pytest.raises(AppError) as err:
        admin.create_team(deps, {"id": "sales", "name": "Sales",
                                 "overflow": {"after_seconds": 300, "to_team": "sales"}})
    assert err.value.code == "overflow_to_self"
    assert deps.directory.get("team", "sales") is None
    assert "overflow" not in deps.directory.get("team", "tech")
    assert deps.directory.get("team", "billing")["overflow"] == {"after_seconds": 120,
                                                                 "to_team": "tech"}
    admin.update_team(deps, "billing", {"overflow": None})         # null turns it off
    assert "overflow" not in deps.directory.get("team", "billing")


def test_a_chat_past_the_limit_moves_once_keeping_its_place_by_age(deps, floor, posted,
                                                                    monkeypatch):
    old, _ = handoff(deps, "billing", connection="vis-old")        # asks at T0
    floor.advance(30_000)
    t1, _ = handoff(deps, "tech")
    floor.advance(30_000)
    t2, _ = handoff(deps, "tech")
    drain_queues(deps)                                              # nobody online
    floor.advance(59_000)                                           # 119 s: not yet
    sent = published(monkeypatch)
    routing.safety_sweep(deps)
    assert not [s for s in sent if s[0] == "overflow"]
    floor.advance(1_000)                                            # 120 s
    routing.safety_sweep(deps)
    assert ("overflow", {"queue_key": "billing"}, 0) in sent
    drain_queues(deps)
    c = conv(deps, old)
    assert (c["status"], c["queue_key"], c["team"]) == ("queued", "tech", "tech")
    assert c["queued_at"] == T0 and c["attrs"]["queued_at"] == T0   # its place by age
    assert line(deps, "tech") == [old, t1, t2] and line(deps, "billing") == []
    assert [c["attrs"]["queue_position"] for c in map(lambda x: conv(deps, x),
                                                      (old, t1, t2))] == [1, 2, 3]
    told = events_of(deps, old, "transferred")
    assert told == [{"kind": "transferred", "reason": "overflow", "team": "tech",
                     "from_team": "billing"}]
    pushed = [e["message"]["event"] for e in posted.events("vis-old", "message")]
    assert {"kind": "transferred", "reason": "overflow", "team": "tech",
            "from_team": "billing"} in pushed
    # redelivered task, and tech overflowing back to billing: it stays (no ping-pong)
    assert overflow.on_overflow(deps, {"queue_key": "billing"}) == 0
    floor.advance(100_000)                          # tech's own chats waited 190 and 160 s
    admin.update_team(deps, "tech", {"overflow": {"after_seconds": 120,
                                                  "to_team": "billing"}})
    drain_queues(deps)
    assert conv(deps, old)["queue_key"] == "tech"
    assert line(deps, "billing") == [t1, t2]                      # tech's own chats went
    assert len(events_of(deps, old, "transferred")) == 1
    # an agent of tech takes the oldest first
    floor.advance(1_000)
    cat = make_agent(deps, "Cat", capacity=1, teams=["tech"])
    drain_queues(deps)
    assert conv(deps, old)["agent_id"] == cat.id


def test_a_racing_run_on_a_stale_line_moves_nothing_twice(deps, floor, monkeypatch):
    cid, _ = handoff(deps, "billing")
    drain_queues(deps)
    floor.advance(121_000)
    stale = deps.waiting.waiting("billing")
    assert overflow.run_queue(deps, "billing") == 1
    with monkeypatch.context() as m:
        m.setattr(deps.waiting, "waiting", lambda *a, **k: stale)         # read before
        assert overflow.run_queue(deps, "billing") == 0
    assert conv(deps, cid)["queue_key"] == "tech"
    assert len(events_of(deps, cid, "transferred")) == 1


def test_the_assignment_pass_publishes_overflow_for_a_chat_it_leaves_past_due(deps, floor,
                                                                              monkeypatch):
    a, _ = handoff(deps, "billing")
    floor.advance(1_000)
    b, _ = handoff(deps, "billing")
    drain_queues(deps)
    floor.advance(200_000)
    make_agent(deps, "Bea", capacity=1, teams=["billing"], online=False)
    from chalicelib.domain.actors import Actor
    from chalicelib.services import presence
    bea = [x for x in deps.agents.list_all() if x["name"] == "Bea"][0]
    sent = published(monkeypatch)
    with AwsCallCounter(deps) as counter:
        presence.set_status(deps, Actor(kind="agent", id=bea["agent_id"], role="agent",
                                        name="Bea"), {"status": "online"})
        drain_queues(deps)
    assert conv(deps, a)["agent_id"] == bea["agent_id"]         # the oldest is served
    assert ("overflow", {"queue_key": "billing"}, 0) in sent     # the pass saw b past due
    assert conv(deps, b)["queue_key"] == "tech"
    assert "dynamodb:Scan" not in counter.calls


def test_the_stream_event_and_reports_count_the_overflow_once(deps, floor):
    cid, _ = handoff(deps, "billing")
    drain_queues(deps)
    floor.advance(125_000)
    assert overflow.run_queue(deps, "billing") == 1
    rows = [m for m in deps.messages.after(cid, 0) if m["type"] == "event"]
    envelopes = [e for row in rows for e in event_rules.from_message(row)]
    moved = [e for e in envelopes if e["type"] == "conversation.transferred"]
    assert len(moved) == 1
    assert moved[0]["data"] == {"reason": "overflow", "team": "tech", "from_team": "billing"}
    assert moved[0]["conversation"]["team"] == "tech"
    reports_consumer._tz_cache.clear()
    results = [reports_consumer.handle(deps, e) for e in envelopes + moved]  # 1 redelivered
    assert results[-1]["status"] == "duplicate"
    items = deps.reports.days("nobot", ["2025-12-31", "2026-01-01"]).values()
    fig = rollup.figures(rollup.collect(items, "s"))
    assert fig["transfers"] == 1 and fig["queued"] == 2


def test_the_sweep_costs_no_more_requests_with_an_overflow_setting(deps, floor, monkeypatch):
    handoff(deps, "billing")
    handoff(deps, "tech")
    drain_queues(deps)
    floor.advance(60_000)                                   # waiting, not due

    def sweep():
        with AwsCallCounter(deps) as counter:
            assert routing.safety_sweep(deps) == ["billing", "tech"]
        return sorted(c for c in counter.calls if c.startswith("dynamodb:"))
    with_setting = sweep()
    admin.update_team(deps, "billing", {"overflow": None})
    drain_queues(deps)
    assert sweep() == with_setting
    assert "dynamodb:Scan" not in with_setting
    print(f"\nsweep over 3 queues: {len(with_setting)} DynamoDB requests")


def test_a_pass_that_read_the_chat_before_it_overflowed_leaves_it_to_the_target(
        deps, floor, monkeypatch):
    cid, _ = handoff(deps, "billing")
    drain_queues(deps)
    floor.advance(121_000)
    stale = deps.waiting.waiting("billing")
    assert overflow.run_queue(deps, "billing") == 1
    bea = make_agent(deps, "Bea", capacity=1, teams=["billing"])
    with monkeypatch.context() as m:
        m.setattr(deps.waiting, "waiting", lambda *a, **k: stale)         # read before
        assert routing.assign_pass(deps, ["billing"]) == 0
    c = conv(deps, cid)
    assert (c["status"], c["queue_key"]) == ("queued", "tech")
    assert deps.agents.get(bea.id)["active_count"] == 0

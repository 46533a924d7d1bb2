"""Reports on moto: a few hundred generated conversations run through the real services with
a simulated clock, their events (tests/helpers/event_envelopes.py) fed to the reports
consumer, and every figure the report returns compared with the oracle's recomputation from
the raw rows; then the same events again, shuffled and duplicated, change nothing."""
import os
import random

import boto3
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.domain.reports import DURATIONS
from chalicelib.errors import ValidationError
from chalicelib.services.reports import consumer, queries
from tests.helpers import clock as sim
from tests.helpers.aws import AwsCallCounter, empty_tables, purge_queues
from tests.helpers.event_envelopes import envelopes_of
from tests.integration.reports_scenarios import (SITE, START_MS, World, local_day,
                                                 nearest_rank_edge, oracle)

#: 40 by default: moto transactions copy whole tables and this machine is shared; the
#: generator and the oracle take any count (PARLEY_REPORTS_ORACLE_N=300 for a longer run)
CONVERSATIONS = int(os.environ.get("PARLEY_REPORTS_ORACLE_N", "40"))
pytestmark = pytest.mark.timeout(1200)
ADMIN = Actor(kind="agent", id="a_admin", role="admin", name="Admin")


def empty_reports():
    ddb = boto3.client("dynamodb")
    from chalicelib import config
    for page in ddb.get_paginator("scan").paginate(TableName=config.TABLES["reports"]):
        for item in page["Items"]:
            ddb.delete_item(TableName=config.TABLES["reports"],
                            Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.fixture(scope="module")
def world(aws_stack):
    from chalicelib.api import common
    from chalicelib.bootstrap import build
    empty_tables()
    purge_queues(aws_stack)
    mp = pytest.MonkeyPatch()
    clock = sim.install(mp, START_MS)
    deps = build()
    common.set_deps(deps)
    w = World(deps, clock)
    w.run(CONVERSATIONS)
    w.events = [e for conv, stored in w.captured for e in envelopes_of(conv, stored)]
    w.truth = oracle(w.captured)
    yield w
    common.set_deps(None)
    mp.undo()
    empty_tables()
    purge_queues(aws_stack)


def feed(deps, events):
    results = [consumer.handle(deps, e) for e in events]
    return results


def nonzero(items):
    """The figures of day items: counters at 0 equal none; `ver` counts writes, not events."""
    return {day: {k: v for k, v in item.items() if v and k != "ver"}
            for day, item in items.items()}


def whole_range(world):
    days = sorted({local_day(e["at"]) for e in world.events})
    return days[0], days[-1]


def test_every_report_figure_equals_the_oracle(world):
    deps = world.deps
    empty_reports()
    results = feed(deps, world.events)
    assert {r["status"] for r in results} <= {"counted", "ignored"}
    # aggregation adds at most 2 writes per event when events arrive in order
    assert max(r["writes"] for r in results) <= 2

    first, last = whole_range(world)
    report = queries.site_report(deps, ADMIN, {"site": SITE, "from": first, "to": last})
    totals, truth = report["totals"], world.truth
    assert totals["started"] == CONVERSATIONS
    for name in ("started", "closed", "handed_off", "queued", "accepted", "abandoned",
                 "missed", "bot_resolved", "assignments", "transfers", "reopened",
                 "left_message", "left_answered", "msg_visitor", "msg_agent", "msg_bot",
                 "rated", "csat_sum"):
        assert totals[name] == truth["count"].get(name, 0), name
    # every shape happened
    for name in ("bot_resolved", "abandoned", "missed", "transfers", "reopened",
                 "left_answered", "rated"):
        assert totals[name] > 0, name
    c = truth["count"]
    assert totals["reception_rate"] == round(c["accepted"] / c["handed_off"], 4)
    assert totals["bot_resolution_rate"] == round(c["bot_resolved"] / c["closed"], 4)
    assert totals["csat_avg"] == round(c["csat_sum"] / c["rated"], 2)
    for metric in DURATIONS:
        base = metric[:-3]
        values = [ms for _, ms in truth["durations"][base]]
        assert values, base
        assert totals[f"{base}_n"] == len(values), base
        assert totals[f"{base}_avg_ms"] == sum(values) // len(values), base
        assert totals[f"{base}_p50_ms"] == nearest_rank_edge(values, 0.5), base
        assert totals[f"{base}_p90_ms"] == nearest_rank_edge(values, 0.9), base

    # per agent: chats handled, replies, transfers, ratings, average handle time
    by_agent = {row["agent_id"]: row for row in report["agents"]}
    assert set(by_agent) == {a.id for a in world.agents}
    for agent_id, row in by_agent.items():
        mine = truth["per_agent"][agent_id]
        for name in ("assignments", "msg_agent", "transfers", "rated"):
            assert row[name] == mine.get(name, 0), (agent_id, name)
        handle = [ms for who, ms in truth["durations"]["handle"] if who == agent_id]
        assert row["handle_avg_ms"] == sum(handle) // len(handle)
        assert row["busy_ms"] == sum(handle)
        assert row["name"] in ("Ann", "Bob")
        # per-agent percentiles from the agent's own histograms
        for base in ("wait", "first_response", "handle"):
            values = [ms for who, ms in truth["durations"][base] if who == agent_id]
            assert row[f"{base}_p50_ms"] == nearest_rank_edge(values, 0.5), (agent_id, base)
            assert row[f"{base}_p90_ms"] == nearest_rank_edge(values, 0.9), (agent_id, base)

    # by local day (Asia/Shanghai): conversations started
    per_day = {}
    for point in report["series"]:
        per_day[point["t"][:10]] = per_day.get(point["t"][:10], 0) + point["started"]
    assert {d: n for d, n in per_day.items() if n} == truth["started_by_day"]
    assert report["granularity"] == "day" and report["tz"] == "Asia/Shanghai"

    # read again from the sealed summaries (their hours kept apart and not read, each
    # agent's busy time summed per day): the same report; a sealed day's hourly report too
    sealed = [d for d in truth["started_by_day"] if deps.reports.summaries(SITE, [d])]
    assert sealed
    assert queries.site_report(deps, ADMIN, {"site": SITE, "from": first, "to": last}) == report
    day = sealed[0]
    hourly = queries.site_report(deps, ADMIN, {"site": SITE, "from": day, "to": day})
    assert hourly["granularity"] == "hour"
    assert sum(p["started"] for p in hourly["series"]) == truth["started_by_day"][day]


def test_one_day_report_is_hourly_and_sums_to_the_day(world):
    deps = world.deps
    first, _ = whole_range(world)
    day = sorted(world.truth["started_by_day"])[1]
    if not deps.reports.days(SITE, [day]):
        feed(deps, world.events)
    report = queries.site_report(deps, ADMIN, {"site": SITE, "from": day, "to": day})
    assert report["granularity"] == "hour" and len(report["series"]) == 24
    assert sum(p["started"] for p in report["series"]) == world.truth["started_by_day"][day]
    # the previous period is the day before
    assert report["previous"]["from"] == report["previous"]["to"] < day


def test_duplicates_and_any_order_change_no_figure(world):
    deps = world.deps
    empty_reports()
    feed(deps, world.events)
    first, last = whole_range(world)
    days = sorted({local_day(e["at"]) for e in world.events})
    in_order = nonzero(deps.reports.days(SITE, days))

    empty_reports()
    rng = random.Random(7)
    shuffled = list(world.events) + rng.sample(world.events, len(world.events) // 3)
    rng.shuffle(shuffled)
    results = feed(deps, shuffled)
    assert sum(r["status"] == "duplicate" for r in results) == len(world.events) // 3
    # a late event may take back what an earlier one added: counters at 0 remain, equal to none
    assert nonzero(deps.reports.days(SITE, days)) == in_order
    again = queries.site_report(deps, ADMIN, {"site": SITE, "from": first, "to": last})
    assert again["totals"]["started"] == CONVERSATIONS


def test_a_report_reads_a_bounded_number_of_keys(world):
    deps = world.deps
    params = {"site": SITE, "from": "2025-10-04", "to": "2026-01-01"}     # 90 days
    queries.site_report(deps, ADMIN, params)          # seals what is old enough, once
    with AwsCallCounter(deps) as calls:
        deps.reports._client = None
        queries.site_report(deps, ADMIN, params)
    deps.reports._client = None
    ddb = calls.by_service("dynamodb")
    assert "dynamodb:Scan" not in ddb
    # 180 summary keys (2 requests) + the days without a summary, recent or empty (<= 2)
    # + the agents' presence time (1: at most 92 UTC days)
    assert ddb.count("dynamodb:BatchGetItem") <= 5
    assert len(ddb) <= 10, ddb


def test_a_late_event_on_a_sealed_day_is_counted(world):
    deps = world.deps
    empty_reports()
    first_cid = world.events[0]["conversation_id"]
    late = [e for e in world.events if e["conversation_id"] == first_cid][-1]
    feed(deps, [e for e in world.events if e is not late])
    saved = world.clock.now
    world.clock.advance(30 * 86_400_000)            # every day is old enough to seal
    try:
        first, last = whole_range(world)
        params = {"site": SITE, "from": first, "to": last}
        before = queries.site_report(deps, ADMIN, params)["totals"]
        day = local_day(late["at"])
        assert day in deps.reports.summaries(SITE, [day])
        assert consumer.handle(deps, late)["writes"] == 3     # state + ADD, summary dropped
        assert deps.reports.summaries(SITE, [day]) == {}
        after = queries.site_report(deps, ADMIN, params)["totals"]
        assert day in deps.reports.summaries(SITE, [day])     # sealed again
        truth = world.truth["count"]
        for name in ("started", "closed", "rated", "msg_agent", "handed_off"):
            assert after[name] == truth.get(name, 0), name
        assert after != before
    finally:
        world.clock.set(saved)


def test_agents_see_only_their_own_figures(world):
    deps = world.deps
    ann = world.agents[0]
    first, last = whole_range(world)
    mine = queries.site_report(deps, ann, {"site": SITE, "from": first, "to": last,
                                           "agent": world.agents[1].id})
    assert mine["filter"] == {"kind": "agent", "value": ann.id}
    assert [row["agent_id"] for row in mine["agents"]] == [ann.id]


@pytest.mark.parametrize("params,code", [
    ({"from": "2026-01-01", "to": "2026-01-02"}, "invalid_field"),
    ({"site": SITE, "from": "2026-1-1", "to": "2026-01-02"}, "invalid_date"),
    ({"site": SITE, "from": "2026-02-30", "to": "2026-03-02"}, "invalid_date"),
    ({"site": SITE, "from": "2026-01-05", "to": "2026-01-02"}, "invalid_range"),
    ({"site": SITE, "from": "2024-01-01", "to": "2026-01-02"}, "range_too_long"),
    ({"site": SITE, "from": "2026-01-01", "to": "2026-01-02", "team": "a", "agent": "b"},
     "too_many_filters"),
    ({"site": SITE, "from": "2026-01-01", "to": "2026-01-02", "team": "a b"},
     "invalid_field"),
    ({"site": SITE, "from": "2026-01-01", "to": "2026-01-02", "bogus": "1"},
     "unknown_field"),
])
def test_bad_report_parameters_are_clear_400s(params, code):
    with pytest.raises(ValidationError) as err:
        queries.parse(params, ADMIN)
    assert err.value.code == code and err.value.status == 400

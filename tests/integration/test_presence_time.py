"""Agent online/away/offline time on moto: an agent goes online, is set away by the
away-after-grace check, signs off and comes back, on a simulated clock; the site report's
per-agent table shows the seconds of each status on the site's local days."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import presence, sites
from chalicelib.services.reports import queries
from tests.helpers import clock as sim
from tests.helpers.aws import empty_tables, purge_queues

ADMIN = Actor(kind="agent", id="a_admin", role="admin", name="Admin")
MIN = 60_000


@pytest.fixture()
def world(aws_stack):
    from chalicelib.bootstrap import build
    empty_tables()
    purge_queues(aws_stack)
    mp = pytest.MonkeyPatch()
    # 2026-03-02 23:30 in Shanghai (UTC+8): the first hour online crosses local midnight
    clock = sim.install(mp, int(datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)
                                .timestamp() * 1000))
    deps = build()
    deps.directory.create("team", "sales", {"name": "Sales"})
    sites.create_site(deps, "pt", "Presence", {"report_tz": "Asia/Shanghai",
                                               "teams": ["sales"]})
    a = agent_svc.create_agent(deps, {"email": "pia@pt.example", "name": "Pia",
                                      "password": "password1", "teams": ["sales"]})
    agent_svc.create_agent(deps, {"email": "olaf@pt.example", "name": "Olaf",
                                  "password": "password1"})   # not in the site's teams
    yield deps, clock, Actor(kind="agent", id=a["agent_id"], role="agent", name="Pia")
    mp.undo()
    empty_tables()
    purge_queues(aws_stack)


def row(deps, agent_id, day_from, day_to):
    report = queries.site_report(deps, ADMIN, {"site": "pt", "from": day_from, "to": day_to})
    rows = [r for r in report["agents"] if r["agent_id"] == agent_id]
    assert len(rows) == 1
    return {k: rows[0][k] // 1000 for k in ("online_ms", "away_ms", "offline_ms")}


def test_online_away_offline_seconds_per_local_day(world):
    deps, clock, pia = world
    olaf = [a for a in deps.agents.list_all() if a["name"] == "Olaf"][0]
    presence.set_status(deps, Actor(kind="agent", id=olaf["agent_id"], role="agent"),
                        {"status": "online"})
    presence.set_status(deps, pia, {"status": "online"})             # 23:30 local
    clock.advance(60 * MIN)                                           # 00:30, no socket
    check = {"agent_id": pia.id, "since": clock.now}
    presence.on_presence_check(deps, check)                           # -> away
    clock.advance(45 * MIN)                                           # 01:15
    presence.set_status(deps, pia, {"status": "offline"})
    clock.advance(10 * MIN)                                           # 01:25
    presence.set_status(deps, pia, {"status": "online"})
    presence.on_presence_check(deps, check)      # a redelivered check: nothing more counted
    clock.advance(5 * MIN)
    presence.set_status(deps, pia, {"status": "online"})              # unchanged: no interval

    assert row(deps, pia.id, "2026-03-02", "2026-03-02") == {
        "online_ms": 30 * 60, "away_ms": 0, "offline_ms": 0}
    assert row(deps, pia.id, "2026-03-03", "2026-03-03") == {
        "online_ms": 30 * 60, "away_ms": 45 * 60, "offline_ms": 10 * 60}
    assert row(deps, pia.id, "2026-03-02", "2026-03-03") == {
        "online_ms": 60 * 60, "away_ms": 45 * 60, "offline_ms": 10 * 60}
    clock.advance(MIN)
    presence.set_status(deps, Actor(kind="agent", id=olaf["agent_id"], role="agent"),
                        {"status": "offline"})
    site_rows = queries.site_report(deps, ADMIN, {"site": "pt", "from": "2026-03-03",
                                                  "to": "2026-03-03"})["agents"]
    assert [r["agent_id"] for r in site_rows] == [pia.id]   # Olaf: not in the site's teams
    # an agent sees their own row, with the same figures
    own = queries.site_report(deps, pia, {"site": "pt", "from": "2026-03-03",
                                          "to": "2026-03-03"})["agents"]
    assert [(r["agent_id"], r["away_ms"]) for r in own] == [(pia.id, 45 * 60 * 1000)]

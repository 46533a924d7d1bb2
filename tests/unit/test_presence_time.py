"""Agent online/away/offline time: splitting intervals into hour buckets (pure), counting
each change once (in-memory reports repo), and a site's local days from UTC hours."""
from datetime import datetime, timezone

from chalicelib.domain import presence_time as pt
from chalicelib.domain.reports import zone
from chalicelib.services.reports.presence_time import record_change
from tests.helpers.fake_reports import FakeReports

H = 3_600_000
M = 60_000


def utc(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
               .timestamp() * 1000)


class Deps:
    def __init__(self):
        self.reports = FakeReports()


def test_an_interval_inside_one_hour_is_one_bucket():
    got = pt.contributions("a1", "online", utc("2026-03-02 10:05"), utc("2026-03-02 10:35"))
    assert got == {"2026-03-02": {"p:10:on:a1": 30 * M}}


def test_an_interval_is_split_at_every_hour_and_day_boundary():
    got = pt.contributions("a1", "away", utc("2026-03-01 22:30"), utc("2026-03-02 01:15"))
    assert got == {"2026-03-01": {"p:22:aw:a1": 30 * M, "p:23:aw:a1": H},
                   "2026-03-02": {"p:00:aw:a1": H, "p:01:aw:a1": 15 * M}}
    assert sum(v for day in got.values() for v in day.values()) == 2 * H + 45 * M


def test_empty_reversed_or_unknown_intervals_count_nothing():
    t = utc("2026-03-02 10:00")
    assert pt.contributions("a1", "online", t, t) == {}
    assert pt.contributions("a1", "online", t, t - H) == {}
    assert pt.contributions("a1", "busy", t, t + H) == {}


def test_a_very_long_interval_is_capped_to_its_recent_part():
    end = utc("2026-03-30 00:00")
    got = pt.contributions("a1", "offline", end - 40 * 24 * H, end)
    assert len(got) == 14
    assert sum(v for day in got.values() for v in day.values()) == pt.MAX_INTERVAL_MS


def test_local_totals_put_utc_hours_on_the_sites_local_day():
    items = {"2026-03-01": {"p:15:on:a1": H, "p:16:on:a1": H, "p:16:aw:a2": 20 * M},
             "2026-03-02": {"p:15:on:a1": 30 * M, "p:16:off:a1": H}}
    shanghai = zone("Asia/Shanghai")          # UTC 16:00 is local 00:00 of the next day
    got = pt.local_totals(items, "2026-03-02", "2026-03-02", shanghai)
    assert got == {"a1": {"online_ms": H + 30 * M, "away_ms": 0, "offline_ms": 0},
                   "a2": {"online_ms": 0, "away_ms": 20 * M, "offline_ms": 0}}
    assert pt.local_totals(items, "2026-03-01", "2026-03-01", zone("UTC"))["a1"][
        "online_ms"] == 2 * H
    assert pt.utc_days_for("2026-03-02", "2026-03-02", shanghai) == ["2026-03-01",
                                                                      "2026-03-02"]


def test_each_change_ends_the_previous_status_once():
    deps = Deps()
    t0 = utc("2026-03-02 09:30")
    assert record_change(deps, "a1", "online", t0) == "started"
    assert record_change(deps, "a1", "online", t0 + 10 * M) == "unchanged"
    assert record_change(deps, "a1", "away", t0 + H) == "counted"
    assert record_change(deps, "a1", "away", t0 + H) == "duplicate"        # redelivered
    assert record_change(deps, "a1", "online", t0 + 30 * M) == "duplicate"  # older
    assert record_change(deps, "a1", "offline", t0 + H + 15 * M) == "counted"
    assert deps.reports.presence_days(["2026-03-02"]) == {"2026-03-02": {
        "p:09:on:a1": 30 * M, "p:10:on:a1": 30 * M,
        "p:10:aw:a1": 15 * M}}
    assert record_change(deps, "a1", "busy", t0 + 2 * H) == "unknown_status"


def test_a_concurrent_change_makes_the_writer_read_again():
    deps = Deps()
    t0 = utc("2026-03-02 09:00")
    record_change(deps, "a1", "online", t0)
    real_state = deps.reports.presence_state
    calls = []

    def racing_state(agent_id):
        got = real_state(agent_id)
        if not calls:                 # another change lands between our read and write
            calls.append(1)
            deps.reports.presence_move(agent_id, "away", t0 + 10 * M, got[1])
        return got
    deps.reports.presence_state = racing_state
    assert record_change(deps, "a1", "offline", t0 + 20 * M) == "counted"
    assert deps.reports.presence_state("a1") == ("offline", t0 + 20 * M)
    assert deps.reports.presence_days(["2026-03-02"]) == {"2026-03-02": {
        "p:09:aw:a1": 10 * M}}

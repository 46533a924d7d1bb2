"""The report metrics and the consumer's idempotency, without AWS (in-memory store)."""
import random
from types import SimpleNamespace

import pytest

from chalicelib.domain import report_rollup as rollup
from chalicelib.domain import reports as metrics
from chalicelib.errors import ValidationError
from chalicelib.services.reports import consumer
from tests.helpers import report_events
from tests.helpers.fake_reports import FakeReports

T0 = 1_767_196_800_000          # 2025-12-31 16:00 UTC = 2026-01-01 00:00 +08:00
MIN = 60_000


class Sites:
    def __init__(self, tz):
        self.tz = tz

    def get(self, key):
        return {"site_key": key, "settings": {"report_tz": self.tz}}


def deps_for(tz="+08:00"):
    consumer._tz_cache.clear()
    return SimpleNamespace(reports=FakeReports(), sites=Sites(tz))


def conversation(cid="c1", agent="a1", at=T0):
    return report_events.conversation(cid, agent, at)


def test_figures_of_one_conversation():
    deps = deps_for()
    for e in conversation():
        consumer.handle(deps, e)
    items = deps.reports.days("demo", ["2026-01-01"])
    fig = rollup.figures(rollup.collect(items.values(), "s"))
    assert (fig["started"], fig["handed_off"], fig["accepted"], fig["closed"]) == (1, 1, 1, 1)
    assert fig["bot_resolved"] == 0 and fig["reception_rate"] == 1.0
    assert fig["wait_avg_ms"] == 3 * MIN and fig["first_response_avg_ms"] == 1 * MIN
    assert fig["response_avg_ms"] == 30_000 and fig["handle_avg_ms"] == 15 * MIN
    assert fig["csat_avg"] == 4.0 and fig["csat_4"] == 1
    assert fig["msg_agent"] == 1          # the private note is not a reply
    agent = rollup.figures(rollup.collect(items.values(), "a:a1"), percentiles=False)
    assert agent["assignments"] == 1 and agent["rated"] == 1
    assert rollup.busy_ms(items.values(), "a1") == 15 * MIN


def test_days_are_the_sites_local_days():
    utc, shanghai = deps_for("UTC"), deps_for("+08:00")
    for e in conversation():
        consumer.handle(utc, e)
    for e in conversation():
        consumer.handle(shanghai, e)
    assert set(utc.reports.days("demo", ["2025-12-31", "2026-01-01"])) == {"2025-12-31"}
    assert set(shanghai.reports.days("demo", ["2025-12-31", "2026-01-01"])) == {"2026-01-01"}
    item = shanghai.reports.days("demo", ["2026-01-01"])["2026-01-01"]
    assert item["h00|started"] == 1


def test_any_order_and_duplicates_give_the_same_buckets():
    events = conversation("c1", "a1") + conversation("c2", "a2", T0 + 23 * 60 * MIN)
    reference = deps_for()
    for e in events:
        consumer.handle(reference, e)
    rng = random.Random(5)
    for _ in range(25):
        deps = deps_for()
        counted = [e for e in events if not e["data"].get("private")]
        shuffled = events + rng.sample(counted, 6)
        rng.shuffle(shuffled)
        results = [consumer.handle(deps, e) for e in shuffled]
        assert sum(r["status"] == "duplicate" for r in results) == 6
        assert deps.reports.snapshot() == reference.reports.snapshot()


def test_at_most_two_writes_per_event_in_order():
    deps = deps_for()
    results = [consumer.handle(deps, e) for e in conversation()]
    assert max(r["writes"] for r in results) <= 2
    assert [r["status"] for r in results].count("ignored") == 1     # the note


def test_a_failed_bucket_write_is_counted_once_on_redelivery():
    deps = deps_for()
    events = conversation()
    for e in events[:3]:
        consumer.handle(deps, e)
    deps.reports.fail_adds = 1
    with pytest.raises(ConnectionError):
        consumer.handle(deps, events[3])
    for e in events[3:]:
        consumer.handle(deps, e)
    reference = deps_for()
    for e in events:
        consumer.handle(reference, e)
    assert deps.reports.snapshot() == reference.reports.snapshot()


def test_events_it_does_not_count_and_bad_envelopes():
    deps = deps_for()
    assert consumer.handle(deps, {"type": "conversation.tagged"})["status"] == "ignored"
    with pytest.raises(ValidationError) as err:
        consumer.handle(deps, {"type": "conversation.created", "id": "x"})
    assert err.value.code == "invalid_event" and deps.reports.writes == 0


def test_percentiles_are_bin_edges_above_the_nearest_rank():
    values = [1_000, 2_000, 3_000, 60_000, 600_000]
    hist = {}
    for v in values:
        hist[metrics.bin_of(v)] = hist.get(metrics.bin_of(v), 0) + 1
    p50 = metrics.percentile_from_hist(hist, 0.5)
    p90 = metrics.percentile_from_hist(hist, 0.9)
    assert 3_000 <= p50 < 3_000 * 1.42 and 600_000 <= p90 < 600_000 * 1.42
    assert metrics.percentile_from_hist({}, 0.5) is None


def test_a_long_chat_spreads_its_busy_time_over_local_hours():
    spans = metrics.spread_over_hours(T0 + 30 * MIN, T0 + 150 * MIN, metrics.zone("+08:00"))
    assert spans == [("2026-01-01", 0, 30 * MIN), ("2026-01-01", 1, 60 * MIN),
                     ("2026-01-01", 2, 30 * MIN)]


def test_a_sites_report_zone_is_checked_and_chosen():
    from chalicelib.services import admin
    with pytest.raises(ValidationError) as err:
        admin.put_site(SimpleNamespace(), "demo", {"report_tz": "Mars/Olympus"}, "/w.js")
    assert err.value.code == "invalid_timezone"
    assert err.value.details == {"field": "report_tz"}
    assert consumer.site_zone_name({"report_tz": "Asia/Shanghai",
                                    "business_hours": {"tz": "Europe/Paris"}}) == "Asia/Shanghai"
    assert consumer.site_zone_name({"business_hours": {"tz": "Europe/Paris"}}) == "Europe/Paris"
    assert consumer.site_zone_name(None) == "UTC"

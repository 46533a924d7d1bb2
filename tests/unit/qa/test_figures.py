"""QA figures (chalicelib/domain/qa/figures.py), no AWS: contributions add and subtract so a
rescored conversation counts once; the summary's averages and top findings."""
from chalicelib.domain.qa import figures as fig


def result(score, agent="ann", checks=("greeting",)):
    return {"score": score, "agent_id": agent,
            "result": {"findings": [{"check": c, "seq": 1} for c in checks]}}


def review(score, scores, status="reviewed"):
    return {"status": status, "score": score, "agent_id": "ann", "team": "sales",
            "scores": scores}


def test_a_rescored_conversation_counts_once():
    day = fig.merge({}, fig.auto_contribution(result(70)))
    day = fig.merge(day, fig.delta(fig.auto_contribution(result(70)),
                                   fig.auto_contribution(result(50, checks=("greeting",
                                                                            "frustration")))))
    assert day["auto"] == {"n": 1, "sum": 50}
    assert day["findings"] == {"greeting": 1, "frustration": 1}
    same = fig.delta(fig.auto_contribution(result(50)), fig.auto_contribution(result(50)))
    assert same == {}                                   # a redelivery changes nothing


def test_review_contributions_follow_the_review():
    queued = fig.review_contribution(review(None, {}, "queued"))
    assert queued == {}
    first = fig.delta({}, fig.review_contribution(review(40, {"a": 1, "b": 3})))
    amended = fig.delta(fig.review_contribution(review(40, {"a": 1, "b": 3})),
                        fig.review_contribution(review(100, {"a": 5, "b": 5}, "settled")))
    day = fig.merge(first, amended)
    assert day["reviews"] == {"n": 1, "sum": 100}
    assert day["criteria"] == {"a": {"n": 1, "sum": 100}, "b": {"n": 1, "sum": 100}}
    assert day["agents"]["ann"] == {"rev_n": 1, "rev_sum": 100}


def test_summary_averages_and_top_findings():
    d1 = fig.merge(fig.auto_contribution(result(80, checks=("greeting", "closing"))),
                   fig.review_contribution(review(60, {"a": 3})))
    d2 = fig.merge(fig.auto_contribution(result(40, "bob", ("greeting",))),
                   fig.auto_contribution(result(60, "bob", ())))
    out = fig.summarize([{"day": "2026-11-02", "figures": d2},
                         {"day": "2026-11-01", "figures": d1}])
    assert out["auto"] == {"n": 3, "avg": 60.0} and out["reviews"] == {"n": 1, "avg": 60.0}
    assert [s["day"] for s in out["series"]] == ["2026-11-01", "2026-11-02"]
    assert out["series"][1] == {"day": "2026-11-02", "auto_avg": 50.0, "review_avg": None}
    assert out["top_findings"] == [{"check": "greeting", "count": 2},
                                   {"check": "closing", "count": 1}]
    by = {a["agent_id"]: a for a in out["agents"]}
    assert by["bob"]["auto_avg"] == 50.0 and by["ann"]["review_avg"] == 60.0
    assert out["criteria"] == [{"criterion": "a", "n": 1, "avg": 60.0}]
    assert out["teams"] == [{"team": "sales", "review_n": 1, "review_avg": 60.0}]
    assert fig.day_of(fig.day_start("2026-11-02")) == "2026-11-02"


# ------------------------------------------------------------ days in the site's report zone
class FakeFigures:
    """deps.qa_figures in memory: day items keyed by (site, day)."""

    def __init__(self):
        self.items = {}

    def add(self, site_key, day, day_ms, change, merge):
        self.items[(site_key, day)] = merge(self.items.get((site_key, day), {}), change)

    def days(self, site_key, from_ms, to_ms, limit=100):
        return [{"day": d, "figures": f} for (s, d), f in sorted(self.items.items())
                if s == site_key and from_ms <= fig.day_start(d) <= to_ms]


class FakeSites:
    def __init__(self, settings):
        self.settings = settings

    def get(self, site_key):
        return {"site_key": site_key, "settings": self.settings}


class Deps:
    def __init__(self, settings, now_s):
        self.qa_figures, self.sites, self.clock = FakeFigures(), FakeSites(settings), lambda: now_s


# 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Shanghai
LATE_UTC_MS = 1772386200000


def test_days_are_local_to_the_zone_and_fixed_on_the_item():
    from zoneinfo import ZoneInfo
    assert fig.day_of(LATE_UTC_MS) == "2026-03-01"
    assert fig.day_of(LATE_UTC_MS, ZoneInfo("Asia/Shanghai")) == "2026-03-02"
    # the day fixed at scoring wins over the close time; older items fall back to UTC
    assert fig.counted_day({"closed_at": LATE_UTC_MS, "result": {"day": "2026-03-02"}}) \
        == "2026-03-02"
    assert fig.counted_day({"closed_at": LATE_UTC_MS, "result": {}}) == "2026-03-01"
    assert fig.counted_day({"closed_at": LATE_UTC_MS, "day": "2026-03-02"}) == "2026-03-02"
    assert fig.counted_day(None) is None


def test_rescoring_and_reviews_count_in_the_day_they_were_first_counted_in():
    from chalicelib.domain.actors import Actor
    from chalicelib.services import qa_figures
    deps = Deps({"report_tz": "Asia/Shanghai"}, LATE_UTC_MS / 1000)
    item = {"conversation_id": "c1", "site_key": "s", "agent_id": "ann",
            "closed_at": LATE_UTC_MS, "score": 70,
            "result": {"day": "2026-03-02", "findings": [{"check": "greeting", "seq": 1}]}}
    qa_figures.on_scored(deps, None, item)
    qa_figures.on_scored(deps, item, item)                         # a redelivery
    rescored = {**item, "score": 40, "result": {**item["result"], "findings": []}}
    qa_figures.on_scored(deps, item, rescored)
    rev = {"conversation_id": "c1", "site_key": "s", "team": "sales", "agent_id": "ann",
           "closed_at": LATE_UTC_MS, "day": "2026-03-02", "status": "queued", "score": None}
    done = {**rev, "status": "reviewed", "score": 80, "scores": {"a": 4}}
    qa_figures.on_review(deps, rev, done)
    assert list(deps.qa_figures.items) == [("s", "2026-03-02")]        # one local day, once
    [day] = deps.qa_figures.items.values()
    assert day["auto"] == {"n": 1, "sum": 40} and "findings" not in day
    assert day["reviews"] == {"n": 1, "sum": 80}
    # the site's zone changes: the same item still subtracts from the day it added to
    deps.sites.settings = {"report_tz": "America/New_York"}
    qa_figures.on_scored(deps, rescored, {**rescored, "score": 90})
    assert list(deps.qa_figures.items) == [("s", "2026-03-02")]
    assert deps.qa_figures.items[("s", "2026-03-02")]["auto"] == {"n": 1, "sum": 90}
    # the summary's "today" is local: in Shanghai it is already 2 March
    sup = Actor(kind="agent", id="sue", role="supervisor")
    deps.sites.settings = {"report_tz": "Asia/Shanghai"}
    out = qa_figures.summary(deps, sup, {"site_key": "s", "days": "1"})
    assert (out["from"], out["to"]) == ("2026-03-02", "2026-03-02")
    assert out["auto"] == {"n": 1, "avg": 90.0} and out["reviews"] == {"n": 1, "avg": 80.0}
    deps.sites.settings = {}                                         # UTC: still 1 March
    assert qa_figures.summary(deps, sup, {"site_key": "s", "days": "1"})["auto"]["n"] == 0

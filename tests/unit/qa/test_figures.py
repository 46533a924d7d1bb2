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

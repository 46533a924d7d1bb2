"""Manual review rules (chalicelib/domain/qa/review.py), no AWS: rubric validation, sampling,
scoring and the review's life (dispute once, settle by uphold or amend)."""
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.domain.qa import review as rv
from chalicelib.errors import AppError

ANN = Actor(kind="agent", id="ann", role="agent", name="Ann")
BOB = Actor(kind="agent", id="bob", role="agent", name="Bob")
SUE = Actor(kind="agent", id="sue", role="supervisor", name="Sue")
RUBRIC = {"criteria": [
    {"id": "greeting", "label": {"en": "Greeting", "zh": "问候"}, "weight": 1},
    {"id": "solution", "label": {"en": "Solution", "zh": "解决问题"}, "weight": 3}],
    "reviewers": ["bob", "bob"]}


def code_of(fn, *args):
    with pytest.raises(AppError) as info:
        fn(*args)
    assert info.value.status < 500
    return info.value.code


def config():
    return rv.parse_config(RUBRIC)


def test_rubric_validation():
    cfg = config()
    assert cfg["reviewers"] == ["bob"] and cfg["sampling"] == rv.DEFAULT_SAMPLING
    assert [c["id"] for c in cfg["criteria"]] == ["greeting", "solution"]
    crit = RUBRIC["criteria"][0]
    assert code_of(rv.parse_config, {"criteria": []}) == "empty_rubric"
    assert code_of(rv.parse_config, {"criteria": [crit, crit]}) == "duplicate_criterion"
    assert code_of(rv.parse_config, {"criteria": [{**crit, "weight": 0}]}) == "out_of_range"
    assert code_of(rv.parse_config, {"criteria": [{**crit, "label": {"en": "x"}}]}) == \
        "missing_field"
    assert code_of(rv.parse_config, {"criteria": [{**crit, "id": "Bad Id"}]}) == \
        "invalid_format"
    assert code_of(rv.parse_config, {"criteria": [crit], "sampling": {
        "random_percent": 101}}) == "out_of_range"
    assert code_of(rv.parse_config, {"criteria": [crit], "extra": 1}) == "unknown_field"


def test_who_may_review():
    cfg = config()
    assert rv.may_review(SUE, None) and rv.may_review(BOB, cfg)
    assert not rv.may_review(ANN, cfg) and not rv.may_review(BOB, None)


def test_sampling_is_deterministic_and_follows_the_rules():
    ids = [f"c_{i:05d}" for i in range(4000)]
    rules = {"random_percent": 5, "max_rating": 0, "max_auto_score": 0, "seed": "s1"}
    picked = [c for c in ids if rv.sample(c, rules, 90, None)]
    assert picked == [c for c in ids if rv.sample(c, rules, 90, None)]   # same answer again
    assert 0.035 < len(picked) / len(ids) < 0.065                         # about 5 %
    other = [c for c in ids if rv.sample(c, {**rules, "seed": "s2"}, 90, None)]
    assert other != picked                                                # the seed matters
    assert rv.sample("c_x", {**rules, "random_percent": 0}, 90, 5) == []
    full = {"random_percent": 100, "max_rating": 2, "max_auto_score": 60, "seed": "s"}
    assert rv.sample("c_x", full, 59, 2) == ["low_rating", "low_auto_score", "random"]
    none = {**full, "random_percent": 0}
    assert rv.sample("c_x", none, 60, 3) == [] and rv.sample("c_x", none, 60, None) == []
    assert rv.sample("c_x", none, None, 1) == ["low_rating"]


def test_scoring_is_a_weighted_mean_out_of_100():
    cfg = config()
    assert rv.total({"greeting": 5, "solution": 5}, cfg["criteria"]) == 100
    assert rv.total({"greeting": 5, "solution": 0}, cfg["criteria"]) == 25
    assert code_of(rv.parse_scores, {"greeting": 5}, cfg["criteria"]) == "missing_score"
    assert code_of(rv.parse_scores, {"greeting": 6, "solution": 1}, cfg["criteria"]) == \
        "invalid_score"
    assert code_of(rv.parse_scores, {"greeting": True, "solution": 1}, cfg["criteria"]) == \
        "invalid_score"
    assert code_of(rv.parse_scores, {"greeting": 1, "solution": 1, "x": 1},
                   cfg["criteria"]) == "unknown_criterion"


def queued():
    return rv.new_review("c_1", "demo", "_default", "ann", 1000, 55, ["low_auto_score"], 2000)


def reviewed():
    return rv.submit(queued(), BOB, config(), {
        "scores": {"greeting": 4, "solution": 2},
        "comments": [{"seq": 7, "text": "Missed the refund"}, {"seq": 3, "text": "Good"}]},
        last_seq=9, now=3000)


def test_submit_scores_every_criterion_and_comments_on_messages():
    r = reviewed()
    assert r["status"] == "reviewed" and r["score"] == round(100 * (4 + 6) / 20)
    assert [c["seq"] for c in r["comments"]] == [3, 7]
    assert r["history"] == [{"action": "reviewed", "by": "bob", "at": 3000}]
    assert code_of(rv.submit, queued(), ANN, config(), {"scores": {"greeting": 1,
                   "solution": 1}}, 9, 1) == "own_conversation"
    assert code_of(rv.submit, queued(), BOB, config(), {"scores": {"greeting": 1,
                   "solution": 1}, "comments": [{"seq": 10, "text": "x"}]}, 9, 1) == \
        "seq_out_of_range"
    assert code_of(rv.submit, r, BOB, config(), {"scores": {}}, 9, 1) == \
        "invalid_review_state"


def test_the_agent_acknowledges_or_disputes_once():
    r = reviewed()
    assert code_of(rv.acknowledge, r, BOB, 4000) == "not_your_review"
    assert rv.acknowledge(r, ANN, 4000)["status"] == "acknowledged"
    d = rv.dispute(r, ANN, {"reason": "The refund was not allowed"}, 4000)
    assert d["status"] == "disputed" and d["dispute"]["reason"].startswith("The refund")
    assert code_of(rv.dispute, d, ANN, {"reason": "again"}, 4100) == "already_disputed"
    assert code_of(rv.dispute, r, ANN, {"reason": " "}, 4100) == "empty"
    assert code_of(rv.dispute, r, ANN, {}, 4100) == "missing_field"
    acked = rv.acknowledge(r, ANN, 4000)
    assert code_of(rv.dispute, acked, ANN, {"reason": "late"}, 4100) == "invalid_review_state"
    assert code_of(rv.dispute, queued(), ANN, {"reason": "early"}, 4100) == \
        "invalid_review_state"


def test_the_supervisor_upholds_or_amends():
    d = rv.dispute(reviewed(), ANN, {"reason": "unfair"}, 4000)
    up = rv.settle(d, SUE, {"decision": "uphold", "comment": "Stands"}, 5000)
    assert up["status"] == "settled" and up["score"] == reviewed()["score"]
    am = rv.settle(d, SUE, {"decision": "amend", "comment": "Fair point",
                            "scores": {"greeting": 4, "solution": 5}}, 5000)
    assert am["score"] == round(100 * (4 + 15) / 20) and am["original_score"] == 50
    assert [h["action"] for h in am["history"]] == ["reviewed", "disputed", "amend"]
    assert code_of(rv.settle, d, BOB, {"decision": "uphold", "comment": "x"}, 1) == \
        "not_supervisor"
    assert code_of(rv.settle, d, SUE, {"decision": "amend", "comment": "x"}, 1) == \
        "missing_field"
    assert code_of(rv.settle, d, SUE, {"decision": "uphold", "comment": "x",
                                       "scores": {"greeting": 1}}, 1) == "invalid_settlement"
    assert code_of(rv.settle, up, SUE, {"decision": "uphold", "comment": "x"}, 1) == \
        "invalid_review_state"
    assert code_of(rv.settle, reviewed(), SUE, {"decision": "uphold", "comment": "x"}, 1) == \
        "invalid_review_state"


def test_who_sees_a_review():
    cfg = config()
    assert rv.visible_to(queued(), BOB, cfg) and not rv.visible_to(queued(), ANN, cfg)
    assert rv.visible_to(reviewed(), ANN, cfg)
    carl = Actor(kind="agent", id="carl", role="agent")
    assert not rv.visible_to(reviewed(), carl, cfg)

"""The answer-or-not rule learned on other businesses' visitors (prior.py, train_prior.py).
No AWS."""
import json

import pytest

from chalicelib.domain.bot import prior, train_prior
from chalicelib.domain.bot.calibration import TIE
from chalicelib.domain.bot.matcher import Matcher

from ._kb import KB


@pytest.fixture(scope="module")
def own():
    return Matcher(KB, prior=False)


def pick(m, text):
    whole = m.score_query(text)
    pk, _ = m.decider.pick(m, [(whole, "whole")] + m.other_readings(text, whole))
    return pk


def test_the_features_are_relative_to_the_kb_where_that_matters(own):
    pk = pick(own, "怎么退款")
    x = prior.vector(own.decider, pk)
    assert len(x) == len(prior.NAMES)
    assert x[prior.NAMES.index("p")] == pk.p
    # the KB model's probability against the KB's own threshold: > 0 above it
    assert (x[0] > 0) == (pk.p > own.decider.answer_p)
    assert x[prior.NAMES.index("score")] == pk.f[0]


def test_a_rule_answers_above_its_threshold_and_never_a_near_tie(own):
    q = "退款多久到账"                                   # not one of the KB's own questions
    pk = pick(own, q)
    assert pk.f[0] < 0.999
    always = prior.GlobalRule([30.0] + [0.0] * len(prior.NAMES), 0.5)
    never = prior.GlobalRule([-30.0] + [0.0] * len(prior.NAMES), 0.5)
    own.decider.prior = always
    try:
        assert own.decider.answer_pick(own, pk) == (pk.f[1] >= TIE * pk.f[0])
        assert own.match(q).decision == "answer"
        own.decider.prior = never
        assert not own.decider.answer_pick(own, pk)
        assert own.match(q).decision != "answer"
        # the KB has the very question (score 1): answered whatever the rule says
        assert pick(own, "怎么退款").f[0] >= 0.999
        assert own.match("怎么退款").decision == "answer"
    finally:
        own.decider.prior = None


def test_fit_chooses_the_threshold_worth_most_right_answers_less_wrong_ones():
    rows = [([x / 10.0], int(x >= 5)) for x in range(10)] + [([0.45], 0), ([0.55], 1)]
    rule = train_prior.fit(rows, cost=2.0)
    answered = [(x, y) for x, y in rows if rule.probability(x) >= rule.threshold]
    assert all(y for _, y in answered) and len(answered) == 6


def test_the_shipped_rule_is_loaded_per_mode(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"lexical": {"weights": [1.0, 2.0], "threshold": 0.4}}))
    monkeypatch.setattr(prior, "WEIGHTS", path)
    prior.load.cache_clear()
    try:
        rule = prior.load("lexical")
        assert rule.weights == [1.0, 2.0] and rule.threshold == 0.4
        assert prior.load("semantic") is None            # the KB's own rule then
    finally:
        prior.load.cache_clear()


def test_a_matcher_uses_the_shipped_rule_unless_told_not_to():
    assert Matcher(KB, prior=False).decider.prior is None
    assert Matcher(KB).decider.prior is prior.load("lexical")


def test_samples_label_the_pick_right_or_wrong(own):
    rows = train_prior.samples(own, [{"q": "怎么退款", "expect": "zh-refund"},
                                     {"q": "怎么退款", "expect": "zh-invoice"},
                                     {"q": "怎么退款", "expect": None},
                                     {"q": "转人工", "expect": None}])   # a handoff: skipped
    assert [y for _, y in rows] == [1, 0, 0]


def test_the_shipped_weights_fit_the_features_of_their_mode():
    stored = json.loads(prior.WEIGHTS.read_text(encoding="utf-8"))
    assert len(stored["lexical"]["weights"]) == 1 + len(prior.NAMES)
    assert len(stored["semantic"]["weights"]) == 1 + len(prior.NAMES) + 2  # the encoder's two
    for mode in ("lexical", "semantic"):
        assert 0 < stored[mode]["threshold"] < 1
        # learned from the training sets written for it, not from a blind set
        assert {"anxin-insurance", "voltway", "stagepass"} <= set(stored[mode]["businesses"])

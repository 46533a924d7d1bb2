"""The learned handoff classifier (domain/bot/handoff_model.py) next to the rules: the shipped
weights are what the training command makes from the repository's data, it finds requests
the rules have no pattern for, ordinary questions stay questions, and a rule's veto (a
negation, a question about reaching support or the service's hours) wins."""
import json
from pathlib import Path

import pytest

from chalicelib.domain.bot import handoff, handoff_model
from chalicelib.domain.bot.handoff import is_handoff_request

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_weights_are_the_training_commands_output():
    rows = handoff_model.training_rows(str(ROOT / "tests/data/bot/handoff-train.jsonl"), ROOT)
    assert len(rows) > 1000 and sum(1 for _, y in rows if y) == 300
    shipped = json.loads(handoff_model.WEIGHTS.read_text(encoding="utf-8"))
    assert handoff_model.train(rows) == shipped


# none of these is in the training data, and no rule names their wording
@pytest.mark.parametrize("text", [
    "我想找个懂行的人聊聊我这个情况", "能不能让你们售后的同事联系我", "麻烦转给负责退款的同事",
    "could somebody from your billing team give me a ring", "hook me up with someone who knows billing",
    "pls put me through to ur support ppl", "can I get the billing department on the phone",
])
def test_requests_the_rules_do_not_name_are_found(text):
    assert is_handoff_request(text)
    assert not any(handoff._rules(t) for t in [handoff.normalize(text)])


@pytest.mark.parametrize("text", [
    "退货运费谁出", "How long does shipping take to Canada?", "会员卡可以转给家人用吗",
    "do you have a student discount", "发票可以开专票吗", "my order arrived damaged, what now",
    "有客服电话吗", "what are your support hours on sunday",
])
def test_ordinary_questions_stay_questions(text):
    assert not is_handoff_request(text)


@pytest.mark.parametrize("text", [
    "不用转给你们同事了，我自己看看", "no need to put me through to anyone, just the price please",
    "人工客服几点上班",
])
def test_a_rules_veto_wins_over_the_model(text):
    assert not is_handoff_request(text)


def test_without_the_weights_the_rules_alone_decide(monkeypatch):
    monkeypatch.setattr(handoff_model, "model", lambda: None)
    assert is_handoff_request("转人工")
    assert not is_handoff_request("能不能让你们售后的同事联系我")

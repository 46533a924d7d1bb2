"""A question *about* the human service (hours, price, weekends) is not a request for it."""
import pytest

from chalicelib.domain.bot.handoff import is_handoff_request


@pytest.mark.parametrize("q", [
    "人工服务几点上班", "客服周末在吗", "人工客服收费吗", "人工客服什么时候上班", "客服晚上有人吗?",
    "when are your agents available", "is customer service open on weekends",
    "what are your support hours", "is live chat available at night",
])
def test_questions_about_the_service_are_not_handoffs(q):
    assert not is_handoff_request(q)


@pytest.mark.parametrize("q", [
    "转人工", "我要找客服", "人工客服在哪", "有人工吗", "什么时候能转人工", "我要人工客服",
    "周末也行,帮我转人工", "talk to a human", "can I speak to someone on the weekend",
    "is anyone available",
])
def test_requests_still_hand_off(q):
    assert is_handoff_request(q)

"""Related questions offered with an answer are in the visitor's language."""
from chalicelib.domain.bot import Bot, KBEntry, Matcher


def test_related_questions_with_an_answer_stay_in_the_visitors_language():
    entries = [KBEntry("en-price", "How much does it cost?", ["pricing"], "From $3."),
               KBEntry("zh-price", "套餐价格是多少?", ["多少钱"], "15元起。"),
               KBEntry("en-plans", "What plans do you offer?", ["pricing plans"], "Two plans.")]
    reply = Bot(Matcher(entries)).respond({}, "How much does it cost?", {"locale": "en"})
    assert reply.kind == "answer" and reply.entry_id == "en-price"
    assert all(s["id"] != "zh-price" for s in reply.suggestions)

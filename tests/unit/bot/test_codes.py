"""Codes of letters and digits ("C1", "5G", "S20") are words of their own: they tell a
business's plans, models and forms apart. Amounts with a unit and ordinals are not codes."""
from chalicelib.domain.bot.analyzer import Analyzer
from chalicelib.domain.bot.matcher import KBEntry, Matcher

KB = [
    KBEntry("c1-fee", "C1手动挡学费多少?", ["C1价格"], "C1 普通班 4680 元。"),
    KBEntry("c2-fee", "C2自动挡学费多少?", ["C2价格"], "C2 普通班 4980 元。"),
    KBEntry("plan-5g", "Do you have 5G plans?", ["5G coverage"], "Every plan includes 5G."),
    KBEntry("plan-4g", "Is there a cheaper 4G plan?", ["4G only plan"], "Our 4G plan is $8."),
    KBEntry("hours", "What are your opening hours?", ["When are you open"],
            "We open 9am to 5pm."),
]


def test_a_code_is_one_word_and_an_amount_or_ordinal_is_not():
    terms = Analyzer().analyze("c2要多少钱 my S20 on the 5G plan")
    assert {"w:c2", "w:s20", "w:5g"} <= set(terms)
    terms = Analyzer().analyze("at 5pm for 2hrs on the 15th, 40k budget")
    assert not {"w:5pm", "w:2hrs", "w:15th", "w:40k"} & set(terms)


def test_the_code_picks_the_entry_it_names():
    m = Matcher(KB, calibrate=False)
    for text, want in (("c2要多少钱", "c2-fee"), ("c1学费", "c1-fee"), ("C2 价格?", "c2-fee"),
                       ("any 4g plans", "plan-4g"), ("5g plan?", "plan-5g")):
        scored = m.score_query(text)
        assert m.entries[scored.cands[0][0]].id == want, text
        # the other code's entry is not tied with it
        assert scored.cands[1][1] < scored.cands[0][1], text

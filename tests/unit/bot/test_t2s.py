"""Traditional characters: OpenCC's whole character table (t2s.py) under the normaliser's
own pairs, so a question typed in traditional characters reads as its simplified twin."""
from chalicelib.domain.bot.matcher import KBEntry, Matcher
from chalicelib.domain.bot.normalize import T2S, normalize
from chalicelib.domain.bot.t2s import PAIRS


def test_the_table_is_one_character_to_another():
    assert len(PAIRS) > 4000
    assert all(len(t) == 1 and len(s) == 1 and t != s for t, s in PAIRS.items())
    assert set(PAIRS) <= set(T2S)
    assert T2S["劵"] == "券" and T2S["帐"] == "账"          # our own pairs over OpenCC's


def test_characters_the_old_table_missed_are_converted():
    assert normalize("能換個教練嗎") == "能换个教练吗"
    assert normalize("駕駛證 練車 頭髮 乾淨") == "驾驶证 练车 头发 干净"
    assert normalize("简体字不变") == "简体字不变"


def test_a_traditional_question_finds_the_simplified_entry():
    kb = [KBEntry("coach", "可以换教练吗?", ["更换教练"], "可以,在小程序里申请。"),
          KBEntry("licence", "多久能拿到驾驶证?", ["拿证时间"], "一般三个月。")]
    m = Matcher(kb, calibrate=False)
    for text, want in (("能換個教練嗎", "coach"), ("駕駛證多久能拿", "licence")):
        assert m.entries[m.score_query(text).cands[0][0]].id == want

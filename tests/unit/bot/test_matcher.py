import pytest

from chalicelib.domain.bot import matcher as matcher_mod
from chalicelib.domain.bot.matcher import KBEntry, Matcher, Scored, get_matcher, stem
from chalicelib.domain.bot.normalize import detect_language, normalize, to_simplified

from ._kb import KB


@pytest.fixture(scope="module")
def m():
    # the fixed-threshold decision; the self-calibrated one is tested in test_calibration.py
    return Matcher(KB, calibrate=False)


def answered(m, text):
    r = m.match(text)
    return r.best.id if r.decision == "answer" else None


def test_normalize_width_case_punct_traditional():
    assert normalize("ＨＯＷ ＭＵＣＨ？？  費用，帳號") == "how much 费用 账号"
    assert to_simplified("檔案設定") == "档案设定"
    assert detect_language("忘记密码") == "zh"
    assert detect_language("forgot password") == "en"


def test_stem_is_consistent():
    assert stem("sharing") == stem("shared") == stem("share")
    assert stem("refunds") == stem("refund")


@pytest.mark.parametrize("q,expect", [
    ("会员一年要多少钱", "zh-price"),
    ("收费怎么算的", "zh-price"),
    ("我想把钱退回来,申请退款", "zh-refund"),
    ("密码忘了登录不了", "zh-password"),
    ("公司报销要发票", "zh-invoice"),
    ("下单后什么时候发货", "zh-delivery"),
])
def test_chinese_paraphrases(m, q, expect):
    assert answered(m, q) == expect


@pytest.mark.parametrize("q,expect", [
    ("what is the price of a membership", "en-price"),
    ("I want my money back", "en-refund"),
    ("how can I reset my password", "en-password"),
    ("how long until my order ships", "en-delivery"),
    ("close account", "en-account"),
])
def test_english_paraphrases(m, q, expect):
    assert answered(m, q) == expect


def test_typo_tolerance(m):
    assert answered(m, "how do I get a refnud") == "en-refund"
    assert answered(m, "forgot my pasword") == "en-password"


def test_full_width_and_traditional(m):
    assert answered(m, "ＲＥＳＥＴ ＰＡＳＳＷＯＲＤ") == "en-password"
    assert answered(m, "忘記密碼怎麼辦") == "zh-password"
    assert answered(m, "會員價格是多少") == "zh-price"


def test_replies_in_query_language_when_both_exist(m):
    assert answered(m, "membership price") == "en-price"
    assert answered(m, "会员价格") == "zh-price"


@pytest.mark.parametrize("q", [
    "how much does a coffee cost",
    "我想订机票",
    "what's the weather tomorrow",
    "你们老板是谁",
    "can you recommend a good restaurant",
    "how do I delete my instagram photos from the cloud",
    "",
    "???",
])
def test_out_of_scope_is_not_answered(m, q):
    r = m.match(q)
    assert r.decision != "answer"
    assert r.best is None


def test_suggestion_band(m):
    # partially covered question (shipping fee is not in the KB): suggest, don't answer
    r = m.match("会员价格算上运费吗")
    assert r.decision == "suggest"
    assert r.best is None
    assert r.suggestions and r.suggestions[0][0].id == "zh-price"
    assert m.suggest_threshold <= r.confidence < m.answer_threshold
    assert all(s >= m.suggest_threshold for _, s in r.suggestions)


def test_thresholds_are_configurable():
    strict = Matcher(KB, answer_threshold=0.99, suggest_threshold=0.95, calibrate=False)
    assert strict.match("会员价格算上运费吗").decision == "none"
    lax = Matcher(KB, answer_threshold=0.3, calibrate=False)
    assert lax.match("会员价格算上运费吗").best.id == "zh-price"


def test_confidence_is_bounded_and_ordered(m):
    r_good = m.match("忘记密码怎么办")
    r_weak = m.match("密码相关的长长的一段描述里面还有很多别的无关内容比如天气")
    assert 0.0 <= r_weak.confidence <= r_good.confidence <= 1.0
    assert r_good.confidence > 0.9


def test_disabled_entries_are_not_matched():
    entries = [KBEntry("a", "忘记密码怎么办", [], "x", enabled=False), KBEntry("b", "怎么开发票", [], "y")]
    assert Matcher(entries).match("忘记密码").decision == "none"
    assert Matcher(entries, calibrate=False).match("忘记密码").decision == "none"


def test_admin_synonyms_dict_and_groups():
    entries = [KBEntry("vip", "怎么开通VIP?", [], "x")]
    assert Matcher(entries).match("如何成为尊享会员").decision != "answer"
    assert answered(Matcher(entries, {"vip": ["尊享会员"]}), "如何开通尊享会员") == "vip"
    assert answered(Matcher(entries, [["vip", "尊享会员"]]), "如何开通尊享会员") == "vip"


def test_get_matcher_caches_per_version():
    matcher_mod.clear_cache()
    calls = []

    def loader():
        calls.append(1)
        return KB

    a = get_matcher("v1", loader)
    b = get_matcher("v1", loader)
    c = get_matcher("v2", loader)
    assert a is b and a is not c
    assert len(calls) == 2
    assert a.version == "v1"


def test_get_matcher_is_an_lru_over_many_sites():
    matcher_mod.clear_cache()
    builds = []

    def loader_for(site):
        def loader():
            builds.append(site)
            return KB
        return loader

    sites = ["site%d" % i for i in range(10)]
    for _ in range(5):  # 10 sites in rotation, 5 turns each
        for s in sites:
            get_matcher(f"{s}:v1:c1", loader_for(s), site=s)
    assert len(builds) == 10  # once per site, not once per turn
    # a new version of one site replaces that site's matcher (no stale versions kept)
    get_matcher("site3:v2:c1", loader_for("site3"), site="site3")
    assert matcher_mod.cache_info()["size"] == 10
    get_matcher("site3:v2:c1", loader_for("site3"), site="site3")
    assert len(builds) == 11


def test_get_matcher_evicts_the_least_recently_used(monkeypatch):
    matcher_mod.clear_cache()
    monkeypatch.setattr(matcher_mod, "CACHE_SIZE", 3)
    builds = []

    def loader():
        builds.append(1)
        return KB

    for v in ("a", "b", "c"):
        get_matcher(v, loader)
    get_matcher("a", loader)       # a is now the most recent
    get_matcher("d", loader)       # evicts b
    assert len(builds) == 4
    get_matcher("a", loader)
    get_matcher("c", loader)
    assert len(builds) == 4
    get_matcher("b", loader)
    assert len(builds) == 5
    assert matcher_mod.cache_info()["size"] == 3
    matcher_mod.clear_cache()


# ---- confidence calibration on the sample KB ------------------------------------------------
def _sample_matcher():
    from pathlib import Path
    from chalicelib.domain.bot.kbcsv import load_csv_file
    return Matcher(load_csv_file(str(Path(__file__).resolve().parents[3] / "infra" / "local"
                                     / "demo_kb.csv")), calibrate=False)


@pytest.mark.parametrize("q", ["free", "trial", "cost", "升级", "价格", "pricing", "SAML", "退款"])
def test_single_token_queries_get_suggestions_at_most(q):
    r = _sample_matcher().match(q)
    assert r.decision != "answer", (q, r.confidence)


@pytest.mark.parametrize("q", [
    "how much storage does the free plan have",   # a topic the price entry does not have
    "is there a free trial of photoshop",         # a word the whole KB has never seen
    "I want to cancel my order",
    "is my credit card data safe when I pay",
    "How much does a coffee cost?",
    "can I get a free trial of netflix",
])
def test_queries_with_topics_or_names_the_entry_lacks_are_not_answered(q):
    r = _sample_matcher().match(q)
    assert r.decision != "answer", (q, r.best and r.best.id, r.confidence)


@pytest.mark.parametrize("q,expect", [
    ("free trial", "en-trial"), ("how much does it cost", "en-price"), ("套餐多少钱", "plan-price"),
    ("怎么升级套餐", "plan-upgrade"), ("is my data encrypted", "en-security"),
])
def test_two_or_more_tokens_still_answer(q, expect):
    r = _sample_matcher().match(q)
    assert r.decision == "answer" and r.best.id == expect, (q, r.confidence)


# ---- the margin rule: a clear winner in the middle band is answered ---------------------
def _sample():
    from pathlib import Path
    from chalicelib.domain.bot.kbcsv import load_csv_file
    # the repo's copy of ../shared/data/faq-sample/kb.csv
    return load_csv_file(str(Path(__file__).resolve().parents[3] / "infra" / "local" /
                             "demo_kb.csv"))


def test_a_clear_winner_in_the_middle_band_is_answered():
    kb = _sample()
    m = Matcher(kb, calibrate=False)
    r = m.match("新用户能白嫖几天吗")
    assert r.decision == "answer" and r.best.id == "trial"
    assert m.margin_threshold <= r.confidence < m.answer_threshold
    off = Matcher(kb, margin_threshold=1.1, calibrate=False)            # the rule switched off
    assert off.match("新用户能白嫖几天吗").decision == "suggest"
    # the only entry on the topic is in the other language: suggested, not answered
    assert m.match("how long are deleted files kept").decision == "suggest"


def test_a_close_rival_keeps_the_middle_band_a_suggestion():
    class Fixed(Matcher):
        def __init__(self, scores):
            super().__init__([KBEntry("a", "问题一", [], "答一"), KBEntry("b", "问题二", [], "答二")],
                             calibrate=False)
            self.scores = scores

        def score_query(self, text, exclude=None):
            return Scored([s + (1.0, 1.0) for s in self.scores], 0.0, False, "zh", 2)

    clear = Fixed([(0, 0.45, True), (1, 0.20, True)])
    assert clear.match("随便问问").decision == "answer"
    close = Fixed([(0, 0.45, True), (1, 0.40, True)])
    assert close.match("随便问问").decision == "suggest"
    penalised = Fixed([(0, 0.45, False), (1, 0.10, True)])   # a word or topic it lacks
    assert penalised.match("随便问问").decision == "suggest"

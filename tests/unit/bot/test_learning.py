from chalicelib.domain.bot.learning import find_duplicate_entries, propose_entries
from chalicelib.domain.bot.matcher import KBEntry

from ._kb import KB

MISSES = [
    "怎么修改绑定的手机号", "如何更换绑定手机号", "換綁定手機號", "绑定的手机号怎么改", "怎么修改绑定的手机号",
    "how do I change my email address", "change email address", "chnage my email adress",
    "Change my e-mail address?",
    "支持企业微信吗", "有没有企业微信集成",
    "你们的办公地址在哪",
]


def _cluster_of(props, text):
    return next(p for p in props if text in p.examples)


def test_paraphrases_of_same_question_grouped_with_counts():
    props = propose_entries(MISSES)
    phone = _cluster_of(props, "怎么修改绑定的手机号")
    assert set(phone.examples) == {"怎么修改绑定的手机号", "如何更换绑定手机号", "換綁定手機號", "绑定的手机号怎么改"}
    assert phone.count == 5  # exact repeat counted
    email = _cluster_of(props, "change email address")
    assert "chnage my email adress" in email.examples  # typo variant
    assert email.count == 4
    assert email.representative in email.examples
    wecom = _cluster_of(props, "支持企业微信吗")
    assert wecom.count == 2


def test_different_questions_not_merged_and_sorted_by_count():
    props = propose_entries(MISSES)
    addr = _cluster_of(props, "你们的办公地址在哪")
    assert addr.count == 1 and addr.examples == ["你们的办公地址在哪"]
    assert props[0].count >= props[-1].count
    assert props[0].representative == "怎么修改绑定的手机号"
    assert sum(p.count for p in props) == len(MISSES)


def test_accepts_dicts_and_ignores_blank():
    props = propose_entries([{"text": "退款多久到账"}, {"q": "退款多久能到账"}, "  "])
    assert len(props) == 1 and props[0].count == 2


def test_duplicate_entries_found():
    kb = KB + [KBEntry("zh-price-2", "会员的收费标准是什么", ["会员多少钱"], "x"),
               KBEntry("en-refund-2", "Can I get my money back?", [], "y")]
    dups = find_duplicate_entries(kb)
    pairs = {frozenset(p[:2]) for p in dups}
    assert frozenset(("zh-price", "zh-price-2")) in pairs
    assert frozenset(("en-refund", "en-refund-2")) in pairs
    assert all(0 < s <= 1.0001 for *_, s in dups)


def test_distinct_entries_and_translations_are_not_duplicates():
    dups = find_duplicate_entries(KB)
    assert dups == []


def test_zhang_variants_cluster_together():
    from chalicelib.domain.bot.learning import propose_entries as pe
    props = pe(["怎么注销账号", "注销帐号", "注销帐户怎么弄"])
    assert props[0].count == 3

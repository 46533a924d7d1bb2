"""Chat records rules (no AWS): tokens for Chinese and English, the posting intersection and
its horizon, who sees a record, what each filter keeps, how a query is validated."""
from datetime import timezone, timedelta

import pytest

from chalicelib.domain import records as rules
from chalicelib.domain.actors import Actor
from chalicelib.errors import ValidationError


def test_chinese_becomes_bigrams_and_english_lowercase_words():
    assert rules.tokens("退货运费") == ["退货", "货运", "运费"]
    assert rules.tokens("My REFUNDS, please!") == ["my", "refund", "please"]
    # full-width letters are NFKC-normalized; "ss"/"us" words keep their s
    assert rules.tokens("ＲＥＦＵＮＤ status class") == ["refund", "status", "class"]
    assert rules.tokens("订单123号 order#123") == ["订单", "123", "order"]
    assert rules.tokens("") == [] and rules.tokens(None) == []


def test_a_query_needs_a_token_and_uses_at_most_eight():
    with pytest.raises(ValidationError) as err:
        rules.query_tokens("退")
    assert err.value.code == "query_too_short"
    assert rules.query_tokens("退货") == ["退货"]
    assert len(rules.query_tokens("一二三四五六七八九十")) == rules.MAX_QUERY_TOKENS


def test_conversation_tokens_are_bounded():
    text = " ".join(f"w{i}" for i in range(rules.MAX_TOKENS + 50))
    got = rules.conversation_tokens([text, "退货"])
    assert len(got) == rules.MAX_TOKENS and "退货" not in got


def test_intersection_is_exact_down_to_the_horizon_of_truncated_lists():
    a = (["0009#a", "0008#b", "0006#c", "0004#d"], False)
    b = (["0009#a", "0006#c", "0004#d"], False)
    assert rules.intersect([a, b]) == (["0009#a", "0006#c", "0004#d"], None)
    # b stopped at its budget at 0006: below it nothing is known yet
    cut = (["0009#a", "0006#c"], True)
    assert rules.intersect([a, cut]) == (["0009#a", "0006#c"], "0006#c")
    # two truncated lists: the higher of their last keys is the horizon
    cut2 = (["0009#a", "0008#b"], True)
    assert rules.intersect([cut, cut2]) == (["0009#a"], "0008#b")


RECORD = {"conversation_id": "c1", "agent_id": "ann", "agents": ["ann", "bob"],
          "team": "sales", "channel": "web", "tags": ["refund", "vip"], "rating": 2,
          "status": "closed", "visitor_id": "v1", "visitor_name": "Vera 王"}


def test_visibility_follows_holder_participant_and_team():
    assert rules.visible(RECORD, Actor(kind="agent", id="sue", role="supervisor"))
    assert rules.visible(RECORD, Actor(kind="agent", id="ann", role="agent"))
    assert rules.visible(RECORD, Actor(kind="agent", id="bob", role="agent"))
    assert rules.visible(RECORD, Actor(kind="agent", id="cat", role="agent", teams=("sales",)))
    assert not rules.visible(RECORD, Actor(kind="agent", id="dan", role="agent",
                                           teams=("support",)))


@pytest.mark.parametrize("f, kept", [
    ({"agent": "bob"}, True), ({"agent": "cat"}, False),
    ({"team": "sales"}, True), ({"team": "support"}, False),
    ({"tag": "vip"}, True), ({"tag": "spam"}, False),
    ({"channel": "web"}, True), ({"channel": "email"}, False),
    ({"rating": {1, 2}}, True), ({"rating": {5}}, False),
    ({"status": "closed"}, True), ({"status": "open"}, False),
    ({"visitor": "v1"}, True), ({"visitor": "vera"}, True), ({"visitor": "王"}, True),
    ({"visitor": "zed"}, False),
])
def test_each_filter(f, kept):
    assert rules.matches(RECORD, f) is kept


def test_record_of_a_closed_conversation():
    conv = {"conversation_id": "c1", "site_key": "demo", "visitor_id": "v1",
            "status": "closed", "channel": "web", "team": "sales", "agent_id": "ann",
            "participants": ["bob"], "tags": ["vip", "refund"], "created_at": 1000,
            "last_seq": 7, "rev": 9,
            "attrs": {"closed_at": 5000, "rating": {"score": 2}, "agent_name": "Ann",
                      "visitor_name": "Vera"}}
    rec = rules.record_of(conv)
    assert rec["agents"] == ["ann", "bob"] and rec["tags"] == ["refund", "vip"]
    assert (rec["rating"], rec["closed_at"], rec["started_at"], rec["rev"]) == (2, 5000, 1000, 9)
    assert rules.sort_key(1000, "c1") == "0000000001000#c1"


def test_parse_turns_local_days_into_sort_key_bounds_and_checks_everything():
    tz = timezone(timedelta(hours=8))
    f = rules.parse({"site": "demo", "from": "2026-01-01", "to": "2026-01-01",
                     "rating": "1-2", "status": "closed", "q": "退货 refund"}, tz)
    start = 1767196800000    # 2026-01-01T00:00+08:00
    assert (f["lo"], f["hi"]) == (f"{start:013d}#", f"{start + 86400000:013d}#")
    assert f["rating"] == {1, 2} and f["tokens"] == ["退货", "refund"]
    bad = [({"from": "2026-01-02", "to": "2026-01-01"}, "invalid_range"),
           ({"from": "2026-02-30"}, "invalid_date"),
           ({"rating": "6"}, "invalid_field"), ({"status": "gone"}, "invalid_value"),
           ({"cursor": "nope"}, "invalid_cursor"),
           ({"cursor": "0000000000001#c1"}, "invalid_cursor"),   # outside the range
           ({"agent": "a b"}, "invalid_field"), ({"colour": "red"}, "unknown_field"),
           ({"q": "x" * 201}, "too_long"), ({"site": ""}, "invalid_field")]
    for extra, code in bad:
        params = {"site": "demo", "from": "2026-01-01", "to": "2026-01-01", **extra}
        with pytest.raises(ValidationError) as err:
            rules.parse(params, tz)
        assert err.value.code == code, extra

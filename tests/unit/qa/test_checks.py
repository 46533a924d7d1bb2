"""Automatic quality checks on crafted transcripts (no AWS)."""
import pytest

from chalicelib.domain.qa import checks, sensitive

S = 1000  # ms


class T:
    """A transcript builder: each call appends a row at `at` seconds."""

    def __init__(self):
        self.rows = []

    def _add(self, at, **row):
        self.rows.append({"seq": len(self.rows) + 1, "created_at": at * S, **row})
        return self

    def visitor(self, at, text):
        return self._add(at, sender_type="visitor", type="text", text=text)

    def agent(self, at, text, type="text"):
        return self._add(at, sender_type="agent", type=type, text=text)

    def event(self, at, kind, **data):
        return self._add(at, sender_type="system", type="event", event={"kind": kind, **data})


def good() -> T:
    return (T().visitor(0, "你好,我的订单还没到").event(5, "queued").event(10, "assigned")
            .agent(20, "您好,很高兴为您服务,我帮您查一下").visitor(30, "好的")
            .agent(60, "已经发货了,明天到。还有什么可以帮您?").visitor(70, "没有了谢谢")
            .agent(80, "感谢您的咨询,再见").event(90, "closed", reason="closed"))


def only(result, check):
    return [f for f in result["findings"] if f["check"] == check]


def test_a_good_conversation_scores_100():
    result = checks.inspect(good().rows, {})
    assert result["score"] == 100 and result["findings"] == []
    assert all(c["passed"] for c in result["checks"].values())


def test_slow_first_response_points_at_the_reply():
    t = T().visitor(0, "hi").event(1, "assigned").agent(100, "Hello, how can I help?")
    result = checks.inspect(t.rows, {}, {"first_response": {"limit_seconds": 60}})
    [f] = only(result, "first_response")
    assert f["seq"] == 3 and f["detail"]["seconds"] == 99.0
    # slow first response (15) and no closing phrase (10)
    assert result["score"] == 75


def test_silence_counts_only_the_visitors_waiting_time():
    # the agent is quiet for 500 s, but the visitor was not waiting: no silence
    t = (T().event(0, "assigned").agent(5, "Hello").visitor(10, "ok")
         .agent(15, "done").agent(515, "anything else? bye"))
    assert only(checks.inspect(t.rows, {}), "silence") == []
    # the visitor asks at 20 and again at 200; waiting started at 20, answered at 300
    t = (T().event(0, "assigned").agent(5, "Hello").visitor(20, "where is it?")
         .visitor(200, "hello??").agent(300, "found it, bye"))
    [f] = only(checks.inspect(t.rows, {}), "silence")
    assert f["seq"] == 5 and f["detail"]["seconds"] == 280.0


def test_greeting_and_closing_phrases_in_either_language():
    t = (T().event(0, "assigned").agent(1, "Hi there!").visitor(2, "q").agent(3, "Thanks, bye"))
    result = checks.inspect(t.rows, {})
    assert only(result, "greeting") == [] and only(result, "closing") == []
    t = (T().event(0, "assigned").agent(1, "what").visitor(2, "q").agent(3, "ok"))
    result = checks.inspect(t.rows, {})
    assert [f["seq"] for f in only(result, "greeting")] == [2]
    assert [f["seq"] for f in only(result, "closing")] == [4]
    # "hi" is a word, not part of "this"
    t = T().event(0, "assigned").agent(1, "this is it")
    assert only(checks.inspect(t.rows, {}), "greeting")


def test_forbidden_words_survive_width_traditional_characters_and_spacing():
    for text in ("你給我閉嘴", "你给我闭 嘴", "ＳＨＵＴ ＵＰ please", "Stupid question"):
        t = T().event(0, "assigned").agent(1, "您好").agent(2, text)
        [f] = only(checks.inspect(t.rows, {}), "forbidden")
        assert f["seq"] == 3, text
    t = T().event(0, "assigned").agent(1, "您好, this is stupidly simple? no: 'stupidity'")
    assert only(checks.inspect(t.rows, {}), "forbidden") == []


def test_sensitive_data_luhn_id_card_and_phone():
    assert sensitive.luhn_ok("4111111111111111") and not sensitive.luhn_ok("4111111111111112")
    assert sensitive.id_card_ok("11010519491231002X")
    assert not sensitive.id_card_ok("110105194912310021")     # wrong check digit
    assert not sensitive.id_card_ok("110105194913310028")     # month 13
    kinds = lambda text: [k for _, _, k in sensitive.find(text)]  # noqa: E731
    assert kinds("card 4111 1111 1111 1111 ok") == ["card_number"]
    assert kinds("card 4111 1111 1111 1112 ok") == []
    assert kinds("身份证11010519491231002X") == ["id_card"]
    assert kinds("call 13812345678 or +44 20 7946 0958") == ["phone", "phone"]
    assert kinds("order 2026112912345") == []
    t = T().event(0, "assigned").agent(1, "您好,您的卡号 4111-1111-1111-1111 已绑定")
    result = checks.inspect(t.rows, {})
    [f] = only(result, "sensitive")
    assert f["detail"]["kinds"] == ["card_number"]
    assert result["masked"][2] == "您好,您的卡号 ****-****-****-1111 已绑定"
    t = T().event(0, "assigned").agent(1, "您好,卡号 4111-1111-1111-1112")
    assert only(checks.inspect(t.rows, {}), "sensitive") == []


def test_frustration_signals():
    t = (T().visitor(0, "我要投诉").visitor(1, "WHY IS THIS SO SLOW").visitor(2, "where is my order")
         .visitor(3, "Where is my order?").event(4, "assigned").agent(5, "您好").event(6, "rated"))
    result = checks.inspect(t.rows, {"attrs": {"rating": {"score": 1}}})
    signals = [f["detail"]["signal"] for f in only(result, "frustration")]
    assert signals == ["words", "all_caps", "repeated", "low_rating"]


def test_transfers_over_the_limit_and_unresolved_close():
    t = (T().visitor(0, "q").event(1, "assigned").agent(2, "您好").event(3, "transferred")
         .agent(4, "您好").event(5, "transferred").agent(6, "您好").visitor(7, "still broken")
         .event(8, "closed", reason="idle"))
    result = checks.inspect(t.rows, {})
    assert [f["seq"] for f in only(result, "transfers")] == [6]
    [u] = only(result, "unresolved")
    assert u["seq"] == 9 and u["detail"] == {"last_visitor_seq": 8, "reason": "idle"}


def test_weights_and_disabled_checks_are_data():
    t = T().event(0, "assigned").agent(1, "ok")
    rules = {"greeting": {"weight": 40}, "closing": {"enabled": False}}
    result = checks.inspect(t.rows, {}, rules)
    assert "closing" not in result["checks"]
    assert result["score"] == 60
    # a failing check costs its weight once, and the score never goes below 0
    many = T().event(0, "assigned")
    for i in range(5):
        many.agent(i + 1, "shut up")
    assert checks.inspect(many.rows, {}, {"forbidden": {"weight": 100}})["score"] == 0


@pytest.mark.parametrize("rules", [None, {}, {"unknown": {"weight": 3}}])
def test_unknown_or_missing_rules_fall_back_to_defaults(rules):
    assert checks.inspect(good().rows, {}, rules)["score"] == 100


def test_a_teams_rules_override_the_sites_field_by_field():
    site = {"first_response": {"limit_seconds": 30, "weight": 20}, "closing": {"enabled": False}}
    team = {"first_response": {"limit_seconds": 5}, "forbidden": {"phrases": ["no way"]}}
    rules = checks.layered(site, team)
    assert rules == {"first_response": {"limit_seconds": 5, "weight": 20},
                     "closing": {"enabled": False}, "forbidden": {"phrases": ["no way"]}}
    assert checks.layered(site, None) == site and checks.layered(None, None) == {}
    # the good conversation's first answer came 10 s after the assignment
    t = good()
    assert only(checks.inspect(t.rows, {}, checks.layered(site, None)), "first_response") == []
    result = checks.inspect(t.rows, {}, rules)
    [late] = only(result, "first_response")
    assert late["seq"] == 4 and result["checks"]["first_response"]["weight"] == 20
    assert "closing" not in result["checks"]            # the site's switch still applies
    t.agent(95, "no way")
    assert only(checks.inspect(t.rows, {}, rules), "forbidden")[0]["seq"] == 10
    assert only(checks.inspect(t.rows, {}, site), "forbidden") == []


@pytest.mark.parametrize("bad, field", [
    ([], "qa_team_rules"),
    ({"Sales!": {}}, "qa_team_rules.Sales!"),
    ({"sales": {"nope": {}}}, "qa_team_rules.sales.nope"),
    ({"sales": {"silence": {"limit_seconds": 0}}}, "qa_team_rules.sales.silence.limit_seconds"),
    ({f"t{i}": {} for i in range(checks.MAX_TEAMS + 1)}, "qa_team_rules"),
])
def test_team_rules_are_validated_like_site_rules(bad, field):
    import re
    team_id = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
    with pytest.raises(ValueError) as exc:
        checks.validate_team_rules(bad, team_id)
    assert str(exc.value) == field
    good_rules = {"sales": {"silence": {"limit_seconds": 30}}}
    assert checks.validate_team_rules(good_rules, team_id) == good_rules

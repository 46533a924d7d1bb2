"""Admin-written flow regexes cannot stall a bot turn (chalicelib/domain/bot/safe_regex.py).

Catastrophic patterns run on RE2 in linear time; patterns RE2 cannot run (look-around,
back-references) are refused when the flow is saved. The timeout marker is only a bound
against a hang: with Python's backtracking `re`, `(a+)+$` on these inputs would not finish
in any test run (it doubles per character; ~30 characters already take seconds)."""
from __future__ import annotations

import pytest

from chalicelib.domain.bot import FlowEngine
from chalicelib.domain.bot import safe_regex
from chalicelib.domain.bot.slots import SlotSpec, extract_slots
from chalicelib.errors import ValidationError

EVIL = ["(a+)+$", "(a|a)*$", "(a|aa)+$", "(.*a){20}$", "^(([a-z])+.)+[A-Z]([a-z])+$"]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("pattern", EVIL)
def test_catastrophic_patterns_run_in_linear_time_on_long_input(pattern):
    text = "a" * 4000 + "!"
    assert safe_regex.search(pattern, text) is None
    assert safe_regex.fullmatch(pattern, text) is False


@pytest.mark.timeout(10)
def test_a_flow_with_an_evil_slot_pattern_still_answers():
    flow = {"id": "f", "triggers": ["order status"],
            "slots": [{"name": "ref", "kind": "regex", "pattern": "((a+)+)b",
                       "validate": "(a|aa)+$", "prompt": "Reference?"}],
            "action": {"url": "https://api.example.com/x"}, "answers": {"success": "ok"}}
    engine = FlowEngine([flow])
    reply, state = engine.step(None, "order status", {}, lambda *a: {"ok": True}, lang="en")
    assert reply.status == "ask"
    reply, state = engine.step(state, "a" * 4999 + "!", {}, lambda *a: {"ok": True}, lang="en")
    assert reply.status == "invalid"


def test_admin_patterns_still_work_as_before():
    specs = [SlotSpec("order", "order", r"PO-\d{4}-(\d{4})"), SlotSpec("code", "regex", "[a-z]{3}\\d")]
    assert extract_slots("my order po-2026-0042, code ABC1", specs) == {"order": "0042",
                                                                       "code": "ABC1"}
    assert extract_slots("订单号 AB123456", [SlotSpec("o", "order")]) == {"o": "AB123456"}
    assert safe_regex.fullmatch("[A-Z]{2}\\d{6,}", "AB123456")
    assert not safe_regex.fullmatch("[A-Z]{2}\\d{6,}", "AB123456x")


def test_the_input_is_capped():
    assert safe_regex.search("b$", "a" * safe_regex.MAX_INPUT + "b") is None
    assert safe_regex.search("b", "a" * (safe_regex.MAX_INPUT - 1) + "b") == "b"


@pytest.mark.parametrize("pattern", ["(?<![A-Z])\\d{6}", "(?=x)y", "(a)\\1", "(?P<n>a)(?P=n)"])
def test_patterns_re2_cannot_run_are_refused_at_save(pattern):
    from chalicelib.services.bot import validate_flow
    flow = {"id": "f", "triggers": ["t"], "action": {"url": "https://api.example.com/x"},
            "answers": {"success": "ok"},
            "slots": [{"name": "x", "kind": "regex", "pattern": pattern, "prompt": "p"}]}
    with pytest.raises(ValidationError) as err:
        validate_flow(flow)
    assert err.value.code == "unsupported_regex"
    assert err.value.details == {"field": "flow.slots[0].pattern"}
    with pytest.raises(safe_regex.UnsafePattern):
        safe_regex.compile_pattern(pattern)
    assert safe_regex.search(pattern, "AB123456") is None    # a stored one never matches

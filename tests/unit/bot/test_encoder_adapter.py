"""The real sentence encoder (WordLlama, installed with the dev requirements): it loads from
the wheel with the network refused, scores groups, leaves a phrasing out, and is used only
when chosen."""
import socket

import pytest

from chalicelib.adapters import encoder as encoder_adapter
from chalicelib.domain.bot.matcher import KBEntry, Matcher


@pytest.fixture(scope="module")
def enc():
    return encoder_adapter.load(force=True)


def test_it_loads_from_the_wheel_without_the_network(monkeypatch):
    def refuse(*a, **kw):
        raise OSError("network refused in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(encoder_adapter, "_LOADED", {})  # a fresh process
    enc = encoder_adapter.load(force=True)
    assert enc is not None
    assert enc.scores(enc.index([["hello"]]), "hello")[0] > 0.99


def test_it_is_used_only_when_chosen(monkeypatch):
    monkeypatch.delenv("PARLEY_BOT_ENCODER", raising=False)
    assert encoder_adapter.load() is None
    monkeypatch.setenv("PARLEY_BOT_ENCODER", "wordllama")
    assert encoder_adapter.load() is not None


def test_best_similarity_per_group_and_one_phrasing_left_out(enc):
    idx = enc.index([["How do I reset my password?", "Forgot password"],
                     [],
                     ["What are your opening hours?"]])
    s = enc.scores(idx, "Forgot password")
    assert len(s) == 3 and s[0] > 0.99 and s[1] == -1.0  # an empty group scores nothing
    assert s[2] < s[0]
    left_out = enc.scores(idx, "Forgot password", skip=(0, 1))
    assert 0.3 < left_out[0] < 0.99  # only the other phrasing is left
    assert left_out[2] == pytest.approx(s[2], abs=1e-6)


def test_a_colloquial_question_the_lexical_matcher_misses_is_answered(enc):
    entries = [
        KBEntry("track", "How can I track my order?", ["Where is my parcel", "Order tracking"],
                "Use the link in your shipping e-mail."),
        KBEntry("refund", "What is your refund policy?",
                ["How do I get my money back", "Return policy"], "Refunds within 30 days."),
        KBEntry("shipping", "How long does delivery take?",
                ["Shipping time", "When will my order arrive"], "3-5 working days."),
        KBEntry("hours", "What are your opening hours?", ["When are you open", "Store hours"],
                "9am-6pm Monday to Saturday."),
        KBEntry("account", "How do I reset my password?", ["Forgot password", "Cannot log in"],
                "Click 'Forgot password' on the sign-in page."),
        KBEntry("size", "How do I choose my size?", ["Size guide", "What size should I get"],
                "See the size chart on each product page."),
    ]
    q = "my parcel still hasnt shown up wheres it at"
    assert Matcher(entries).match(q).decision == "none"
    r = Matcher(entries, encoder=enc).match(q)
    assert (r.decision, r.best.id) == ("answer", "track")
    assert Matcher(entries, encoder=enc).match("what's the weather tomorrow").decision == "none"

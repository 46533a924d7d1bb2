"""Questions learned from chats (the learning queue, `evaluate --learn-from`) are examples: a
visitor's words count for an entry only when a query is close to them as a whole, so a long
chatty question does not lend its every word to the entry it was learned for."""
from chalicelib.domain.bot.learning import learn_from_traffic
from chalicelib.domain.bot.matcher import LEARNED_SEMANTIC_MIN, KBEntry, Matcher

from .test_semantic import FakeEncoder

LEARNED = "im moving to canada next month, will my coffee still get there"


def kb(learned: bool) -> list[KBEntry]:
    return [
        KBEntry("change-address", "How do I change my shipping address?",
                ["update delivery address"], "Account > Addresses, before the next shipment."),
        KBEntry("international", "Do you ship internationally?", ["overseas shipping", LEARNED],
                "We ship to the US and Canada only.", learned=[LEARNED] if learned else []),
        KBEntry("pause", "Can I pause my subscription?", ["skip deliveries for a while"],
                "Yes, for up to 3 months in Account > Subscription."),
    ]


def scores(m: Matcher, text: str) -> dict[str, float]:
    return {m.entries[c[0]].id: round(c[1], 3) for c in m.score_query(text).cands}


def test_a_learned_questions_words_count_only_when_the_query_is_close_to_it():
    plain, learned = Matcher(kb(False), calibrate=False), Matcher(kb(True), calibrate=False)
    # a query sharing a word or two with the learned question: plain similar questions lend
    # the entry those words, an example does not
    for text in ("moving house", "is the coffee still fresh when it gets there"):
        assert scores(plain, text).get("international", 0) > 0.1
        assert scores(learned, text).get("international", 0) == 0.0
    mixed = "im moving, how do i change where it ships"
    assert scores(plain, mixed)["international"] > 0.3
    assert scores(learned, mixed)["international"] < 0.1
    assert max(scores(learned, mixed).items(), key=lambda kv: kv[1])[0] == "change-address"
    # the learned question itself, or one close to it, finds its entry as before
    for text in (LEARNED, "moving to canada next month, will the coffee get there"):
        assert scores(learned, text)["international"] == scores(plain, text)["international"]
        assert max(scores(learned, text).items(), key=lambda kv: kv[1])[0] == "international"


def test_only_similar_questions_can_be_learned_ones():
    e = KBEntry("x", "Question", ["a", "B  "], "answer", learned=["b", "not similar"])
    assert e.learned_flags() == [False, False, True]


def test_with_an_encoder_a_learned_question_counts_only_above_its_similarity_floor():
    learned = "i cant sign in to see my parcel"      # means "login" and "where" to the fake
    entries = [KBEntry("track", "How can I track my order?", ["tracking", learned],
                       "Use the tracking link.", learned=[learned]),
               KBEntry("refund", "What is your refund policy?", ["money back"], "30 days.")]
    enc = FakeEncoder()
    m = Matcher(entries, encoder=enc, calibrate=False)
    plain = Matcher([KBEntry("track", "How can I track my order?", ["tracking", learned],
                             "Use the tracking link."), entries[1]],
                    encoder=FakeEncoder(), calibrate=False)
    assert plain._semantic("locked out", None)[0] == 0.5       # half its meaning
    assert 0.5 < LEARNED_SEMANTIC_MIN
    assert m._semantic("locked out", None)[0] < 0.5             # not close enough: not counted
    assert m._semantic("sign in to track my parcel", None)[0] == 1.0
    # the learned question is in an index of its own; leaving it out (calibration's
    # leave-one-out) skips it there, not the entry's own phrasing at the same position
    enc.calls.clear()
    m._semantic("where is my parcel", (0, 2))
    assert [skip for _, skip in enc.calls] == [None, (0, 0)]
    enc.calls.clear()
    m._semantic("where is my parcel", (0, 1))
    assert [skip for _, skip in enc.calls] == [(0, 1), None]


def test_replayed_traffic_is_learned_as_examples():
    entries, _ = learn_from_traffic(kb(False)[:1],
                                    [("where do i put my new address", "change-address")])
    assert entries[0].learned == ["where do i put my new address"]
    assert entries[0].similar[-1] == "where do i put my new address"


def test_an_entry_adds_a_learned_question_once_and_within_its_limit():
    entry = KBEntry("pause", "Can I pause my subscription?", ["skip deliveries"], "Yes.")
    copy = entry.copy("shop-b")
    assert copy.add_learned("pause | for the summer?", limit=3)
    assert copy.similar[-1] == "pause   for the summer?" and copy.learned == [copy.similar[-1]]
    assert not copy.add_learned("CAN I PAUSE MY SUBSCRIPTION", limit=3)   # a phrasing has it
    assert copy.add_learned("hold my box", limit=3)
    assert not copy.add_learned("stop for a month", limit=3)               # 3 similar: full
    assert (entry.similar, entry.learned, copy.site_key) == (["skip deliveries"], [], "shop-b")

"""The matcher with a sentence encoder (optional): how its similarity enters the ranking, the
candidates and the self-calibrated decision. A small fake encoder stands in for the model
here (pure Python, known similarities); tests/unit/bot/test_encoder_adapter.py runs the
real one."""
from chalicelib.domain.bot.calibration import features
from chalicelib.domain.bot.matcher import SEMANTIC_FLOOR, KBEntry, Matcher
from chalicelib.domain.bot.normalize import normalize

from ._kb import KB

#: meanings the fake encoder knows: a text "means" every concept one of its words names
MEANINGS = {
    "parcel": "where", "package": "where", "arrived": "where", "shown": "where",
    "track": "where", "tracking": "where",
    "money": "refund", "refund": "refund", "back": "refund",
    "password": "login", "log": "login", "sign": "login", "locked": "login",
}


class FakeEncoder:
    """Texts are bags of concepts; similarity = shared share (0..1). Records its calls."""

    def __init__(self):
        self.calls = []

    @staticmethod
    def _concepts(text: str) -> set:
        return {MEANINGS[w] for w in text.lower().replace("?", " ").split() if w in MEANINGS}

    def index(self, groups):
        return [[self._concepts(t) for t in g] for g in groups]

    def scores(self, index, text, skip=None):
        self.calls.append((text, skip))
        q = self._concepts(text)
        out = []
        for gi, group in enumerate(index):
            best = -1.0
            for k, c in enumerate(group):
                if skip == (gi, k):
                    continue
                sim = len(q & c) / max(1, len(q | c)) if q else 0.0
                best = max(best, sim)
            out.append(best)
        return out


ENTRIES = [
    KBEntry("track", "How can I track my order?", ["Order tracking", "Where is my parcel"],
            "Use the tracking link in your shipping e-mail."),
    KBEntry("refund", "What is your refund policy?", ["Return policy", "Can I get my money back"],
            "Refunds within 30 days of delivery."),
    KBEntry("login", "How do I reset my password?", ["Forgot password", "Cannot sign in"],
            "Click 'Forgot password' on the sign-in page."),
    KBEntry("hours", "What are your opening hours?", ["When are you open", "Store hours"],
            "9am to 6pm, Monday to Saturday."),
]


def test_a_question_sharing_no_word_with_the_entry_finds_it_through_the_encoder():
    q = "nothing has shown up yet"  # no word of the tracking entry
    lexical = Matcher(ENTRIES, calibrate=False)
    assert all(lexical.entries[c[0]].id != "track" for c in lexical.score_query(q).cands)
    semantic = Matcher(ENTRIES, calibrate=False, encoder=FakeEncoder())
    cands = semantic.score_query(q).cands
    assert semantic.entries[cands[0][0]].id == "track"
    idx, score, _clean, cov, ps, sem = cands[0]
    assert (cov, ps, sem) == (0.0, 0.0, 1.0)  # found by meaning only
    # the lexical half is 0 and the semantic half full: the two weigh the same
    assert abs(score - 0.5) < 1e-9


def test_the_semantic_half_is_stretched_above_the_floor():
    enc = FakeEncoder()
    m = Matcher(ENTRIES, calibrate=False, encoder=enc)
    half = (SEMANTIC_FLOOR + 1) / 2  # half way between the floor and 1
    m.encoder = type("Half", (), {"scores": lambda self, i, t, skip=None: [half] * 8})()
    score = next(c for c in m.score_query("zzz parcel").cands if m.entries[c[0]].id == "hours")[1]
    assert abs(score - 0.25) < 1e-9  # lexical 0, semantic (0.5 of the stretched range) / 2


def test_without_an_encoder_nothing_changes():
    m = Matcher(KB)
    c = m.score_query("how much does the pro plan cost").cands[0]
    assert len(c) == 6 and c[5] == 0.0
    assert len(features(m, m.score_query("how much does the pro plan cost"))) == 8
    assert m.encoder is None


def test_the_decision_learns_from_the_encoder_with_the_phrasing_left_out():
    enc = FakeEncoder()
    m = Matcher(ENTRIES, encoder=enc)
    assert m.decider is not None
    # two more features: the encoder's similarity and its margin to the rival
    assert len(m.decider.weights) == 1 + 10
    f = features(m, m.score_query("where is my parcel"))
    assert len(f) == 10 and f[8] == 1.0
    # leave-one-out: each phrasing was scored without itself, in the encoder too (the
    # encoder sees normalised text, as the lexical side does: case, width, 繁体)
    skipped = {(t, s) for t, s in enc.calls if s is not None}
    for i, e in enumerate(ENTRIES):
        for k, p in enumerate(e.phrasings):
            assert (normalize(p), (i, k)) in skipped


def test_a_question_found_by_meaning_is_answered_and_an_unrelated_one_is_not():
    m = Matcher(ENTRIES, encoder=FakeEncoder())
    lexical = Matcher(ENTRIES)
    for q in ("my package arrived?", "nothing has shown up yet"):  # no word of the entry
        assert lexical.match(q).decision == "none"
        r = m.match(q)
        assert (r.decision, r.best.id) == ("answer", "track")
        assert r.confidence < 0.999  # never the verbatim score that skips the model
    assert m.match("what is the weather").decision == "none"

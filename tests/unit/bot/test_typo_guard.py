"""Typo correction brings the KB's own terms only (analyzer.known_terms), and the larger
built-in vocabulary (lexicon_more.py) joins the lexicon. No AWS."""
from chalicelib.domain.bot.lexicon import DEFAULT_SYNONYM_GROUPS
from chalicelib.domain.bot.lexicon_more import MORE_ADDITIONS, MORE_SYNONYM_GROUPS
from chalicelib.domain.bot.matcher import KBEntry, Matcher

SYNC = [KBEntry("trial", "Is there a free trial?", ["try before buying"], "14 days, no card."),
        KBEntry("sync", "Why do my files not sync?", ["sync failed"], "Check the app.")]
STUDIO = SYNC + [KBEntry("shoot", "How long is a photoshoot?", ["session length"], "Two hours.")]


def test_a_word_is_corrected_only_into_one_that_brings_a_term_of_the_kb():
    q = "is there a free trial of photoshop"
    # "photoshop" is one edit from the built-in vocabulary's "photoshoot": a KB about file
    # sync has no such term, so the word stays what it is (unknown: a topic it lacks)
    sync = Matcher(SYNC)
    assert "w:photoshop" in sync.analyzer.analyze(q, correct_typos=True)
    studio = Matcher(STUDIO)
    assert "w:photoshop" not in studio.analyzer.analyze("how long is a photoshop",
                                                        correct_typos=True)
    assert studio.match("how long is a photoshop").best.id == "shoot"


def test_a_typo_of_a_kb_word_is_still_corrected():
    m = Matcher(SYNC)
    assert m.analyzer.analyze("files not syncing sycn", correct_typos=True) == \
        m.analyzer.analyze("files not syncing sync", correct_typos=True)


def test_the_larger_vocabulary_is_part_of_the_built_in_lexicon():
    flat = {p for g in DEFAULT_SYNONYM_GROUPS for p in g}
    assert all(p in flat for g in MORE_SYNONYM_GROUPS for p in g)
    assert all(p in flat for extra in MORE_ADDITIONS.values() for p in extra)
    # an addition joins the group its key names, not a new one
    key, extra = next(iter(MORE_ADDITIONS.items()))
    home = next(g for g in DEFAULT_SYNONYM_GROUPS if key in g)
    assert set(extra) <= set(home)

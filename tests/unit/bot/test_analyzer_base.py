"""The built-in lexicon's part of the analyzer is built once and shared (analyzer._base):
a site's synonyms and a KB's words change its own analyzer only. No AWS."""
from chalicelib.domain.bot.analyzer import Analyzer, _base


def test_a_sites_synonyms_and_words_stay_in_its_own_analyzer():
    base = _base(True, True)
    before = (len(base.en_phrases), len(base.vocab), len(base._deletes), len(base.zh_known))
    site = Analyzer({"zorbex": ["quixotic plan", "兹博"]})
    site.add_vocab("flibbertigibbet")
    site.add_zh_vocab("兹博")
    assert site.analyze("zorbex") == site.analyze("quixotic plan") == site.analyze("兹博")
    plain = Analyzer()
    assert plain.analyze("zorbex") != plain.analyze("quixotic plan")      # not its synonyms
    assert plain.correct("flibbertigibbit") == "flibbertigibbit"      # not its vocabulary
    assert site.correct("flibbertigibbit") == "flibbertigibbet"
    after = (len(base.en_phrases), len(base.vocab), len(base._deletes), len(base.zh_known))
    assert after == before


def test_a_site_phrase_already_in_the_lexicon_means_both_concepts():
    plain, site = Analyzer(), Analyzer({"parcel-box": ["快递柜"]})
    built_in = set(plain.analyze("快递柜"))
    assert built_in and built_in < set(site.analyze("快递柜"))        # the lexicon's, and the site's

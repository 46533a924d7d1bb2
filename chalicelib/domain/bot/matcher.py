"""FAQ matcher: bilingual (zh/en), synonym-aware, typo tolerant, with out-of-scope rejection.

Pure Python, stdlib only. See docs/bot.md for the scoring model.

Indexing
    Every KB entry has *phrasings* (question + similar) and an answer. Text is normalised
    (``normalize``), synonym phrases are replaced by concept tokens (``#c12``), stop words are
    dropped, Chinese runs become character bigrams (+ low-weight unigrams), English words
    are lightly stemmed. Query words unknown to the vocabulary are corrected to a vocabulary
    word within edit distance 1 (2 for long words).

Scoring (per candidate entry)
    * coverage: idf-weighted share of the query's content terms found in the entry's
      phrasings (answer-only matches count ``answer_weight``) -- unknown query words lower it,
      which is what rejects out-of-scope questions sharing one word with the KB;
    * phrase similarity: max over phrasings of the idf-weighted share of the phrasing the
      query covers;
    * a question learned from a chat (``KBEntry.learned``) is an example: it counts, for
      both, only when the query is close to it (``LEARNED_PHRASE_MIN``);
    * bm25 over all phrasings retrieves candidates.
    confidence = coverage ** 0.75 * (0.55 + 0.45 * phrase_sim), times a small penalty when
    the entry's language differs from the query's.
"""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Protocol, Sequence

from .analyzer import _WORD_RE, Analyzer, SynonymsArg, _synonym_groups, stem
from .bridge import Bridge
from .calibration import fit_decider
from .prior import load as load_prior
from .normalize import detect_language, is_cjk, normalize
from .twins import link_twins


@dataclass
class KBEntry:
    id: str
    question: str
    similar: list[str] = field(default_factory=list)
    answer: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = True
    site_key: Optional[str] = None
    #: which of ``similar`` came from visitors' chats (the learning loop), not the admin
    learned: list[str] = field(default_factory=list)

    @property
    def phrasings(self) -> list[str]:
        return [self.question] + [s for s in self.similar if s and s.strip()]

    def learned_flags(self) -> list[bool]:
        """Per phrasing: whether it is a question learned from a chat."""
        if not self.learned:
            return [False] * len(self.phrasings)
        mine = {normalize(x) for x in self.learned}
        return [j > 0 and normalize(p) in mine for j, p in enumerate(self.phrasings)]

    def copy(self, site_key: Optional[str] = None) -> "KBEntry":
        """A copy whose lists can change (for `site_key`'s KB when given)."""
        return KBEntry(self.id, self.question, list(self.similar), self.answer,
                       list(self.tags or []), self.enabled, site_key or self.site_key,
                       list(self.learned))

    def add_learned(self, text: str, limit: int) -> bool:
        """Add a visitor's question from a chat as a similar question marked learned (an
        example: matcher LEARNED_*), unless a phrasing has it already (normalised) or the
        entry holds `limit` similar questions. Whether it was added."""
        if len(self.similar) >= limit or \
                normalize(text) in {normalize(p) for p in self.phrasings}:
            return False
        self.similar.append(text.replace("|", " "))
        self.learned.append(self.similar[-1])
        return True


__all__ = ["KBEntry", "Matcher", "MatchResult", "Scored", "Analyzer", "SynonymsArg", "stem",
           "readings", "get_matcher", "cache_info", "clear_cache", "_WORD_RE"]

_CLAUSE_RE = re.compile(r"[,.!?;:\n，。！？；：、…]+|\s+(?:but|so|and then|because|anyway)\s+")
MAX_CLAUSES = 4
OTHER_LANGUAGE_MARGIN = 1.25  # another language's entry is suggested when it scores this much more
SEMANTIC_CANDIDATES = 8       # with an encoder: the entries closest in meaning are candidates too
MIN_TRANSLATED_SHARE = 0.6  # a question read in the other language: most of it
SEMANTIC_ANSWER_WEIGHT = 0.9  # an answer close in meaning counts a little less than a phrasing
SEMANTIC_ANSWER_CHARS = 300
#: an encoder's similarity under this says nothing (unrelated questions of the same shape
#: score 0.2-0.5): the rest is stretched to 0..1 and averaged with the lexical score
SEMANTIC_FLOOR = 0.3
#: A question learned from a chat is a visitor's own words, context and all ("i'm moving next
#: week, ..."): an example, not the entry's vocabulary. It counts only when the query is close
#: to it as a whole (phrase similarity, or the encoder's similarity, at least these); then its
#: words count towards the entry's coverage too. Kept as plain similar questions, learned
#: questions made the bot worse for the training sets' other visitors (learning from half,
#: evaluating the other half: top-1 0.551 -> 0.539 lexical, 0.649 -> 0.613 with the encoder;
#: out of scope rejected 0.930 -> 0.901, 0.898 -> 0.850); as examples 0.556 and 0.640, out of
#: scope 0.916 and 0.874 (docs/bot.md "Learning").
LEARNED_PHRASE_MIN = 0.3
LEARNED_SEMANTIC_MIN = 0.75


class Encoder(Protocol):
    """A sentence encoder (optional; ``adapters/encoder.py``): ``index`` groups of texts once,
    then ``scores`` a text against each group (best similarity in -1..1 per group;
    ``skip=(group, position)`` leaves one text out)."""

    def index(self, groups: Sequence[Sequence[str]]) -> Any: ...

    def scores(self, index: Any, text: str,
               skip: Optional[tuple[int, int]] = None) -> list[float]: ...


def readings(text: str) -> list[str]:
    """The message, plus its clauses when it has several and is long (a question buried in
    a rambling message is matched on its own; the decision takes the most confident)."""
    out = [text]
    if len(text) < 12:
        return out
    parts = [p.strip() for p in _CLAUSE_RE.split(text.lower()) if p and p.strip()]
    parts = [p for p in parts if len(p) >= 4]
    if len(parts) >= 2:
        out += parts[-MAX_CLAUSES:]
    return out


@dataclass
class Scored:
    """A query scored against the KB: ``cands`` = (entry index, confidence, clean, coverage,
    phrase similarity) best first; ``unknown`` = idf-weighted share of the query's terms the
    KB does not have; ``single`` = a one-token query; ``nterms`` = analysed terms."""
    cands: list
    unknown: float
    single: bool
    lang: str
    nterms: int


@dataclass
class MatchResult:
    decision: str  # "answer" | "suggest" | "none"
    best: Optional[KBEntry]
    confidence: float
    suggestions: list[tuple[KBEntry, float]]


class Matcher:
    def __init__(self, entries: Iterable[KBEntry], synonyms: SynonymsArg = None, *,
                 answer_threshold: float = 0.5, suggest_threshold: float = 0.3,
                 answer_weight: float = 0.6, cross_language_penalty: float = 0.75,
                 use_default_synonyms: bool = True, version: str = "",
                 max_candidates: int = 64, unknown_word_factor: float = 1.8,
                 unknown_bigram_factor: float = 0.6, coverage_exponent: float = 0.75,
                 single_token_cap: bool = True, unknown_word_penalty: float = 0.9,
                 uncovered_penalty: float = 0.85, margin_threshold: float = 0.4,
                 margin_ratio: float = 0.6, calibrate: bool = True,
                 examples: Sequence[tuple[str, Optional[str]]] = (),
                 encoder: Optional[Encoder] = None, prior: bool = True):
        self.version = version
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.answer_weight = answer_weight
        self.cross_language_penalty = cross_language_penalty
        self.max_candidates = max_candidates
        self.unknown_word_factor = unknown_word_factor
        self.unknown_bigram_factor = unknown_bigram_factor
        self.coverage_exponent = coverage_exponent
        self.single_token_cap = single_token_cap
        self.unknown_word_penalty = unknown_word_penalty
        self.uncovered_penalty = uncovered_penalty
        self.margin_threshold = margin_threshold
        self.margin_ratio = margin_ratio
        self.entries: list[KBEntry] = [e for e in entries if e.enabled]
        self.analyzer = Analyzer(synonyms, use_default_synonyms)
        an = self.analyzer
        # vocabulary from KB text
        for e in self.entries:
            for t in e.phrasings + [e.answer]:
                for w in _WORD_RE.findall(normalize(t)):
                    an.add_vocab(w)
        self._phr: list[list[dict[str, float]]] = []
        self._learned = [e.learned_flags() for e in self.entries]
        self._union: list[dict[str, float]] = []
        self._cover: list[dict[str, float]] = []  # the union without learned questions
        self._ans: list[dict[str, float]] = []
        self._lang: list[str] = []
        self._langs: list[set[str]] = []  # languages of an entry's phrasings
        df: dict[str, int] = {}
        for e, flags in zip(self.entries, self._learned):
            phr = [an.analyze(p) for p in e.phrasings]
            union = _union(phr)
            cover = _union([d for d, x in zip(phr, flags) if not x]) if any(flags) else union
            ans = an.analyze(e.answer) if e.answer else {}
            self._phr.append(phr)
            self._union.append(union)
            self._cover.append(cover)
            self._ans.append(ans)
            self._lang.append(detect_language(e.question))
            self._langs.append({detect_language(p) for p in e.phrasings})
            for t in set(union) | set(ans):
                df[t] = df.get(t, 0) + 1
        for u in self._union:  # questions' words (not answers'): homophone typo targets
            for t in u:
                if len(t) == 2 and is_cjk(t[0]) and is_cjk(t[1]):
                    an.add_zh_vocab(t)
        N = max(1, len(self.entries))
        self._N = N
        self._df = df
        self._idf = {t: math.log(1 + (N - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log(1 + (N + 0.5) / 0.5)
        # a typo is corrected only into a word that brings a term this KB has ("photoshop"
        # is not a typo of the built-in vocabulary's "photoshoot" in a KB about file sync)
        an.known_terms = frozenset(self._idf)
        # inverted index over phrasing + answer terms (unigrams excluded: too common)
        self._post: dict[str, list[tuple[int, float]]] = {}
        for idx in range(len(self.entries)):
            u, a = self._union[idx], self._ans[idx]
            for t in set(u) | set(a):
                if len(t) == 1 and is_cjk(t):
                    continue
                m = 1.0 if t in u else self.answer_weight
                self._post.setdefault(t, []).append((idx, m))
        self._phr_norm = [[sum(w * self.idf(t) for t, w in d.items()) or 1.0 for d in phr]
                          for phr in self._phr]
        self.twin = link_twins([e.id for e in self.entries], self._lang,
                               [p + [a] for p, a in zip(self._phr, self._ans)],
                               [" ".join(e.phrasings + [e.answer]) for e in self.entries])
        # optional sentence encoder: one group per entry's phrasings, then one per answer; the
        # learned questions in an index of their own (they count only when close)
        self.encoder = encoder
        self._sem_index = self._sem_learned = None
        if encoder is not None and self.entries:
            self._sem_index = encoder.index(
                [[normalize(p) for p, x in zip(e.phrasings, lf) if not x]
                 for e, lf in zip(self.entries, self._learned)] +
                [[normalize(e.answer[:SEMANTIC_ANSWER_CHARS])] if e.answer else []
                 for e in self.entries])
            if any(any(lf) for lf in self._learned):
                self._sem_learned = encoder.index(
                    [[normalize(p) for p, x in zip(e.phrasings, lf) if x]
                     for e, lf in zip(self.entries, self._learned)])
        # a bilingual KB: questions read in the other language too (bridge.py), built when
        # a question first needs it: most are answered without, and the dictionary costs
        # 0.25 s to load
        self._bilingual = any("zh" in ls for ls in self._langs) and \
            any("en" in ls for ls in self._langs)
        self._bridge: Optional[Bridge] = None
        # the answer/suggest/reject decision, learned from this KB (None: fixed thresholds)
        self.decider = fit_decider(self, examples) if calibrate else None
        if self.decider is not None and prior:   # ...answered by the rule learned elsewhere
            self.decider.prior = load_prior("semantic" if encoder is not None else "lexical")

    def is_twin(self, a: int, b: int) -> bool:
        return self.twin.get(a) == b

    def in_language(self, idx: int, lang: str) -> int:
        """The entry, or its cross-language twin when that one is in ``lang``."""
        t = self.twin.get(idx)
        if t is not None and self._lang[idx] != lang and self._lang[t] == lang:
            return t
        return idx

    def suggestions(self, scored: Scored, top_k: int = 3,
                    floor: float = 0.0) -> list[tuple[KBEntry, float]]:
        """Top entries (twins merged, each in the query's language) scoring above ``floor``
        and at least a third of the best."""
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        best = scored.cands[0][1] if scored.cands else 0.0
        for idx, sc, *_ in scored.cands[: top_k * 3]:
            if sc < max(floor, best / 3.0) or sc <= 0:
                break
            j = self.in_language(idx, scored.lang)
            if j in seen or idx in seen:
                continue
            seen.update((idx, j))
            out.append((j, sc))
        # the visitor's language; another language's entry only when it beats every entry
        # in the visitor's language (the KB has that topic in one language only)
        best_mine = max((sc for j, sc in out if scored.lang in self._langs[j]), default=0.0)
        keep = [(j, sc) for j, sc in out
                if scored.lang in self._langs[j] or sc > OTHER_LANGUAGE_MARGIN * best_mine]
        return [(self.entries[j], sc) for j, sc in keep[:top_k]]

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._idf_unknown)

    def query_idf(self, term: str, hidden: frozenset = frozenset()) -> float:
        """idf for a query term; terms unknown to the KB weigh more (English words: they
        are what makes a question out of scope) or less (Chinese bigrams: often an
        artefact spanning two words)."""
        v = self._idf.get(term)
        if v is not None and term not in hidden:
            return v
        if term.startswith("w:"):
            return self._idf_unknown * self.unknown_word_factor
        if len(term) == 2 and is_cjk(term[0]):
            return self._idf_unknown * self.unknown_bigram_factor
        return self._idf_unknown

    # ------------------------------------------------------------------------------------
    def score_all(self, text: str) -> list[tuple[int, float]]:
        return [(idx, sc) for idx, sc, _clean in self._score(text)]

    def _score(self, text: str) -> list[tuple[int, float, bool]]:
        """(entry index, confidence, clean) best first; clean: no calibration penalty hit
        that entry (no single-token cap, no word unknown to the KB, no topic it lacks)."""
        return [c[:3] for c in self.score_query(text).cands]

    def score_query(self, text: str, exclude: Optional[tuple[int, int]] = None) -> Scored:
        """Every candidate with its features. ``exclude=(entry, phrasing)`` scores as if
        that phrasing were not in the KB (leave-one-out self-retrieval for calibration)."""
        q = self.analyzer.analyze(text, correct_typos=True)
        qlang = detect_language(text)
        if not q:
            return Scored([], 0.0, self._single_token(text), qlang, 0)
        hidden: frozenset = frozenset()
        if exclude is not None:
            hidden = self._only_in(exclude)
        penalty, cap = self._calibration(text, q, hidden)
        qw = {t: w * self.query_idf(t, hidden) for t, w in q.items()}
        total = sum(qw.values()) or 1.0
        unknown = sum(w for t, w in qw.items() if t in hidden or t not in self._idf) / total
        acc: dict[int, float] = {}
        for t, w in qw.items():
            if t in hidden:
                continue
            for idx, m in self._post.get(t, ()):
                acc[idx] = acc.get(idx, 0.0) + w * m
        cands = sorted(acc, key=acc.__getitem__, reverse=True)[: self.max_candidates]
        sem = self._semantic(text, exclude)
        if sem is not None:  # the entries closest in meaning are candidates too
            known = set(cands)
            cands += [i for i in sorted(range(len(sem)), key=sem.__getitem__, reverse=True)
                      [:SEMANTIC_CANDIDATES] if i not in known]
        out = []
        aw = self.answer_weight
        for idx in cands:
            phr, norms = self._phr[idx], self._phr_norm[idx]
            u, a, learned = self._cover[idx], self._ans[idx], self._learned[idx]
            if exclude is not None and exclude[0] == idx:
                k = exclude[1]
                phr = phr[:k] + phr[k + 1:]
                norms = norms[:k] + norms[k + 1:]
                learned = learned[:k] + learned[k + 1:]
                u = {}
                for d, x in zip(phr, learned):
                    if not x:
                        u.update(d)
            best_ps = 0.0
            close = []       # learned questions the query is close to: their words count too
            for d, norm, x in zip(phr, norms, learned):
                s = 0.0
                for t, w in d.items():
                    if t in qw:
                        s += w * self.idf(t)
                ps = s / norm
                if x:
                    if ps < LEARNED_PHRASE_MIN:
                        continue
                    close.append(d)
                if ps > best_ps:
                    best_ps = ps
            cov = 0.0
            uncovered = 0.0
            for t, w in qw.items():
                if t in u or (close and any(t in d for d in close)):
                    cov += w
                elif t in a:
                    cov += w * aw  # the answer speaks about it: no penalty below
                elif t[0] == "#" and t not in self.analyzer.question_concepts:
                    uncovered += 1  # a topic of the query the entry does not have
            cov /= total
            score = (cov ** self.coverage_exponent) * (0.55 + 0.45 * best_ps)
            if qlang not in self._langs[idx]:
                score *= self.cross_language_penalty
            score *= penalty * self.uncovered_penalty ** uncovered
            if sem is not None:  # lexical and semantic evidence weigh the same
                score = (score + max(0.0, (sem[idx] - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR))) / 2.0
            if cap is not None:
                score = min(score, cap)
            clean = cap is None and penalty >= 1.0 and not uncovered
            out.append((idx, min(1.0, max(0.0, score)), clean, cov, best_ps,
                        sem[idx] if sem is not None else 0.0))
        out.sort(key=lambda x: -x[1])
        return Scored(out, unknown, cap is not None, qlang, len(q))

    def _semantic(self, text: str, exclude: Optional[tuple[int, int]]) -> Optional[list[float]]:
        """Per entry, the encoder's best similarity of the text to one of its phrasings (or
        a little less to its answer); None without an encoder."""
        if self._sem_index is None:
            return None
        n = len(self.entries)
        text = normalize(text)
        skip = skip_learned = None
        if exclude is not None:  # its position among the entry's own or learned phrasings
            i, k = exclude
            flags = self._learned[i]
            pos = sum(1 for x in flags[:k] if x == flags[k])
            if flags[k]:
                skip_learned = (i, pos)
            else:
                skip = (i, pos)
        s = self.encoder.scores(self._sem_index, text, skip)
        out = [max(s[i], SEMANTIC_ANSWER_WEIGHT * s[n + i]) for i in range(n)]
        if self._sem_learned is not None:
            ls = self.encoder.scores(self._sem_learned, text, skip_learned)
            out = [max(v, x) if x >= LEARNED_SEMANTIC_MIN else v for v, x in zip(out, ls)]
        return out

    def _only_in(self, exclude: tuple[int, int]) -> frozenset:
        """Terms of one phrasing that nothing else in the KB has (unknown once it is left out)."""
        idx, k = exclude
        d = self._phr[idx][k]
        others = [p for j, p in enumerate(self._phr[idx]) if j != k] + [self._ans[idx]]
        return frozenset(t for t in d if self._df.get(t, 0) <= 1 and not any(t in o for o in others))

    def _calibration(self, text: str, q: dict[str, float],
                     hidden: frozenset = frozenset()) -> tuple[float, Optional[float]]:
        """(multiplier, cap) for the query as a whole.

        * a single-token query ("free", "cost", "升级": one word, or at most two CJK
          characters) is too generic to answer outright: capped just under the answer
          threshold, so it gets suggestions at most (without a learned decision);
        * every English content word the whole KB has never seen ("photoshop", "coffee":
          usually the thing the question is really about) multiplies the confidence by
          ``unknown_word_penalty``.
        """
        cap = None
        if self.single_token_cap and self._single_token(text):
            cap = self.answer_threshold - 0.01
        unknown = sum(1 for t in q if t.startswith("w:") and (t not in self._idf or t in hidden))
        return self.unknown_word_penalty ** unknown, cap

    @staticmethod
    def _single_token(text: str) -> bool:
        norm = normalize(text)
        cjk = sum(1 for ch in norm if is_cjk(ch))
        words = _WORD_RE.findall(norm)
        return (cjk == 0 and len(words) == 1) or (0 < cjk <= 2 and not words)

    def match(self, text: str, top_k: int = 3) -> MatchResult:
        if self.decider is not None:
            whole = self.score_query(text)
            pk, _ = self.decider.pick(self, [(whole, "whole")], top_k)
            if pk is not None and self.decider.answers(self, pk):   # decided on as it is
                return self.decider.result(self, pk, None, top_k)
            # other readings only when the whole message is not answered
            return self.decider.decide(self, [(whole, "whole")] + self.other_readings(text, whole),
                                       top_k)
        return self._match_fixed(text, top_k)

    def other_readings(self, text: str, whole: Scored) -> list[tuple[Scored, str]]:
        """The message's clauses when it is long, its homophone typos corrected, and its
        reading in the KB's other language."""
        alts = [(self.score_query(t), "clause") for t in readings(text)[1:]]
        fixed = self.analyzer.correct_zh(text)  # homophone typos: a reading of its own
        if fixed:
            alts.append((self.score_query(fixed), "homophone"))
        other = self._translated(text, whole.lang)
        if other is not None:
            alts.append((self.score_query(other), "translated"))
        return alts

    @property
    def bridge(self) -> Optional[Bridge]:
        """The KB's cross-language reading (None for a KB in one language). Two threads
        building it at once build the same thing; either is kept."""
        if self._bilingual and self._bridge is None:
            texts = [t for e in self.entries for t in e.phrasings + [e.answer] if t]
            self._bridge = Bridge([t for t in texts if detect_language(t) == "zh"],
                                  [t for t in texts if detect_language(t) == "en"])
        return self._bridge

    def _translated(self, text: str, lang: str) -> Optional[str]:
        """The question in the KB's other language (a bilingual KB), when most of it reads."""
        bridge = self.bridge
        if bridge is None:
            return None
        r = bridge.to_en(text) if lang == "zh" else bridge.to_zh(text)
        return r.text if r.text and r.share >= MIN_TRANSLATED_SHARE else None

    def _fixed_decision(self, scored: Scored) -> str:
        """"answer" / "suggest" / "none" by the fixed thresholds and the margin rule."""
        if not scored.cands:
            return "none"
        best_idx, best, clean = scored.cands[0][:3]
        if best >= self.answer_threshold:
            return "answer"
        if best >= self.margin_threshold and clean and self._lang[best_idx] == scored.lang:
            # a clear winner in the middle band, for a query the entry fully explains (no
            # penalty applied): no other entry of the same language comes close (the other
            # language's twin of the same entry does not count)
            lang = self._lang[best_idx]
            rival = next((c[1] for c in scored.cands[1:] if self._lang[c[0]] == lang), 0.0)
            if rival <= self.margin_ratio * best:
                return "answer"
        return "suggest" if best >= self.suggest_threshold else "none"

    def _match_fixed(self, text: str, top_k: int = 3) -> MatchResult:
        """The fixed-threshold decision (``calibrate=False``, or a KB too small to learn from)."""
        scored = self.score_query(text)
        decision = self._fixed_decision(scored)
        if decision == "none":
            return MatchResult("none", None, scored.cands[0][1] if scored.cands else 0.0, [])
        best_idx, best = scored.cands[0][:2]
        sugg = [(self.entries[c[0]], c[1]) for c in scored.cands[:top_k]
                if c[1] >= self.suggest_threshold]
        return MatchResult(decision, self.entries[best_idx] if decision == "answer" else None,
                           best, sugg)


# ---- module-level cache ----------------------------------------------------------------
CACHE_SIZE = 64  # matchers kept per process: one per (site, KB version) in use
_CACHE: "OrderedDict[tuple, Matcher]" = OrderedDict()
_SITE_KEYS: dict[str, tuple] = {}  # site -> its cached key (one version per site)
_LOCK = threading.Lock()


def _union(phrasings: list[dict[str, float]]) -> dict[str, float]:
    """Every term of the phrasings at its highest weight."""
    out: dict[str, float] = {}
    for d in phrasings:
        for t, w in d.items():
            if out.get(t, 0) < w:
                out[t] = w
    return out


def _syn_key(synonyms: SynonymsArg) -> tuple:
    return tuple(tuple(g) for g in _synonym_groups(synonyms))


def get_matcher(version: str, entries_loader: Callable[[], Iterable[KBEntry]],
                synonyms: SynonymsArg = None, *, site: Optional[str] = None,
                **kwargs) -> Matcher:
    """Matcher for a KB version, built once per process (Lambda container) and reused.

    ``entries_loader`` is only called when the version (or synonym table) is not cached.
    The cache is an LRU of ``CACHE_SIZE`` matchers; with ``site`` given, building a new
    version for a site drops that site's previous one (a Lambda serving many sites keeps
    one matcher per site instead of rebuilding on every turn).
    """
    key = (version, _syn_key(synonyms), tuple(sorted(kwargs.items())))
    with _LOCK:
        m = _CACHE.get(key)
        if m is not None:
            _CACHE.move_to_end(key)
            return m
    built = Matcher(list(entries_loader()), synonyms, version=version, **kwargs)
    with _LOCK:
        m = _CACHE.get(key)
        if m is not None:  # another thread built it meanwhile
            _CACHE.move_to_end(key)
            return m
        if site is not None:
            old = _SITE_KEYS.get(site)
            if old is not None and old != key:
                _CACHE.pop(old, None)
            _SITE_KEYS[site] = key
        _CACHE[key] = built
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def cache_info() -> dict:
    with _LOCK:
        return {"size": len(_CACHE), "max": CACHE_SIZE}


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
        _SITE_KEYS.clear()

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
from typing import Callable, Iterable, Optional, Sequence, Union

from .lexicon import DEFAULT_SYNONYM_GROUPS, EN_ARTICLES, EN_STOPWORDS, ZH_STOPWORDS
from .normalize import detect_language, is_cjk, normalize


@dataclass
class KBEntry:
    id: str
    question: str
    similar: list[str] = field(default_factory=list)
    answer: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = True
    site_key: Optional[str] = None

    @property
    def phrasings(self) -> list[str]:
        return [self.question] + [s for s in self.similar if s and s.strip()]


@dataclass
class MatchResult:
    decision: str  # "answer" | "suggest" | "none"
    best: Optional[KBEntry]
    confidence: float
    suggestions: list[tuple[KBEntry, float]]


SynonymsArg = Union[None, dict, Sequence[Sequence[str]]]

# term kind weights
W_CONCEPT = 1.3
W_WORD = 1.0
W_BIGRAM = 1.0
W_UNIGRAM = 0.25

# English particles of phrasal verbs that may be separated from their verb
# ("get the old one back", "take my data out")
_PARTICLES = frozenset("back out off up on in down over".split())

_WORD_RE = re.compile(r"[a-z]+|[0-9]+")


def stem(word: str) -> str:
    """Very light English stemmer (consistent, not linguistic)."""
    w = word
    if len(w) <= 3:
        return w
    if w.endswith("'s"):
        w = w[:-2]
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""),
                     ("ly", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: len(w) - len(suf)] + rep
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousl":
        w = w[:-1]
    return w


def _synonym_groups(synonyms: SynonymsArg) -> list[list[str]]:
    if not synonyms:
        return []
    if isinstance(synonyms, dict):
        groups = []
        for k, v in synonyms.items():
            vals = [v] if isinstance(v, str) else list(v)
            groups.append([k] + vals)
        return groups
    return [list(g) for g in synonyms]


def _edits1(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _damerau_within(a: str, b: str, k: int) -> bool:
    """Optimal-string-alignment distance(a, b) <= k."""
    la, lb = len(a), len(b)
    if abs(la - lb) > k:
        return False
    prev2 = None
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        lo = i
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            lo = min(lo, v)
        if lo > k:
            return False
        prev2, prev = prev, cur
    return prev[lb] <= k


class Analyzer:
    """Turns text into weighted terms. Built once per synonym table + vocabulary."""

    def __init__(self, synonyms: SynonymsArg = None, use_default_synonyms: bool = True):
        groups = (DEFAULT_SYNONYM_GROUPS if use_default_synonyms else []) + _synonym_groups(synonyms)
        self.zh_phrases: dict[str, list[tuple[str, list[str]]]] = {}
        self.en_phrases: dict[tuple[str, ...], list[str]] = {}
        self.max_en_len = 1
        zh_map: dict[str, list[str]] = {}
        self.concept_names: dict[str, str] = {}
        # concepts that ask *what about* a topic (how long, how much, how big), not a topic
        self.question_concepts: set[str] = set()
        for gi, group in enumerate(groups):
            concept = "#c%d" % gi
            if any(p.lower().startswith("how ") or p.startswith(("多少", "多久", "多长", "多大", "几"))
                   for p in group):
                self.question_concepts.add(concept)
            self.concept_names[concept] = normalize(group[0]) if group else concept
            for phrase in group:
                p = normalize(phrase)
                if not p:
                    continue
                if any(is_cjk(ch) for ch in p):
                    zh_map.setdefault(p.replace(" ", ""), []).append(concept)
                else:
                    toks = tuple(stem(t) for t in _WORD_RE.findall(p))
                    if toks:
                        self.en_phrases.setdefault(toks, [])
                        if concept not in self.en_phrases[toks]:
                            self.en_phrases[toks].append(concept)
                        self.max_en_len = max(self.max_en_len, len(toks))
        for p, concepts in zh_map.items():
            self.zh_phrases.setdefault(p[0], []).append((p, sorted(set(concepts))))
        for lst in self.zh_phrases.values():
            lst.sort(key=lambda x: -len(x[0]))
        self.zh_stop: dict[str, list[str]] = {}
        for w in ZH_STOPWORDS:
            self.zh_stop.setdefault(w[0], []).append(w)
        # English vocabulary (surface words) for typo correction
        self.vocab: dict[str, int] = {}
        self._deletes: dict[str, set[str]] = {}
        for group in groups:
            for phrase in group:
                for w in _WORD_RE.findall(normalize(phrase)):
                    self.add_vocab(w)
        for w in EN_STOPWORDS:
            self.add_vocab(w)

    # ---- vocabulary / typo correction -------------------------------------------------
    def add_vocab(self, word: str) -> None:
        if not word.isalpha():
            return
        if word in self.vocab:
            self.vocab[word] += 1
            return
        self.vocab[word] = 1
        if len(word) < 4:
            return
        for d in _edits1(word) | {word}:
            self._deletes.setdefault(d, set()).add(word)
        if len(word) >= 8:
            for d1 in _edits1(word):
                for d2 in _edits1(d1):
                    self._deletes.setdefault(d2, set()).add(word)

    def correct(self, word: str) -> str:
        if word in self.vocab or len(word) < 4 or not word.isalpha():
            return word
        k = 2 if len(word) >= 8 else 1
        keys = {word} | _edits1(word)
        if k == 2:
            keys |= {d2 for d1 in _edits1(word) for d2 in _edits1(d1)}
        cands: set[str] = set()
        for key in keys:
            cands |= self._deletes.get(key, set())
        best, best_key = word, None
        for c in cands:
            kk = 2 if min(len(c), len(word)) >= 8 else 1
            if c[0] != word[0] and kk == 1 and len(word) < 6:
                continue  # first letter typos on short words are too ambiguous
            for dist in range(1, kk + 1):
                if _damerau_within(word, c, dist):
                    key = (dist, -self.vocab[c], c)
                    if best_key is None or key < best_key:
                        best, best_key = c, key
                    break
        return best

    # ---- analysis --------------------------------------------------------------------
    def analyze(self, text: str, correct_typos: bool = False) -> dict[str, float]:
        """Weighted term dict for a text (already normalised or raw)."""
        norm = normalize(text)
        terms: dict[str, float] = {}

        def add(t: str, w: float) -> None:
            if terms.get(t, 0.0) < w:
                terms[t] = w

        # split into CJK runs and other runs
        i, n = 0, len(norm)
        while i < n:
            if is_cjk(norm[i]):
                j = i
                while j < n and is_cjk(norm[j]):
                    j += 1
                self._analyze_zh(norm[i:j], add)
                i = j
            else:
                j = i
                while j < n and not is_cjk(norm[j]):
                    j += 1
                self._analyze_en(norm[i:j], add, correct_typos)
                i = j
        return terms

    def _analyze_zh(self, run: str, add: Callable[[str, float], None]) -> None:
        segs: list[str] = []
        buf: list[str] = []
        i, n = 0, len(run)
        while i < n:
            ch = run[i]
            hit = None
            for p, concepts in self.zh_phrases.get(ch, ()):
                if run.startswith(p, i):
                    hit = (p, concepts)
                    break
            if hit:
                for c in hit[1]:
                    add(c, W_CONCEPT)
                segs.append("".join(buf))
                buf = []
                i += len(hit[0])
                continue
            stop = None
            for w in self.zh_stop.get(ch, ()):
                if run.startswith(w, i):
                    stop = w
                    break
            if stop:
                segs.append("".join(buf))
                buf = []
                i += len(stop)
                continue
            buf.append(ch)
            i += 1
        segs.append("".join(buf))
        for s in segs:
            for k, ch in enumerate(s):
                add(ch, W_UNIGRAM)
                if k + 1 < len(s):
                    add(s[k:k + 2], W_BIGRAM)

    def _analyze_en(self, run: str, add: Callable[[str, float], None], correct_typos: bool) -> None:
        raw = _WORD_RE.findall(run)
        if not raw:
            return
        if correct_typos:
            raw = [self.correct(w) for w in raw]
        raw = [w for w in raw if w not in EN_ARTICLES]
        toks = [stem(w) for w in raw]
        n = len(toks)
        used = [False] * n
        # pass 1: contiguous synonym phrases, longest first
        i = 0
        while i < n:
            for L in range(min(self.max_en_len, n - i), 0, -1):
                concepts = self.en_phrases.get(tuple(toks[i:i + L]))
                if concepts:
                    for c in concepts:
                        add(c, W_CONCEPT)
                    for k in range(i, i + L):
                        used[k] = True
                    i += L
                    break
            else:
                i += 1
        # pass 2: separated phrasal verbs: verb ... particle (gap of up to 3 words)
        for i in range(n):
            if used[i]:
                continue
            for g in range(1, 4):
                j = i + g + 1
                if j >= n:
                    break
                if not used[j] and toks[j] in _PARTICLES:
                    concepts = self.en_phrases.get((toks[i], toks[j]))
                    if concepts:
                        for c in concepts:
                            add(c, W_CONCEPT)
                        used[i] = used[j] = True
                        break
        for i in range(n):
            w = raw[i]
            if not used[i] and w not in EN_STOPWORDS and not w.isdigit() and len(w) > 1:
                add("w:" + toks[i], W_WORD)


class Matcher:
    def __init__(self, entries: Iterable[KBEntry], synonyms: SynonymsArg = None, *,
                 answer_threshold: float = 0.5, suggest_threshold: float = 0.3,
                 answer_weight: float = 0.6, cross_language_penalty: float = 0.75,
                 use_default_synonyms: bool = True, version: str = "",
                 max_candidates: int = 64, unknown_word_factor: float = 1.8,
                 unknown_bigram_factor: float = 0.6, coverage_exponent: float = 0.75,
                 single_token_cap: bool = True, unknown_word_penalty: float = 0.9,
                 uncovered_penalty: float = 0.85, margin_threshold: float = 0.4,
                 margin_ratio: float = 0.6):
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
        self._union: list[dict[str, float]] = []
        self._ans: list[dict[str, float]] = []
        self._lang: list[str] = []
        df: dict[str, int] = {}
        for e in self.entries:
            phr = [an.analyze(p) for p in e.phrasings]
            union: dict[str, float] = {}
            for d in phr:
                for t, w in d.items():
                    if union.get(t, 0) < w:
                        union[t] = w
            ans = an.analyze(e.answer) if e.answer else {}
            self._phr.append(phr)
            self._union.append(union)
            self._ans.append(ans)
            self._lang.append(detect_language(e.question))
            for t in set(union) | set(ans):
                df[t] = df.get(t, 0) + 1
        N = max(1, len(self.entries))
        self._N = N
        self._idf = {t: math.log(1 + (N - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._idf_unknown = math.log(1 + (N + 0.5) / 0.5)
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

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._idf_unknown)

    def query_idf(self, term: str) -> float:
        """idf for a query term; terms unknown to the KB weigh more (English words: they
        are what makes a question out of scope) or less (Chinese bigrams: often an
        artefact spanning two words)."""
        v = self._idf.get(term)
        if v is not None:
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
        q = self.analyzer.analyze(text, correct_typos=True)
        if not q:
            return []
        qlang = detect_language(text)
        penalty, cap = self._calibration(text, q)
        qw = {t: w * self.query_idf(t) for t, w in q.items()}
        total = sum(qw.values()) or 1.0
        acc: dict[int, float] = {}
        for t, w in qw.items():
            for idx, m in self._post.get(t, ()):
                acc[idx] = acc.get(idx, 0.0) + w * m
        if not acc:
            return []
        cands = sorted(acc, key=acc.__getitem__, reverse=True)[: self.max_candidates]
        out = []
        aw = self.answer_weight
        for idx in cands:
            u, a = self._union[idx], self._ans[idx]
            cov = 0.0
            uncovered = 0.0
            for t, w in qw.items():
                if t in u:
                    cov += w
                elif t in a:
                    cov += w * aw  # the answer speaks about it: no penalty below
                elif t[0] == "#" and t not in self.analyzer.question_concepts:
                    uncovered += 1  # a topic of the query the entry does not have
            cov /= total
            best_ps = 0.0
            for d, norm in zip(self._phr[idx], self._phr_norm[idx]):
                s = 0.0
                for t, w in d.items():
                    if t in qw:
                        s += w * self.idf(t)
                ps = s / norm
                if ps > best_ps:
                    best_ps = ps
            score = (cov ** self.coverage_exponent) * (0.55 + 0.45 * best_ps)
            if self._lang[idx] != qlang:
                score *= self.cross_language_penalty
            score *= penalty * self.uncovered_penalty ** uncovered
            if cap is not None:
                score = min(score, cap)
            clean = cap is None and penalty >= 1.0 and not uncovered
            out.append((idx, min(1.0, max(0.0, score)), clean))
        out.sort(key=lambda x: -x[1])
        return out

    def _calibration(self, text: str, q: dict[str, float]) -> tuple[float, Optional[float]]:
        """(multiplier, cap) for the query as a whole.

        * a single-token query ("free", "cost", "升级": one word, or at most two CJK
          characters) is too generic to answer outright: capped just under the answer
          threshold, so it gets suggestions at most;
        * every English content word the whole KB has never seen ("photoshop", "coffee":
          usually the thing the question is really about) multiplies the confidence by
          ``unknown_word_penalty``.
        """
        cap = None
        if self.single_token_cap and self._single_token(text):
            cap = self.answer_threshold - 0.01
        unknown = sum(1 for t in q if t.startswith("w:") and t not in self._idf)
        return self.unknown_word_penalty ** unknown, cap

    @staticmethod
    def _single_token(text: str) -> bool:
        norm = normalize(text)
        cjk = sum(1 for ch in norm if is_cjk(ch))
        words = _WORD_RE.findall(norm)
        return (cjk == 0 and len(words) == 1) or (0 < cjk <= 2 and not words)

    def match(self, text: str, top_k: int = 3) -> MatchResult:
        scored3 = self._score(text)
        if not scored3:
            return MatchResult("none", None, 0.0, [])
        scored = [(i, sc) for i, sc, _c in scored3]
        best_idx, best = scored[0]
        sugg = [(self.entries[i], s) for i, s in scored[:top_k] if s >= self.suggest_threshold]
        if best >= self.answer_threshold:
            return MatchResult("answer", self.entries[best_idx], best, sugg)
        if best >= self.margin_threshold and scored3[0][2] and \
                self._lang[best_idx] == detect_language(text):
            # a clear winner in the middle band, for a query the entry fully explains (no
            # penalty applied): no other entry of the same language comes close (the other
            # language's twin of the same entry does not count)
            lang = self._lang[best_idx]
            rival = next((sc for i, sc in scored[1:] if self._lang[i] == lang), 0.0)
            if rival <= self.margin_ratio * best:
                return MatchResult("answer", self.entries[best_idx], best, sugg)
        if best >= self.suggest_threshold:
            return MatchResult("suggest", None, best, sugg)
        return MatchResult("none", None, best, [])


# ---- module-level cache ----------------------------------------------------------------
CACHE_SIZE = 64  # matchers kept per process: one per (site, KB version) in use
_CACHE: "OrderedDict[tuple, Matcher]" = OrderedDict()
_SITE_KEYS: dict[str, tuple] = {}  # site -> its cached key (one version per site)
_LOCK = threading.Lock()


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

"""Text analysis for the matcher: normalised text -> weighted terms (synonym concepts,
Chinese bigrams/unigrams, stemmed and typo-corrected English words). Pure Python."""
from __future__ import annotations

import re
from typing import Callable, Optional, Sequence, Union

from .lexicon import DEFAULT_SYNONYM_GROUPS, EN_ARTICLES, EN_STOPWORDS, ZH_STOPWORDS
from .normalize import is_cjk, normalize
from .pinyin import readings as pinyin_readings

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
# a code of letters and digits ("c1", "5g", "s20", "ps5", "1099k"): a plan, a model, a form.
# _WORD_RE splits it into a one-letter word and a number, both dropped, so "C1 学费" and
# "C2 学费" were the same question; the whole code is a word of its own
_CODE_RE = re.compile(r"(?<![a-z0-9])(?=[a-z]*[0-9])(?=[0-9]*[a-z])[a-z0-9]{2,12}(?![a-z0-9])")
# ...but not an amount with its unit or an ordinal ("5pm", "2hrs", "40k", "15th"): the same
# time or amount is written many ways ("5 pm", "17:00")
_AMOUNT_RE = re.compile(r"[0-9]+(?:st|nd|rd|th|am|pm|h|hr|hrs|min|mins|s|sec|secs|d|day|days|"
                        r"wk|wks|mo|mos|yr|yrs|k|kg|km|m|cm|mm|ft|in|lb|lbs|ml|l|x|ish|pc|pcs)")


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


def _sounds(word: str) -> list[str]:
    keys = [""]
    for ch in word:
        r = pinyin_readings(ch)
        if not r:
            return []
        keys = [k + "-" + x if k else x for k in keys for x in r]
    return keys


_BASES: dict = {}


def _base(use_default_synonyms: bool, use_pinyin: bool) -> "Analyzer":
    """The built-in lexicon's analyzer, built once per process (see Analyzer)."""
    key = (use_default_synonyms, use_pinyin)
    if key not in _BASES:
        a = Analyzer._empty(use_pinyin)
        groups = DEFAULT_SYNONYM_GROUPS if use_default_synonyms else []
        a._add_groups(groups, 0)
        for w in EN_STOPWORDS:
            a.add_vocab(w)
        a.n_groups = len(groups)
        _BASES[key] = a
    return _BASES[key]


class Analyzer:
    """Turns text into weighted terms. Built once per synonym table + vocabulary.

    The built-in lexicon's part (its phrases, its words' typo index) is the same for every
    KB, so it is built once per process (``_base``) and each analyzer starts from a copy of
    it: dicts copied, their values replaced rather than changed when a site's synonyms or a
    KB's words are added (0.1 s saved per knowledge base built)."""

    def __init__(self, synonyms: SynonymsArg = None, use_default_synonyms: bool = True,
                 use_pinyin: bool = True):
        base = _base(use_default_synonyms, use_pinyin)
        self.use_pinyin = use_pinyin
        self.zh_known: set[str] = set(base.zh_known)          # the KB's Chinese bigrams
        self._zh_sound: dict[str, str] = dict(base._zh_sound)  # toneless pinyin -> bigram
        self.zh_phrases: dict[str, list[tuple[str, list[str]]]] = dict(base.zh_phrases)
        self.en_phrases: dict[tuple[str, ...], list[str]] = dict(base.en_phrases)
        self.max_en_len = base.max_en_len
        self.concept_names: dict[str, str] = dict(base.concept_names)
        # concepts that ask *what about* a topic (how long, how much, how big), not a topic
        self.question_concepts: set[str] = set(base.question_concepts)
        self.zh_stop = base.zh_stop                            # never changed
        # English vocabulary (surface words) for typo correction
        self.vocab: dict[str, int] = dict(base.vocab)
        self._deletes: dict[str, frozenset] = dict(base._deletes)
        self.known_terms: Optional[frozenset] = None     # the KB's terms (set by its Matcher)
        self._add_groups(_synonym_groups(synonyms), base.n_groups)

    @classmethod
    def _empty(cls, use_pinyin: bool) -> "Analyzer":
        a = cls.__new__(cls)
        a.use_pinyin = use_pinyin
        a.zh_known, a._zh_sound, a.zh_phrases, a.en_phrases = set(), {}, {}, {}
        a.max_en_len, a.concept_names, a.question_concepts = 1, {}, set()
        a.zh_stop = {}
        for w in ZH_STOPWORDS:
            a.zh_stop.setdefault(w[0], []).append(w)
        a.vocab, a._deletes, a.known_terms = {}, {}, None
        return a

    def _add_groups(self, groups: list[list[str]], start: int) -> None:
        """Synonym groups as concepts #c{start}, #c{start+1}, ...; lists of the phrase tables
        are replaced, never changed in place (they may be shared with the base)."""
        zh_map: dict[str, list[str]] = {}
        for gi, group in enumerate(groups, start):
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
                        had = self.en_phrases.get(toks, [])
                        if concept not in had:
                            self.en_phrases[toks] = had + [concept]
                        self.max_en_len = max(self.max_en_len, len(toks))
        for p, concepts in zh_map.items():
            lst = list(self.zh_phrases.get(p[0], []))
            old = next((i for i, (q, _) in enumerate(lst) if q == p), None)
            if old is None:
                lst.append((p, sorted(set(concepts))))
            else:                       # the same phrase in another group: both concepts
                lst[old] = (p, sorted(set(lst[old][1]) | set(concepts)))
            lst.sort(key=lambda x: -len(x[0]))
            self.zh_phrases[p[0]] = lst
        for p in zh_map:
            self.add_zh_vocab(p)
        for group in groups:
            for phrase in group:
                for w in _WORD_RE.findall(normalize(phrase)):
                    self.add_vocab(w)

    # ---- vocabulary / typo correction -------------------------------------------------
    def add_zh_vocab(self, word: str) -> None:
        """A Chinese word of the KB (bigram or synonym phrase of 2-3 characters): homophone
        typos in queries can be corrected to it (the first one added wins on a tie)."""
        if word in self.zh_known or not 2 <= len(word) <= 3:
            return
        self.zh_known.add(word)
        if self.use_pinyin:
            for key in _sounds(word):
                self._zh_sound.setdefault(key, word)

    def correct_zh(self, text: str) -> Optional[str]:
        """The text with homophone typos corrected (秘码 -> 密码, 换款 -> 还款, 發漂 -> 發票): a
        2-3 character span the KB does not have, that sounds like one it has and shares all
        but one character with it. None when nothing changed. Used as an alternative reading
        of the message (the decision keeps the more confident one)."""
        if not self.use_pinyin or not self._zh_sound:
            return None
        norm = normalize(text)
        out = list(norm)
        changed = False
        i = 0
        while i < len(out) - 1:
            hit = None
            for L in (3, 2):
                span = "".join(out[i:i + L])
                if len(span) < L or not all(is_cjk(c) for c in span) or span in self.zh_known:
                    continue
                for key in _sounds(span):
                    cand = self._zh_sound.get(key)
                    if cand and sum(a != b for a, b in zip(cand, span)) == 1:
                        hit = cand
                        break
                if hit:
                    break
            if hit:
                out[i:i + len(hit)] = list(hit)
                changed = True
                i += len(hit)
            else:
                i += 1
        return "".join(out) if changed else None

    def add_vocab(self, word: str) -> None:
        if not word.isalpha():
            return
        if word in self.vocab:
            self.vocab[word] += 1
            return
        self.vocab[word] = 1
        if len(word) < 4:
            return
        keys = _edits1(word) | {word}
        if len(word) >= 8:
            keys |= {d2 for d1 in _edits1(word) for d2 in _edits1(d1)}
        deletes = self._deletes
        for d in keys:             # a new set each time: the base's may be shared
            deletes[d] = deletes.get(d, frozenset()) | {word}

    def _brings_known(self, word: str) -> bool:
        """Does `word` give a term of the KB (`known_terms`): itself, or a concept of a synonym
        phrase it is on its own?"""
        tok = stem(word)
        return "w:" + tok in self.known_terms or any(
            c in self.known_terms for c in self.en_phrases.get((tok,), ()))

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
            if self.known_terms is not None and not self._brings_known(c):
                continue
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
                self._analyze_zh(norm[i:j], add, correct_typos)
                i = j
            else:
                j = i
                while j < n and not is_cjk(norm[j]):
                    j += 1
                self._analyze_en(norm[i:j], add, correct_typos)
                i = j
        return terms

    def _analyze_zh(self, run: str, add: Callable[[str, float], None],
                    correct_typos: bool = False) -> None:
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
        for code in _CODE_RE.findall(run):
            if not _AMOUNT_RE.fullmatch(code):
                add("w:" + code, W_WORD)
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

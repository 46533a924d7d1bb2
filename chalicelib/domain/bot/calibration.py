"""Self-calibrated answer / suggest / reject decision (per knowledge base, no hand tuning).

The matcher's confidence does not mean the same thing in every KB (short keyword
phrasings, long colloquial ones, one language or two), so a fixed cut-off answers too little
in one business and too much in another. Instead, each KB teaches its own decision when
its index is built:

* **positives** -- leave-one-out self-retrieval: every phrasing of an entry that has more
  than one is scored as a query against the KB *without that phrasing* (its words found
  nowhere else count as unknown). When the entry comes first, "answer" is right; when
  another entry comes first, answering would be wrong (label 0);
* **negatives** -- (a) other businesses' questions (``negatives.py``), minus those this KB
  scores as well as its own phrasings (its own topic, then); (b) each phrasing with its most
  specific word swapped for one the KB has never seen ("how do I renew my *xxx*": the same
  kind of question about a thing the business does not have);
* **traffic** -- labelled examples from the site (a clicked suggestion, "helpful? yes/no", a
  question an agent resolved): ``(text, entry_id)`` is a positive when that entry comes first
  (else label 0), ``(text, None)`` a negative.

A small logistic model over features of the best candidate (score, margin to the runner-up
of the same language, coverage, phrase similarity, unknown-term share, clean, one-token
query, language match) is fitted by Newton's method (ridge), and the answer threshold on its
probability is the one that maximises ``recall - COST * false answers`` on those samples.
Suggestions: the top entries when the probability is above a fixed fraction of it.
Pure Python, deterministic; a KB with too few samples keeps the fixed thresholds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from .analyzer import stem
from .negatives import NEGATIVE_QUESTIONS
from .normalize import is_cjk, normalize

if TYPE_CHECKING:  # pragma: no cover
    from .matcher import Matcher, MatchResult, Scored

FEATURES = ("score", "margin", "coverage", "phrase_sim", "unknown", "clean", "single",
            "same_lang")
COST = 1.0             # a wrong or out-of-scope answer costs this many missed answers
SUGGEST_FRACTION = 0.15  # suggest when p >= this share of the answer threshold
MAX_POSITIVES = 400    # leave-one-out samples at most (large KBs: a deterministic stride)
MIN_POSITIVES = 6      # fewer: not enough to learn from, the fixed thresholds stay
RIDGE = 1.0
SLACK = 0.0
#: the model's best entry is the only suggestion left (every other entry scores under a third
#: of it): answered from this share of the answer threshold up (chosen on the tuned-on sets)
SOLE = 0.7
TRANSLATED_MARGIN = 0.15  # a translated reading is answered above answer_p + this
TRANSLATED_FLOOR = 0.9    # ...and above this
TIE = 0.05               # runner-up within 5 % of the best: a tie, suggest both
_SWAP_EN = "zorbexq"
_SWAP_ZH = "犇鑫"


def features(matcher: "Matcher", scored: "Scored", rank: int = 0) -> Optional[list[float]]:
    """Feature vector for the candidate at ``rank`` (None when nothing matched)."""
    c = scored.cands
    if len(c) <= rank:
        return None
    idx, s1, clean, cov, ps, sem = c[rank][:6]
    lang = matcher._lang[idx]
    rival = next((x for x in c if x[0] != idx and matcher._lang[x[0]] == lang
                  and not matcher.is_twin(x[0], idx)), None)
    s2 = rival[1] if rival else 0.0
    f = [s1, s1 - s2, cov, ps, scored.unknown, 1.0 if clean else 0.0,
         1.0 if scored.single else 0.0, 1.0 if scored.lang in matcher._langs[idx] else 0.0]
    if matcher.encoder is not None:  # the encoder's similarity and its margin to the rival
        f += [sem, sem - (rival[5] if rival else 0.0)]
    return f


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                for k in range(col, n + 1):
                    m[r][k] -= f * m[col][k]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


def fit_logistic(xs: Sequence[Sequence[float]], ys: Sequence[int], iters: int = 12,
                 ridge: float = RIDGE) -> list[float]:
    """Class-balanced ridge logistic regression (Newton/IRLS); weights[0] is the bias."""
    n_pos = sum(ys) or 1
    n_neg = (len(ys) - sum(ys)) or 1
    cw = {1: len(ys) / (2.0 * n_pos), 0: len(ys) / (2.0 * n_neg)}
    rows = [[1.0] + list(x) for x in xs]
    d = len(rows[0])
    w = [0.0] * d
    for _ in range(iters):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for r, y in zip(rows, ys):
            p = _sigmoid(sum(a * b for a, b in zip(w, r)))
            g = cw[y] * (p - y)
            h = cw[y] * max(p * (1 - p), 1e-6)
            for i in range(d):
                grad[i] += g * r[i]
                hi = h * r[i]
                row = hess[i]
                for j in range(i, d):
                    row[j] += hi * r[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i:
                grad[i] += ridge * w[i]
                hess[i][i] += ridge
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


@dataclass
class Pick:
    """The reading a decision is about: the KB model's probability, the reading, its
    features, the best entry (in the visitor's language), the suggestions, whether that entry
    is the only suggestion left, and the kind of reading."""
    p: float
    scored: "Scored"
    f: list
    best: object
    sugg: list
    sole: bool
    kind: str


@dataclass
class Decider:
    weights: list[float]
    answer_p: float
    suggest_p: float
    samples: dict  # counts, for figures and tests
    prior: Optional[object] = None   # prior.GlobalRule: answer or not, learned across businesses

    def probability(self, f: Sequence[float]) -> float:
        return _sigmoid(self.weights[0] + sum(a * b for a, b in zip(self.weights[1:], f)))

    def answers(self, matcher: "Matcher", pk: "Pick") -> bool:
        """Is the whole message's pick answered as it is (no other reading needed)? The KB's
        own rule looks at its threshold only here (the sole-suggestion rule waits for the
        other readings)."""
        if self.prior is not None:
            return self.answer_pick(matcher, pk)
        return self._answer(pk.f, pk.p)

    def _answer(self, f: Sequence[float], p: float) -> bool:
        # the KB has this very question (score 1) or the model says answer; a near tie never
        return (p >= self.answer_p or f[0] >= 0.999) and f[1] >= TIE * f[0]

    def pick(self, matcher: "Matcher", readings: Sequence[tuple["Scored", str]],
             top_k: int = 3) -> tuple[Optional["Pick"], Optional[tuple[float, "Scored"]]]:
        """The most confident reading of the message and what the decision looks at: the
        ``whole`` text, one of its clauses when it is long (``clause``: the question buried in
        a rambling message; its best entry must be among the whole text's top three), or the
        text with homophone typos corrected (``homophone``: only when it is answered -- 回复 /
        恢复 are both words), or read in the KB's other language (``translated``: only when
        answered, by a margin). Also a translated reading that was not answered (for
        suggestions when nothing else is found)."""
        p, scored, kind_of = -1.0, None, "whole"
        other: Optional[tuple[float, "Scored"]] = None     # a translated reading not answered
        whole_top = {c[0] for c in readings[0][0].cands[:3]} if readings else set()
        for r, kind in readings:
            f = features(matcher, r)
            if f is None or (kind == "clause" and r.cands[0][0] not in whole_top):
                continue
            pr = self.probability(f)
            if kind == "homophone" and not self._answer(f, pr):
                continue
            # a question read in the other language through a dictionary: answered only
            # when clearly surer than the KB's threshold (its words are the KB's own, so it
            # looks cleaner than it is)
            if kind == "translated" and not (self._answer(f, pr) and pr >= max(
                    self.answer_p + TRANSLATED_MARGIN, TRANSLATED_FLOOR)):
                other = (pr, r)
                continue
            if pr > p:
                p, scored, kind_of = pr, r, kind
        if scored is None:
            return None, other
        sugg = matcher.suggestions(scored, top_k)
        f = features(matcher, scored)
        best = matcher.entries[matcher.in_language(scored.cands[0][0], scored.lang)]
        sole = len(sugg) == 1 and sugg[0][0] is best
        return Pick(p, scored, f, best, sugg, sole, kind_of), other

    def answer_pick(self, matcher: "Matcher", pk: "Pick") -> bool:
        """Answer (rather than suggest or say nothing)? The global rule when one is set
        (``prior``: learned on other businesses' visitors), else this KB's threshold with
        the sole-suggestion rule. A near tie is never answered."""
        if self.prior is not None:   # the KB has this very question (score 1), or the rule
            return pk.f[1] >= TIE * pk.f[0] and not _cross_tie(matcher, pk) and (
                pk.f[0] >= 0.999 or self.prior.answers(self, pk))
        return self._answer(pk.f, pk.p) or (
            pk.sole and pk.p >= self.answer_p * SOLE and pk.f[1] >= TIE * pk.f[0])

    def decide(self, matcher: "Matcher", readings: Sequence[tuple["Scored", str]],
               top_k: int = 3) -> "MatchResult":
        pk, other = self.pick(matcher, readings, top_k)
        return self.result(matcher, pk, other, top_k)

    def result(self, matcher: "Matcher", pk: Optional["Pick"],
               other: Optional[tuple[float, "Scored"]], top_k: int = 3) -> "MatchResult":
        """Answer, suggest or nothing for a pick (and a translated reading not answered)."""
        from .matcher import MatchResult
        from .prior import vector as prior_vector
        if pk is None:
            return self._suggest_other(matcher, other, top_k) or MatchResult("none", None, 0.0, [])
        # the confidence reported is the deciding model's: the learned rule's when it decides
        conf = self.prior.probability(prior_vector(self, pk)) if self.prior is not None else pk.p
        if self.answer_pick(matcher, pk):
            return MatchResult("answer", pk.best, conf, [s for s in pk.sugg if s[0] is not pk.best])
        # suggestions: the model is not sure, and the query shares words with one of the
        # entry's questions (not only with its answer: "what is the weather" ~ an answer's "is")
        if pk.p >= self.suggest_p and pk.sugg and (pk.f[3] > 0 or pk.f[2] >= 0.3):
            return MatchResult("suggest", None, conf, pk.sugg)
        return self._suggest_other(matcher, other, top_k) or MatchResult("none", None, conf, [])

    def _suggest_other(self, matcher: "Matcher", other: Optional[tuple[float, "Scored"]],
                       top_k: int) -> Optional["MatchResult"]:
        """Nothing to offer in the question's language: the entries its translated reading
        found (a topic the KB has in the other language only), when sure enough to suggest."""
        from .matcher import MatchResult
        if other is None or other[0] < self.suggest_p:
            return None
        sugg = matcher.suggestions(other[1], top_k)
        return MatchResult("suggest", None, other[0], sugg) if sugg else None


def _cross_tie(matcher: "Matcher", pk: "Pick") -> bool:
    """Another entry (not the best's twin) scores within TIE of the best: a coin toss, in
    whatever language (the margin feature looks at rivals of the best's own language only;
    "cost" ties the Chinese and the English price entries of two-language KB)."""
    c = pk.scored.cands
    rival = next((x for x in c[1:] if not matcher.is_twin(x[0], c[0][0])), None)
    return rival is not None and rival[1] >= (1 - TIE) * c[0][1]


def _swap_topic(matcher: "Matcher", text: str) -> Optional[str]:
    """The phrasing with its most specific word (highest idf) replaced by an unknown one."""
    norm = normalize(text)
    best, best_idf = None, -1.0
    for w in norm.split():
        if w.isalpha() and w.isascii() and len(w) > 2:
            v = matcher._idf.get("w:" + stem(w))
            if v is not None and v > best_idf:
                best, best_idf = w, v
    for k in range(len(norm) - 1):
        bg = norm[k:k + 2]
        if is_cjk(bg[0]) and is_cjk(bg[1]):
            v = matcher._idf.get(bg)
            if v is not None and v > best_idf:
                best, best_idf = bg, v
    if best is None:
        return None
    if is_cjk(best[0]):
        return norm.replace(best, _SWAP_ZH, 1)
    return " ".join(_SWAP_EN if w == best else w for w in norm.split())


def fit_decider(matcher: "Matcher", examples: Iterable[tuple[str, Optional[str]]] = ()
                ) -> Optional[Decider]:
    """Learn the KB's decision from the KB itself (+ labelled traffic ``examples``)."""
    examples = list(examples)
    slots = [(i, k) for i in range(len(matcher.entries))
             for k in range(len(matcher._phr[i])) if len(matcher._phr[i]) > 1]
    if len(slots) > MAX_POSITIVES:
        step = len(slots) / MAX_POSITIVES
        slots = [slots[int(j * step)] for j in range(MAX_POSITIVES)]
    xs: list[list[float]] = []
    ys: list[int] = []
    pos_scores: list[float] = []
    for i, k in slots:
        text = matcher.entries[i].phrasings[k]
        sc = matcher.score_query(text, exclude=(i, k))
        f = features(matcher, sc)
        if f is None:
            continue
        ok = sc.cands[0][0] == i
        xs.append(f)
        ys.append(1 if ok else 0)
        if ok:
            pos_scores.append(f[0])
        for neg in (_swap_topic(matcher, text),):
            f2 = features(matcher, matcher.score_query(neg, exclude=(i, k))) if neg else None
            if f2 is not None:
                xs.append(f2)
                ys.append(0)
    n_pos = len(pos_scores)
    ids = {e.id: n for n, e in enumerate(matcher.entries)}
    own = {(e.id, normalize(p)) for e in matcher.entries for p in e.phrasings}
    for text, entry_id in examples:
        if (entry_id, normalize(text)) in own:
            continue  # approved as a similar question: already a leave-one-out sample
        sc = matcher.score_query(text)
        f = features(matcher, sc)
        if f is None:
            continue
        xs.append(f)
        ys.append(1 if entry_id is not None and sc.cands[0][0] == ids.get(entry_id) else 0)
        n_pos += ys[-1]
    if n_pos < MIN_POSITIVES:
        return None
    pos_sorted = sorted(pos_scores) or [1.0]
    own_topic = pos_sorted[len(pos_sorted) // 4]  # a negative scoring like this is in scope
    n_neg = 0
    for text in NEGATIVE_QUESTIONS:
        f = features(matcher, matcher.score_query(text))
        if f is None or f[0] >= own_topic:
            continue
        xs.append(f)
        ys.append(0)
        n_neg += 1
    w = fit_logistic(xs, ys)
    d = Decider(w, 0.5, 0.5 * SUGGEST_FRACTION,
                {"positives": sum(ys), "negatives": len(ys) - sum(ys),
                 "other_business": n_neg, "examples": len(examples)})
    # threshold: maximise recall - COST * false answers over the samples
    ps = sorted(((d.probability(x), y) for x, y in zip(xs, ys)), reverse=True)
    n1 = sum(ys) or 1
    n0 = (len(ys) - sum(ys)) or 1
    curve = []
    tp = fp = 0
    for j, (p, y) in enumerate(ps):
        tp += y
        fp += 1 - y
        if j + 1 < len(ps) and ps[j + 1][0] == p:
            continue
        curve.append((p, tp / n1 - COST * fp / n0))
    best_v = max([v for _, v in curve] + [0.0])
    # the lowest threshold within SLACK of the best value: the optimum of a few dozen samples
    # is noisy, and real questions are harder than the KB's own phrasings
    best_t = min([p for p, v in curve if v >= best_v - SLACK] + [0.99])
    d.answer_p = max(best_t, 0.05)
    d.suggest_p = d.answer_p * SUGGEST_FRACTION
    return d

"""Learning from misses: cluster unanswered questions into proposed KB entries, and find
KB entries that overlap (probable duplicates)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

from .matcher import _WORD_RE, Analyzer, KBEntry, SynonymsArg
from .normalize import detect_language, is_cjk, normalize


@dataclass
class Proposal:
    representative: str
    examples: list[str] = field(default_factory=list)
    count: int = 0


def _vectors(texts: list[str], analyzer: Analyzer) -> list[dict[str, float]]:
    # words seen at least twice become vocabulary, so one-off typos get corrected to them
    counts: dict[str, int] = {}
    for t in texts:
        for w in set(_WORD_RE.findall(normalize(t))):
            counts[w] = counts.get(w, 0) + 1
    for w, c in counts.items():
        if c >= 2:
            analyzer.add_vocab(w)
    docs = [analyzer.analyze(t, correct_typos=True) for t in texts]
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    n = max(1, len(docs))
    vecs = []
    for d in docs:
        v = {t: w * math.log(1 + (n + 1) / (df[t] + 0.5)) for t, w in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({t: x / norm for t, x in v.items()})
    return vecs


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b[t] for t, x in a.items() if t in b)


def _candidate_pairs(vecs: list[dict[str, float]], max_df: int = 200):
    """Pairs of documents sharing at least one non-unigram term (inverted index)."""
    post: dict[str, list[int]] = {}
    for i, v in enumerate(vecs):
        for t in v:
            if len(t) == 1 and is_cjk(t):
                continue
            post.setdefault(t, []).append(i)
    seen = set()
    for ids in post.values():
        if len(ids) > max_df:
            continue
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                p = (ids[x], ids[y])
                if p not in seen:
                    seen.add(p)
                    yield p


def propose_entries(misses: Iterable[Union[str, dict]], threshold: float = 0.45,
                    synonyms: SynonymsArg = None, min_count: int = 1,
                    max_examples: int = 5) -> list[Proposal]:
    """Group near-duplicate missed questions (paraphrases, typos, width/script variants).

    ``misses`` are strings or dicts with a ``text`` (or ``q``) key. Returns proposals
    sorted by count, most frequent first; representative = the member most similar to the
    rest of its cluster (most frequent phrasing on ties).
    """
    texts = []
    for m in misses:
        t = m if isinstance(m, str) else (m.get("text") or m.get("q") or "")
        if t and t.strip():
            texts.append(t.strip())
    if not texts:
        return []
    # exact duplicates (after normalisation) first
    groups: dict[str, list[str]] = {}
    for t in texts:
        groups.setdefault(normalize(t), []).append(t)
    keys = list(groups)
    analyzer = Analyzer(synonyms)
    vecs = _vectors(keys, analyzer)
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sims: dict[tuple[int, int], float] = {}
    for i, j in _candidate_pairs(vecs):
        s = _cos(vecs[i], vecs[j])
        if s >= threshold:
            sims[(i, j)] = s
            parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(keys)):
        clusters.setdefault(find(i), []).append(i)
    out = []
    for members in clusters.values():
        count = sum(len(groups[keys[i]]) for i in members)
        if count < min_count:
            continue

        def centrality(i: int) -> tuple:
            s = sum(sims.get((min(i, j), max(i, j)), 0.0) for j in members if j != i)
            return (s, len(groups[keys[i]]))
        members.sort(key=centrality, reverse=True)
        rep = groups[keys[members[0]]][0]
        examples = []
        for i in members:
            for t in groups[keys[i]]:
                if t not in examples:
                    examples.append(t)
        out.append(Proposal(rep, examples[:max_examples], count))
    out.sort(key=lambda p: (-p.count, p.representative))
    return out


def _normed(v: dict[str, float]) -> dict[str, float]:
    n = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / n for t, x in v.items()}


def find_duplicate_entries(entries: Iterable[KBEntry], threshold: float = 0.6,
                           synonyms: SynonymsArg = None,
                           cross_language: bool = False) -> list[tuple[str, str, float]]:
    """Pairs of KB entries whose questions overlap, best first: ``(id_a, id_b, score)``.

    Phrasings (question + similar) become idf-weighted term vectors (synonyms applied).
    score = mean of (a) the cosine of the two entries' summed vectors (question counted
    twice) and (b) the best cosine between one phrasing of each -- so one shared
    paraphrase counts, but a single shared generic word in otherwise different entries
    does not. Entries in different languages (translations, as in a bilingual KB) are
    skipped unless ``cross_language``.
    """
    entries = [e for e in entries]
    texts: list[str] = []
    owner: list[int] = []
    for k, e in enumerate(entries):
        for p in e.phrasings:
            texts.append(p)
            owner.append(k)
    analyzer = Analyzer(synonyms)
    pvecs = _vectors(texts, analyzer)
    evecs: list[dict[str, float]] = [{} for _ in entries]
    first = set()
    for i, k in enumerate(owner):
        mult = 2.0 if k not in first else 1.0
        first.add(k)
        for t, x in pvecs[i].items():
            evecs[k][t] = evecs[k].get(t, 0.0) + mult * x
    evecs = [_normed(v) for v in evecs]
    langs = [detect_language(e.question) for e in entries]
    best_phrase: dict[tuple[int, int], float] = {}
    for i, j in _candidate_pairs(pvecs):
        a, b = owner[i], owner[j]
        if a == b or (not cross_language and langs[a] != langs[b]):
            continue
        key = (min(a, b), max(a, b))
        s = _cos(pvecs[i], pvecs[j])
        if s > best_phrase.get(key, 0.0):
            best_phrase[key] = s
    res = []
    for (a, b), ps in best_phrase.items():
        s = (ps + _cos(evecs[a], evecs[b])) / 2
        if s >= threshold:
            res.append((entries[a].id, entries[b].id, round(min(s, 1.0), 3)))
    res.sort(key=lambda x: -x[2])
    return res


def learn_from_traffic(entries: Iterable[KBEntry], labelled: Iterable[tuple[str, Optional[str]]],
                       max_similar: int = 50) -> tuple[list[KBEntry], list[tuple[str, Optional[str]]]]:
    """Approved traffic -> (entries with the questions added as similar questions, examples).

    ``labelled`` = (visitor question, entry id or None): a clicked suggestion, a "helpful:
    yes" answer, a question an agent resolved with entry X (id), or a "helpful: no" /
    out-of-scope question (None). Every pair becomes a calibration example; a question with
    an id the entry does not already have (normalised) becomes one of its similar questions.
    """
    out = [e.copy() for e in entries]
    by_id = {e.id: e for e in out}
    examples: list[tuple[str, Optional[str]]] = []
    for text, entry_id in labelled:
        text = (text or "").strip()
        if not text:
            continue
        examples.append((text, entry_id))
        e = by_id.get(entry_id) if entry_id else None
        if e is not None:
            e.add_learned(text, max_similar)
    return out, examples

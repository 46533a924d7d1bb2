"""Answer or not, learned from other businesses' visitors (a global rule over the KB's own).

Each KB calibrates its decision from its own phrasings (calibration.py). Those phrasings are
much closer to the entries than visitors' words, so on a new business the KB's threshold
turns down most right answers: on blind businesses the matcher ranked the right entry first
for about three in four in-scope questions while the bot answered one in three.

This rule is learned instead from *visitors' questions* of many businesses (the training
sets in tests/data/bot/train/, written for training by authors who never saw the matcher):
for each question, the reading the decider picked, labelled 1 when its best entry is the
right one and 0 when it is another entry or the question is out of scope. The features are
relative to the KB where that matters (its model's probability against its own threshold)
and absolute otherwise (score, margin, coverage, ...), so they carry over to a business
never seen. A logistic model over them (``fit_logistic``) and the threshold that maximises
``right answers - COST * wrong answers`` on the training questions ship as JSON
(``prior_weights.json``), built by ``python -m chalicelib.domain.bot.train_prior``.

One set of weights per matcher mode: ``lexical`` and ``semantic`` (with the encoder's two
features). Pure Python, no AWS.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .calibration import _sigmoid

if TYPE_CHECKING:  # pragma: no cover
    from .calibration import Decider, Pick

WEIGHTS = Path(__file__).with_name("prior_weights.json")
KINDS = ("clause", "homophone", "translated")
NAMES = ("rel", "p", "score", "margin", "coverage", "phrase_sim", "unknown", "clean",
         "single", "same_lang", "sole", "n_sugg", "long", "ratio", "best_cov", "best_phrase",
         "best_sem") + KINDS


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def vector(decider: "Decider", pk: "Pick") -> list[float]:
    """The features of a decision (NAMES, then the encoder's two when the KB has them)."""
    f = pk.f
    base = [_logit(pk.p) - _logit(decider.answer_p), pk.p] + list(f[:8])
    base += [1.0 if pk.sole else 0.0, len(pk.sugg) / 3.0,
             min(pk.scored.nterms, 40) / 20.0]
    # does the best entry also lead on each signal of its own among the first five?
    c = pk.scored.cands[:5]
    s2 = c[1][1] if len(c) > 1 else 0.0
    base += [s2 / c[0][1] if c[0][1] > 0 else 1.0,
             1.0 if c[0][3] >= max(x[3] for x in c) else 0.0,
             1.0 if c[0][4] >= max(x[4] for x in c) else 0.0,
             1.0 if c[0][5] >= max(x[5] for x in c) else 0.0]
    base += [1.0 if pk.kind == k else 0.0 for k in KINDS]
    return base + list(f[8:10])


@dataclass
class GlobalRule:
    weights: list[float]
    threshold: float

    def probability(self, x: list[float]) -> float:
        return _sigmoid(self.weights[0] + sum(a * b for a, b in zip(self.weights[1:], x)))

    def answers(self, decider: "Decider", pk: "Pick") -> bool:
        return self.probability(vector(decider, pk)) >= self.threshold


@lru_cache(maxsize=2)
def load(mode: str) -> Optional[GlobalRule]:
    """The shipped rule of a mode (None when the file has none: the KB's own rule then)."""
    try:
        data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    got = data.get(mode)
    return GlobalRule(got["weights"], got["threshold"]) if got else None

"""Build prior_weights.json: the answer-or-not rule learned from other businesses' visitors.

    python -m chalicelib.domain.bot.train_prior [--semantic] [--cost 2] [--write]
    python -m chalicelib.domain.bot.train_prior --lobo [--semantic] [--cost 2]

The training businesses are the folders of ``tests/data/bot/train/`` (kb.csv +
queries.jsonl each, written for training) and the tuned-on sets kept elsewhere in
``tests/data/bot`` and the sample (``TUNED_ON``). For every question that is not a handoff
request, the decider's pick (prior.py) is a sample: label 1 when its best entry is the
expected one, 0 when it is another entry or the question expects none. ``--lobo`` leaves
each business out in turn, learns from the others and evaluates the left-out one through
``Bot.respond`` (the same path as ``evaluate``): how the rule does on a business it has not
seen. ``--write`` stores the rule learned from all of them under the mode's key.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional

from .bot import Bot
from .calibration import TIE, _cross_tie, fit_logistic
from .handoff import is_handoff_request
from .kbcsv import load_csv_file
from .matcher import Matcher
from .prior import WEIGHTS, GlobalRule, vector

ROOT = Path(__file__).resolve().parents[3]
TRAIN = ROOT / "tests" / "data" / "bot" / "train"
_D = ROOT / "tests" / "data" / "bot"
_S = ROOT.parent / "shared" / "data" / "faq-sample"
TUNED_ON = {
    "sample": (_S / "kb.csv", [_S / "queries.jsonl", _D / "queries-extra.jsonl",
                               _D / "heldout-reviewer-phrasings.jsonl"]),
    "shop": (_D / "kb-shop.csv", [_D / "heldout-shop-queries.jsonl"]),
    "edu": (_D / "heldout2" / "edu-kb.csv", [_D / "heldout2" / "edu-queries.jsonl"]),
    "food": (_D / "heldout2" / "food-kb.csv", [_D / "heldout2" / "food-queries.jsonl"]),
    "telecom": (_D / "heldout2" / "telecom-kb.csv", [_D / "heldout2" / "telecom-queries.jsonl"]),
}
COST = 2.0     # a wrong answer (another entry, or an out-of-scope question) costs this many
RIDGE = 1.0


def businesses(train_dir: Path = TRAIN) -> dict[str, tuple[Path, list[Path]]]:
    out = {k: v for k, v in TUNED_ON.items() if v[0].is_file()}
    if train_dir.is_dir():
        for name in sorted(os.listdir(train_dir)):
            kb, qs = train_dir / name / "kb.csv", train_dir / name / "queries.jsonl"
            if kb.is_file() and qs.is_file():
                out[name] = (kb, [qs])
    return out


def _queries(paths: list[Path]) -> list[dict]:
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return [q for q in out if q.get("expect") != "HANDOFF"]


def _matcher(kb: Path, encoder) -> Matcher:
    return Matcher(load_csv_file(str(kb)), version="train", prior=False, encoder=encoder)


def samples(matcher: Matcher, queries: list[dict]) -> list[tuple[list[float], int]]:
    """(features, label) of every question the decider could answer."""
    d = matcher.decider
    out = []
    if d is None:
        return out
    for q in queries:
        text, expect = q["q"], q.get("expect")
        if is_handoff_request(text):
            continue
        whole = matcher.score_query(text)
        pk, _ = d.pick(matcher, [(whole, "whole")] + matcher.other_readings(text, whole))
        if pk is None or pk.f[1] < TIE * pk.f[0] or _cross_tie(matcher, pk):
            continue           # nothing matched, or a near tie: never answered
        out.append((vector(d, pk), 1 if expect is not None and pk.best.id == expect else 0))
    return out


def fit(rows: list[tuple[list[float], int]], cost: float = COST) -> GlobalRule:
    xs, ys = [r[0] for r in rows], [r[1] for r in rows]
    rule = GlobalRule(fit_logistic(xs, ys, ridge=RIDGE), 0.5)
    ps = sorted(((rule.probability(x), y) for x, y in rows), reverse=True)
    best_v, best_t, v = 0.0, 1.0, 0.0
    for j, (p, y) in enumerate(ps):
        v += 1.0 if y else -cost
        if j + 1 < len(ps) and ps[j + 1][0] == p:
            continue
        if v > best_v:
            best_v, best_t = v, p
    rule.threshold = best_t
    return rule


def evaluate_with(rule: Optional[GlobalRule], matcher: Matcher, queries: list[dict]) -> dict:
    """The evaluate figures of one business with ``rule`` (None: the KB's own decision)."""
    if matcher.decider is not None:
        matcher.decider.prior = rule
    bot = Bot(matcher)
    n_in = ok = wrong = n_oos = oos_ok = sugg = 0
    for q in queries:
        r, expect = bot.respond({}, q["q"], {}), q.get("expect")
        if expect is None:
            n_oos += 1
            oos_ok += r.kind != "answer"
            continue
        n_in += 1
        hit = r.kind == "answer" and r.entry_id == expect
        ok += hit
        wrong += r.kind == "answer" and r.entry_id != expect
        sugg += hit or (r.kind == "suggest" and expect in [s["id"] for s in r.suggestions[:3]])
    return {"in_scope_top1": ok / n_in, "out_of_scope_rejected": oos_ok / max(n_oos, 1),
            "wrong_answer_rate": wrong / n_in, "answered_or_suggested": sugg / n_in}


def _mean(rows: list[dict]) -> dict:
    return {k: round(sum(r[k] for r in rows) / len(rows), 3) for k in rows[0]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--cost", type=float, default=COST)
    ap.add_argument("--lobo", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    encoder = None
    if args.semantic:
        from chalicelib.adapters.encoder import load
        encoder = load(force=True)
    mode = "semantic" if args.semantic else "lexical"
    data = {}
    for name, (kb, qpaths) in businesses().items():
        m = _matcher(kb, encoder)
        qs = _queries(qpaths)
        data[name] = (m, qs, samples(m, qs))
    if args.lobo:
        own, learned = [], []
        for name, (m, qs, _) in data.items():
            rule = fit([r for n, v in data.items() if n != name for r in v[2]], args.cost)
            a, b = evaluate_with(None, m, qs), evaluate_with(rule, m, qs)
            own.append(a)
            learned.append(b)
            print(f"{name:18s} own {json.dumps({k: round(x, 3) for k, x in a.items()})}")
            print(f"{'':18s} new {json.dumps({k: round(x, 3) for k, x in b.items()})}")
        print(json.dumps({"mode": mode, "cost": args.cost, "businesses": len(data),
                          "own": _mean(own), "learned": _mean(learned)}))
    rule = fit([r for v in data.values() for r in v[2]], args.cost)
    print(json.dumps({"mode": mode, "samples": sum(len(v[2]) for v in data.values()),
                      "threshold": round(rule.threshold, 4)}))
    if args.write:
        stored = json.loads(WEIGHTS.read_text(encoding="utf-8")) if WEIGHTS.is_file() else {}
        stored[mode] = {"weights": [round(w, 6) for w in rule.weights],
                        "threshold": round(rule.threshold, 6), "cost": args.cost,
                        "businesses": sorted(data)}
        WEIGHTS.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

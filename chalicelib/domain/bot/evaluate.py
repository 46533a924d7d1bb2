"""Evaluate the bot on a KB CSV and a queries JSONL file.

    python -m chalicelib.domain.bot.evaluate --kb kb.csv --queries queries.jsonl [--report]
        [--learn-from traffic.jsonl] [--fixed] [--semantic]
    python -m chalicelib.domain.bot.evaluate --sets FOLDER [--fixed] [--semantic]
    python -m chalicelib.domain.bot.evaluate --handoff messages.jsonl [--report]

Every query goes through ``Bot.respond`` with a fresh state (the same decision path as
production). The last line printed is a JSON object with the metrics:

* in_scope_top1: share of queries expecting an id that got exactly that id as an *answer*;
* out_of_scope_rejected: share of queries expecting null that got no answer;
* handoff_detected: share of queries expecting "HANDOFF" that got a handoff;
* wrong_answer_rate: share of in-scope queries answered with another entry;
* answered_or_suggested: share of in-scope queries answered right or with the right entry
  among the (at most 3) suggestions.

``--learn-from FILE`` first replays FILE (same format) as resolved traffic: every question
with an expected id is added to that entry as an approved similar question and becomes a
labelled example, every out-of-scope one a negative example (what the learning loop does
with clicked suggestions, "helpful?" answers and questions agents resolved after a
handoff); the KB's calibration is rebuilt from that, then ``--queries`` is evaluated.
``--sets FOLDER`` evaluates every business of a folder (sub-folders with kb.csv and
queries.jsonl, as the blind sets are written): a line per business, then the mean.
``--fixed`` uses the old fixed thresholds (no self-calibration), for comparison.
``--semantic`` adds the optional sentence encoder (``adapters/encoder.py``) to the matcher.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Optional

from .bot import Bot
from .kbcsv import load_csv_file
from .learning import learn_from_traffic
from .matcher import Matcher


def _read(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(kb_path: str, queries_path: str, report: bool = False, out=None,
             matcher_kwargs: Optional[dict] = None, learn_from: Optional[str] = None) -> dict:
    out = out or sys.stdout
    entries = load_csv_file(kb_path)
    examples: list = []
    if learn_from:
        traffic = [(q["q"], q.get("expect")) for q in _read(learn_from)
                   if q.get("expect") != "HANDOFF"]
        entries, examples = learn_from_traffic(entries, traffic)
    t0 = time.perf_counter()
    matcher = Matcher(entries, version="eval", examples=examples, **(matcher_kwargs or {}))
    build_ms = (time.perf_counter() - t0) * 1000
    bot = Bot(matcher)
    n_in = n_in_ok = n_oos = n_oos_ok = n_h = n_h_ok = n_wrong = n_sugg = 0
    for q in _read(queries_path):
        expect = q.get("expect")
        r = bot.respond({}, q["q"], {})
        got = r.entry_id if r.kind == "answer" else None
        if expect == "HANDOFF":
            n_h += 1
            ok = r.kind == "handoff"
            n_h_ok += ok
        elif expect is None:
            n_oos += 1
            ok = r.kind != "answer"
            n_oos_ok += ok
        else:
            n_in += 1
            ok = r.kind == "answer" and r.entry_id == expect
            n_in_ok += ok
            n_wrong += r.kind == "answer" and r.entry_id != expect
            n_sugg += ok or (r.kind == "suggest" and
                             expect in [s["id"] for s in r.suggestions[:3]])
        if report:
            top = [s["id"] for s in r.suggestions]
            print("%s %-9s conf=%.3f expect=%-18s got=%-18s sugg=%s q=%s" % (
                "OK  " if ok else "MISS", r.kind, r.confidence, expect, got, ",".join(top),
                q["q"]),
                file=out)
    res = {
        "in_scope_top1": round(n_in_ok / n_in, 4) if n_in else None,
        "out_of_scope_rejected": round(n_oos_ok / n_oos, 4) if n_oos else None,
        "handoff_detected": round(n_h_ok / n_h, 4) if n_h else None,
        "in_scope": n_in, "in_scope_correct": n_in_ok,
        "out_of_scope": n_oos, "out_of_scope_rejected_count": n_oos_ok,
        "handoff": n_h, "handoff_detected_count": n_h_ok,
        "wrong_answer_rate": round(n_wrong / n_in, 4) if n_in else None,
        "answered_or_suggested": round(n_sugg / n_in, 4) if n_in else None,
        "calibrated": matcher.decider is not None, "semantic": matcher.encoder is not None,
        "learned_examples": len(examples),
        "kb_entries": len(entries), "build_ms": round(build_ms, 1),
    }
    print(json.dumps(res, ensure_ascii=False), file=out)
    return res


MEAN_KEYS = ("in_scope_top1", "out_of_scope_rejected", "handoff_detected", "wrong_answer_rate",
             "answered_or_suggested")


def evaluate_sets(folder: str, out=None, matcher_kwargs: Optional[dict] = None) -> dict:
    """Every business of ``folder`` (a sub-folder with kb.csv and queries.jsonl): one line of
    figures each, then their mean (each business counts once, whatever its size)."""
    import io
    import os
    out = out or sys.stdout
    names = sorted(n for n in os.listdir(folder)
                   if os.path.isfile(os.path.join(folder, n, "kb.csv"))
                   and os.path.isfile(os.path.join(folder, n, "queries.jsonl")))
    if not names:
        raise SystemExit(f"{folder}: no sub-folder with kb.csv and queries.jsonl")
    per: dict[str, dict] = {}
    for n in names:
        res = evaluate(os.path.join(folder, n, "kb.csv"), os.path.join(folder, n, "queries.jsonl"),
                       out=io.StringIO(), matcher_kwargs=matcher_kwargs)
        per[n] = {k: res[k] for k in MEAN_KEYS}
        print(n + " " + json.dumps(per[n]), file=out)
    mean = {}
    for k in MEAN_KEYS:
        got = [r[k] for r in per.values() if r[k] is not None]
        mean[k] = round(sum(got) / len(got), 3) if got else None
    result = {"sets": len(names), "mean": mean}
    print(json.dumps(result), file=out)
    return result


def evaluate_handoff(path: str, report: bool = False, out=None) -> dict:
    """The handoff detector alone on a JSONL of {"q", "handoff": bool, "lang"}: the share of
    requests detected and of non-requests taken for one, per language."""
    from .handoff import is_handoff_request
    out = out or sys.stdout
    res: dict = {}
    messages = _read(path)
    for lang in ("zh", "en"):
        rows = [r for r in messages if r.get("lang", lang) == lang]
        yes = [r for r in rows if r["handoff"]]
        no = [r for r in rows if not r["handoff"]]
        missed = [r for r in yes if not is_handoff_request(r["q"])]
        alarm = [r for r in no if is_handoff_request(r["q"])]
        if report:
            for r in missed:
                print("MISSED       " + r["q"], file=out)
            for r in alarm:
                print("FALSE ALARM  " + r["q"], file=out)
        res[lang] = {"requests": len(yes),
                     "detected": round(1 - len(missed) / len(yes), 4) if yes else None,
                     "non_requests": len(no),
                     "false_alarms": round(len(alarm) / len(no), 4) if no else None}
    print(json.dumps(res, ensure_ascii=False), file=out)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb")
    ap.add_argument("--sets", help="a folder of businesses (sub-folders with kb.csv and "
                                   "queries.jsonl): figures per business and their mean")
    ap.add_argument("--queries")
    ap.add_argument("--handoff", help="evaluate the handoff detector alone on this JSONL "
                                      "({q, handoff, lang})")
    ap.add_argument("--report", action="store_true", help="print one line per query first")
    ap.add_argument("--learn-from", help="replay this JSONL file as resolved traffic first")
    ap.add_argument("--fixed", action="store_true", help="fixed thresholds (no calibration)")
    ap.add_argument("--semantic", action="store_true",
                    help="with the sentence encoder (requirements-semantic.txt)")
    a = ap.parse_args(argv)
    if a.handoff:
        evaluate_handoff(a.handoff, a.report)
        return 0
    if not a.sets and not (a.kb and a.queries):
        ap.error("--kb and --queries are required (or --sets FOLDER, or --handoff FILE)")
    kwargs: dict = {"calibrate": False} if a.fixed else {}
    if a.semantic:
        from chalicelib.adapters.encoder import load
        kwargs["encoder"] = load(force=True)
        if kwargs["encoder"] is None:
            ap.error("--semantic: the encoder is not installed "
                     "(pip install -r requirements-semantic.txt)")
    if a.sets:
        evaluate_sets(a.sets, matcher_kwargs=kwargs)
        return 0
    evaluate(a.kb, a.queries, a.report, learn_from=a.learn_from, matcher_kwargs=kwargs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Evaluate the bot on a KB CSV and a queries JSONL file.

    python -m chalicelib.domain.bot.evaluate --kb kb.csv --queries queries.jsonl [--report]

Every query goes through ``Bot.respond`` with a fresh state (the same decision path as
production). The last line printed is a JSON object with the metrics:

* in_scope_top1: share of queries expecting an id that got exactly that id as an *answer*;
* out_of_scope_rejected: share of queries expecting null that got no answer;
* handoff_detected: share of queries expecting "HANDOFF" that got a handoff.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Optional

from .bot import Bot
from .kbcsv import load_csv_file
from .matcher import Matcher


def evaluate(kb_path: str, queries_path: str, report: bool = False, out=None,
             matcher_kwargs: Optional[dict] = None) -> dict:
    out = out or sys.stdout
    entries = load_csv_file(kb_path)
    t0 = time.perf_counter()
    matcher = Matcher(entries, version="eval", **(matcher_kwargs or {}))
    build_ms = (time.perf_counter() - t0) * 1000
    bot = Bot(matcher)
    n_in = n_in_ok = n_oos = n_oos_ok = n_h = n_h_ok = 0
    with open(queries_path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            q = json.loads(line)
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
            if report:
                top = [s["id"] for s in r.suggestions]
                print("%s %-9s conf=%.3f expect=%-18s got=%-18s sugg=%s q=%s" % (
                    "OK  " if ok else "MISS", r.kind, r.confidence, expect, got, ",".join(top), q["q"]),
                    file=out)
    res = {
        "in_scope_top1": round(n_in_ok / n_in, 4) if n_in else None,
        "out_of_scope_rejected": round(n_oos_ok / n_oos, 4) if n_oos else None,
        "handoff_detected": round(n_h_ok / n_h, 4) if n_h else None,
        "in_scope": n_in, "in_scope_correct": n_in_ok,
        "out_of_scope": n_oos, "out_of_scope_rejected_count": n_oos_ok,
        "handoff": n_h, "handoff_detected_count": n_h_ok,
        "kb_entries": len(entries), "build_ms": round(build_ms, 1),
    }
    print(json.dumps(res, ensure_ascii=False), file=out)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--report", action="store_true", help="print one line per query first")
    a = ap.parse_args(argv)
    evaluate(a.kb, a.queries, a.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

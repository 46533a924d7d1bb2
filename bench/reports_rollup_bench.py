"""Reports: the CPU of a 90-day report's roll-up, summaries stored flat (as before), split by
dimension, or split with the hours apart (as sealed now), without moto: one day of ~1,100
synthetic conversations (what 100,000 conversations over 90 days give a day: ~1,600
attributes with per-agent histograms), read 180 times (the range and the previous period),
then rolled up as site_report does (site totals, every agent and team, the daily series).
Median of 5.
Usage: .venv/bin/python bench/reports_rollup_bench.py
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tests.conftest  # noqa: E402,F401  (environment)

from chalicelib.domain import report_rollup as rollup  # noqa: E402
from chalicelib.domain import reports as metrics  # noqa: E402
from tests.helpers import report_events  # noqa: E402

END = 1_767_225_600_000
DAY = 86_400_000
CHATS_PER_DAY = 1_100


def one_day() -> dict:
    tz, rng, day = metrics.zone("UTC"), random.Random(1), defaultdict(int)
    for i in range(CHATS_PER_DAY):
        conv = report_events.conversation(
            f"c{i}", f"a{rng.randint(0, 19):02d}", END - 10 * DAY + rng.randint(0, DAY - 3_600_000),
            rng.choice(["sales", "billing", "support"]), "s", rng.randint(1, 5))
        facts = [f for f in map(metrics.fact_of, conv) if f]
        for (_, attr), v in metrics.contributions(facts, tz).items():
            day[attr] += v
    return {k: v for k, v in day.items() if v}


def report(stored: list[str]) -> None:
    items = {f"d{i:03d}": rollup.split(json.loads(s)) for i, s in enumerate(stored)}
    days = sorted(items)[:90]
    current = [items[d] for d in days]
    rollup.figures(rollup.collect(current, "s"))
    busy = rollup.busy_by_agent(current)
    for agent in rollup.dim_values(current, "a"):
        rollup.figures(rollup.collect(current, "a:" + agent))
        busy.get(agent, 0)
    for team in rollup.dim_values(current, "t"):
        rollup.figures(rollup.collect(current, "t:" + team))
    rollup.daily_series(items, days, "s")


def main() -> None:
    flat = one_day()
    forms = {"flat": json.dumps(flat, separators=(",", ":")),
             "split": json.dumps(rollup.split(flat), separators=(",", ":")),
             # as sealed now: the hours apart (not read by a long report), busy time summed
             "hours_apart": json.dumps(rollup.summary_parts(rollup.split(flat))[0],
                                       separators=(",", ":"))}
    out = {"attributes_per_day": len(flat)}
    for name, text in forms.items():
        times = []
        for _ in range(5):
            t = time.perf_counter()
            report([text] * 180)
            times.append(1000 * (time.perf_counter() - t))
        out[f"{name}_ms_median"] = round(statistics.median(times), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

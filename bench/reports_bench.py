"""Reports: DynamoDB writes per event through the consumer, and the cost of a 90-day site
report at 1,000 and 100,000 conversations' worth of events.

The clock is patched to 2026-01-03 so every day of the range is old enough for a summary
(queries.SEAL_AFTER_DAYS): the first report seals them, the next five are timed.

Runs on moto in-process. Part 1 feeds synthetic conversations (tests/helpers/report_events.py,
20 agents, 3 teams, spread over 90 days) to the real consumer, shuffled with 10 % duplicates,
and counts DynamoDB requests per event. Part 2 builds the day buckets of N conversations
(the same pure contributions the consumer ADDs, summed per day and written with UpdateItem
ADD: the consumer would take hours on moto for 100,000 conversations) and times the 90-day
site report (median of 5 after the first), counting requests to the reports table.
Usage: .venv/bin/python bench/reports_bench.py [--write-conversations 100]
       [--sizes 1000,100000]   (--write-conversations 0 skips part 1; each phase is timed)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tests.conftest  # noqa: E402,F401  (fake credentials)

os.environ["PARLEY_LOG_LEVEL"] = "ERROR"

from moto import mock_aws  # noqa: E402

DAY = 86_400_000
END = 1_767_225_600_000            # 2026-01-01 00:00 UTC
AGENTS = [f"a{i:02d}" for i in range(20)]
TEAMS = ["sales", "billing", "support"]


def synthetic(n: int, site: str, seed: int = 1):
    from tests.helpers import report_events
    rng = random.Random(seed)
    for i in range(n):
        at = END - rng.randint(0, 90 * DAY - 3_600_000)
        yield report_events.conversation(f"c{i}", rng.choice(AGENTS), at, rng.choice(TEAMS),
                                         site, rng.randint(1, 5))


class Counter:
    def __init__(self):
        self.calls = []

    def __call__(self, model, **kwargs):
        self.calls.append(model.name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-conversations", type=int, default=100)
    ap.add_argument("--sizes", default="1000,100000",
                    help="comma-separated conversation counts for part 2")
    args = ap.parse_args()
    with mock_aws():
        from infra.resources import deploy_stack, serialize_moto_dynamodb
        from tests.helpers.aws import reset_pynamodb_connections
        serialize_moto_dynamodb()
        reset_pynamodb_connections()
        deploy_stack()
        from chalicelib.domain import reports as metrics
        from chalicelib.domain.actors import Actor
        from chalicelib.services import sites
        from chalicelib.services.deps import build_default
        from chalicelib.services.reports import consumer, queries

        from chalicelib.services.reports import queries as q_module
        q_module.now_ms = lambda: END + 2 * DAY
        deps = build_default()
        counter = Counter()
        deps.reports._get_client().meta.events.register("before-call", counter)
        results = {}

        # ------------------------------------------------ part 1: writes per event
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        sites.create_site(deps, "w", "Writes")
        events = [e for conv in synthetic(max(0, args.write_conversations), "w") for e in conv]
        rng = random.Random(2)
        fed = events + rng.sample(events, len(events) // 10)
        rng.shuffle(fed)
        per_event = []
        t0 = time.perf_counter()
        for e in fed:
            before = len(counter.calls)
            consumer.handle(deps, e)
            calls = counter.calls[before:]
            per_event.append(sum(c in ("UpdateItem", "PutItem", "DeleteItem") for c in calls))
        elapsed = time.perf_counter() - t0
        if not fed:
            per_event = [0]
        results["writes"] = {"events": len(fed), "max_writes_per_event": max(per_event),
                             "avg_writes_per_event": round(statistics.mean(per_event), 3),
                             "events_with_more_than_2": sum(w > 2 for w in per_event),
                             "ms_per_event_on_moto": round(1000 * elapsed / max(1, len(fed)), 1)}
        print(f"{len(fed)} events (shuffled, 10% duplicates): max "
              f"{max(per_event)} writes/event, avg {statistics.mean(per_event):.2f}")

        # ------------------------------------------------ part 2: 90-day report
        admin = Actor(kind="agent", id="admin", role="admin")
        tz = metrics.zone("UTC")
        for n in sizes:
            site = f"r{n}"
            phase = time.perf_counter()
            sites.create_site(deps, site, f"{n} conversations")
            days: dict = defaultdict(lambda: defaultdict(int))
            for conv in synthetic(n, site, seed=n):
                facts = [f for f in map(metrics.fact_of, conv) if f]
                for (day, attr), v in metrics.contributions(facts, tz).items():
                    days[day][attr] += v
            print(f"{n}: contributions built in {time.perf_counter() - phase:.0f} s", flush=True)
            phase = time.perf_counter()
            for day, counters in days.items():
                items = sorted(counters.items())
                for i in range(0, len(items), 100):
                    deps.reports.add(site, day, dict(items[i:i + 100]))
            print(f"{n}: day items written in {time.perf_counter() - phase:.0f} s", flush=True)
            params = {"site": site, "from": "2025-10-03", "to": "2025-12-31"}
            times, calls = [], []
            for _ in range(6):          # the first read seals the days (once), then 5 reads
                before = len(counter.calls)
                t = time.perf_counter()
                report = queries.site_report(deps, admin, params)
                times.append(1000 * (time.perf_counter() - t))
                calls = counter.calls[before:]
                print(f"{n}: report {times[-1]:.0f} ms", flush=True)
            cold, times = times[0], times[1:]
            attrs = sum(len(c) for c in days.values())
            results[str(n)] = {"report_ms_median": round(statistics.median(times), 1),
                               "first_report_ms_sealing": round(cold, 1),
                               "report_requests_reports_table": len(calls),
                               "batch_get_requests": calls.count("BatchGetItem"),
                               "day_items": len(days),
                               "attributes_per_day_item": round(attrs / max(1, len(days))),
                               "started": report["totals"]["started"]}
            print(f"{n:>7} conversations: 90-day report {statistics.median(times):.0f} ms "
                  f"(median of 5), {calls.count('BatchGetItem')} BatchGetItem, "
                  f"{attrs // max(1, len(days))} attributes per day item")
        print(json.dumps(results))


if __name__ == "__main__":
    main()

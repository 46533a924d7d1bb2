"""Assignment throughput on the local stack: conversations assigned per second.

Starts the local runtime (moto + the API Gateway stand-in + the SQS event sources), creates
agents through the admin API, puts them online, opens N visitor conversations that ask for a
human, and measures the time from the first handoff until every conversation is assigned.
Usage: .venv/bin/python bench/assignment_throughput.py [--conversations 60] [--agents 6]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import call  # noqa: E402
from infra.local.runtime import LocalStack  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=60)
    ap.add_argument("--agents", type=int, default=6)
    args = ap.parse_args()
    capacity = -(-args.conversations // args.agents)
    with LocalStack(env={"PARLEY_BCRYPT_ROUNDS": "4", "PARLEY_LOG_LEVEL": "WARNING"},
                    extra_args=["--quiet"]) as rt:
        api = rt.api_url
        creds = rt.credentials
        admin = call(api, "POST", "/agent/login", {"email": creds["admin_email"],
                                                   "password": creds["admin_password"]})["token"]
        tokens = []
        for i in range(args.agents):
            call(api, "POST", "/admin/agents", {"email": f"bench{i}@example.com",
                                                "name": f"Bench {i}", "password": "password1",
                                                "capacity": capacity}, admin)
            t = call(api, "POST", "/agent/login", {"email": f"bench{i}@example.com",
                                                   "password": "password1"})["token"]
            call(api, "PUT", "/agent/status", {"status": "online"}, t)
            tokens.append(t)
        sessions = [call(api, "POST", "/visitor/sessions", {"site_key": "demo"})
                    for _ in range(args.conversations)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda s: call(api, "POST", f"/visitor/conversations/"
                                         f"{s['conversation_id']}/handoff", {}, s["token"]),
                          sessions))
        handoff_done = time.perf_counter() - t0
        ids = {s["conversation_id"] for s in sessions}
        assigned_at = {}
        deadline = time.time() + 300
        while len(assigned_at) < len(ids) and time.time() < deadline:
            mine = []
            for t in tokens:
                mine += call(api, "GET", "/agent/conversations?status=mine&limit=200",
                             token=t)["conversations"]
            now = time.perf_counter() - t0
            for c in mine:
                if c["conversation_id"] in ids and c["status"] == "assigned":
                    assigned_at.setdefault(c["conversation_id"], now)
            time.sleep(0.2)
        total = max(assigned_at.values()) if assigned_at else float("nan")
        per_agent = []
        for t in tokens:
            me = call(api, "GET", "/agent/me", token=t)
            per_agent.append(me["active_count"])
        result = {
            "conversations": args.conversations, "agents": args.agents, "capacity": capacity,
            "assigned": len(assigned_at), "handoff_requests_s": round(handoff_done, 2),
            "all_assigned_s": round(total, 2),
            "assigned_per_second": round(len(assigned_at) / total, 1) if assigned_at else 0,
            "median_time_to_assignment_s": round(statistics.median(assigned_at.values()), 2)
            if assigned_at else None,
            "per_agent_load": per_agent, "max_load_ok": max(per_agent) <= capacity,
        }
        print(f"{result['assigned']}/{args.conversations} conversations assigned to "
              f"{args.agents} agents in {result['all_assigned_s']} s "
              f"({result['assigned_per_second']} per second); loads {per_agent}")
        print(json.dumps(result))


if __name__ == "__main__":
    main()

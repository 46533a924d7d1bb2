"""A burst of handoffs on the local runtime: how fast free slots fill, first come first
served, true places in line, and the correctness counts.

Starts the local runtime (moto + the API Gateway stand-in + the SQS event sources, loopback
only), creates two teams and 12 agents (6 per team, 3 slots each: 36 slots) through the
admin API, puts them online, then sends 150 handoffs at once (half to each team). A sampler
reads the two lines (queue-index Query) and the online agents (status-index Query) every
0.5 s. After the burst, every agent closes what they hold, twice, so the line moves on.
The throughput figure the target names is `assignments_per_s_while_capacity_free`: the
assignments of a phase (the burst, each refill) over the time in it when a slot was free
and a chat was waiting, from the stored asked/assigned/closed times. Routing cannot assign
faster than chats ask (the burst) or slots free (a refill): `asked_or_freed_per_s_meanwhile`
prints that pace for each phase, and `burst_time_to_assignment_*` how long the first 36
chats assigned had waited. The older figures
(`burst_assignments_per_s`, `refill_assignments_per_s`: assignments over the span from the
first to the last of the phase) are printed too; they are bounded by how fast the handoffs
or the closes arrive, not by routing. A last phase frees all 36 slots at once (every agent
away, their chats closed, then all online together): `shift_start_fill_s` and
`shift_start_assignments_per_s` are routing's own rate.
Then, in-process on moto, it counts the DynamoDB requests of one assignment pass that fills
36 slots (the request-counting helper of tests/integration/test_request_budget.py).

Prints one line per figure and a JSON line. Bounded: the runtime phase gives up after
--deadline seconds (default 150). Usage:
    .venv/bin/python bench/assignment_burst.py [--handoffs 150] [--rounds 2] [--log FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import call  # noqa: E402
from infra.local.runtime import LocalStack  # noqa: E402

TEAMS = ("alpha", "beta")
AGENTS, CAPACITY = 12, 3
SLOTS = AGENTS * CAPACITY


def now_ms() -> int:
    return int(time.time() * 1000)


class Sampler(threading.Thread):
    """Every `every` s: the two lines in index order with the place each one shows, and the
    load of the online agents. Stops by itself at `until` (epoch s) or when told."""

    def __init__(self, ddb, tables, until: float, every: float = 0.5):
        super().__init__(daemon=True)
        self.ddb, self.tables, self.until, self.every = ddb, tables, until, every
        self.samples: list[tuple[int, dict]] = []
        self.filled: list[tuple[int, int]] = []
        self.stop = threading.Event()

    def line(self, key):
        out, kwargs = [], {}
        while True:
            page = self.ddb.query(TableName=self.tables["conversations"],
                                  IndexName="queue-index",
                                  KeyConditionExpression="queue_key = :k",
                                  ExpressionAttributeValues={":k": {"S": key}}, **kwargs)
            for item in page["Items"]:
                attrs = item.get("attrs", {}).get("M", {})
                shown = attrs.get("queue_position", {}).get("N")
                out.append((item["conversation_id"]["S"], int(shown) if shown else None))
            if "LastEvaluatedKey" not in page:
                return out
            kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def load(self) -> int:
        page = self.ddb.query(TableName=self.tables["agents"], IndexName="status-index",
                              KeyConditionExpression="#s = :o",
                              ExpressionAttributeNames={"#s": "status"},
                              ExpressionAttributeValues={":o": {"S": "online"}})
        return sum(int(i.get("active_count", {}).get("N", "0")) for i in page["Items"])

    def run(self):
        while not self.stop.is_set() and time.time() < self.until:
            t = now_ms()
            self.samples.append((t, {k: self.line(k) for k in TEAMS}))
            self.filled.append((t, self.load()))
            self.stop.wait(self.every)


def close_all(api, tokens) -> list:
    """Every agent closes every chat they hold (16 at a time); the (token, id) pairs."""
    mine = []
    for t in tokens:
        mine += [(t, c["conversation_id"]) for c in call(
            api, "GET", "/agent/conversations?status=mine&limit=50",
            token=t)["conversations"] if c["status"] == "assigned"]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda tc: call(api, "POST", f"/agent/conversations/{tc[1]}/close",
                                      {}, tc[0]), mine))
    return mine


def wait_until(pred, deadline: float, step: float = 0.1) -> float | None:
    while time.time() < deadline:
        if pred():
            return time.time()
        time.sleep(step)
    return None


def position_figures(samples, t0_ms: int = 0) -> dict:
    """Max |shown - true rank|, how long a place stayed off by more than one (and when the
    longest such stretch began, in s after `t0_ms`), places that went up (and when), queued
    chats shown as next while not first."""
    max_err, stale_ms, up, false_next, ups = 0, 0, set(), set(), []
    worst_at = None
    last_shown: dict[str, int] = {}
    wrong_since: dict[str, int] = {}
    for t, lines in samples:
        present = {cid for line in lines.values() for cid, _ in line}
        for cid in [c for c in wrong_since if c not in present]:
            wrong_since.pop(cid)                  # assigned or gone: no longer in line
        for line in lines.values():
            for rank, (cid, shown) in enumerate(line, start=1):
                if shown is None:
                    continue
                max_err = max(max_err, abs(shown - rank))
                if abs(shown - rank) > 1:
                    wrong_since.setdefault(cid, t)
                    if t - wrong_since[cid] > stale_ms:
                        stale_ms, worst_at = t - wrong_since[cid], wrong_since[cid]
                else:
                    wrong_since.pop(cid, None)
                if cid in last_shown and shown > last_shown[cid]:
                    up.add(cid)
                    ups.append((round((t - t0_ms) / 1000, 1), last_shown[cid], shown, rank))
                last_shown[cid] = shown
                if shown == 1 and rank != 1:
                    false_next.add(cid)
    return {"max_position_error": max_err, "max_ms_off_by_more_than_one": stale_ms,
            "longest_off_began_s": round((worst_at - t0_ms) / 1000, 1)
            if worst_at is not None else None,
            "positions_went_up": len(up), "queued_shown_next": len(false_next),
            # (s after t0, shown before, shown after, true rank) of the first few
            "went_up_at": ups[:5]}


def fifo_inversions(convs: list[dict]) -> int:
    """Assignments that overtook a chat of the same queue and priority that asked earlier
    and was assigned later (or not at all)."""
    inversions = 0
    for y in convs:
        if not y.get("assigned_at"):
            continue
        for x in convs:
            if x is y or x["queue"] != y["queue"] or x["boost"] != y["boost"]:
                continue
            if x["asked"] < y["asked"] and (not x.get("assigned_at")
                                             or x["assigned_at"] > y["assigned_at"]):
                inversions += 1
                break
    return inversions


def throughput_while_free(convs: list[dict], t0_ms: int, t1_ms: int) -> float | None:
    """Assignments per second while capacity was free: the assignments made in [t0, t1]
    over the time in it when a slot was free (fewer than SLOTS held) and a chat was waiting,
    from the stored times (asked, assigned, closed), not the sampler's 0.5 s steps."""
    events = []
    for c in convs:
        if c.get("asked"):
            events.append((c["asked"], "asked"))
        if c.get("assigned_at"):
            events.append((c["assigned_at"], "assigned"))
        if c.get("closed_at") and c.get("assigned_at"):
            events.append((c["closed_at"], "closed"))
    events.sort()
    held = waiting = made = 0
    free_ms, last = 0, t0_ms
    for t, kind in events:
        if t > t1_ms:
            break
        if t > t0_ms:
            if held < SLOTS and waiting > 0:
                free_ms += t - max(last, t0_ms)
            last = t
            made += kind == "assigned"
        held += {"assigned": 1, "closed": -1}.get(kind, 0)
        waiting += {"asked": 1, "assigned": -1}.get(kind, 0)
    return round(made / (free_ms / 1000), 1) if free_ms > 0 else None


def pace_while_free(convs: list[dict], t0_ms: int, t1_ms: int, kind: str) -> float | None:
    """What bounds the rate above: the chats that asked (kind "asked", a burst) or the
    slots that freed (kind "closed", a refill) per second in [t0, t1], over the span from
    the first to the last of them. Routing cannot assign faster than chats or slots come."""
    key = {"asked": "asked", "closed": "closed_at"}[kind]
    times = sorted(c[key] for c in convs if c.get(key) and t0_ms <= c[key] <= t1_ms
                   and (kind != "closed" or c.get("assigned_at")))
    if len(times) < 2 or times[-1] == times[0]:
        return None
    return round((len(times) - 1) / ((times[-1] - times[0]) / 1000), 1)


def time_to_assignment(convs: list[dict], first: int) -> dict:
    """The first `first` chats assigned (the burst, while slots were free): seconds from
    asking to assignment, median and worst."""
    asked = sorted((c for c in convs if c.get("asked") and c.get("assigned_at")),
                   key=lambda c: c["assigned_at"])[:first]
    waits = sorted((c["assigned_at"] - c["asked"]) / 1000 for c in asked)
    if not waits:
        return {"burst_time_to_assignment_p50_s": None, "burst_time_to_assignment_max_s": None}
    return {"burst_time_to_assignment_p50_s": round(waits[len(waits) // 2], 2),
            "burst_time_to_assignment_max_s": round(waits[-1], 2)}


def shift_figures(shift: dict | None, assigned_times: list[int]) -> dict:
    """36 slots freed at one moment: how long until all were taken, and the rate from the
    moment the agents went online to the last of those assignments."""
    if not shift:
        return {"shift_start_fill_s": None, "shift_start_assignments_per_s": None}
    t0 = shift["t_online"] * 1000
    after = [t for t in assigned_times if t >= t0]
    return {"shift_start_fill_s": round(shift["t_full"] - shift["t_online"], 2)
            if shift["t_full"] else None,
            "shift_start_assignments_per_s": round(len(after) / ((after[-1] - t0) / 1000), 1)
            if after and after[-1] > t0 else None}


def read_state(ddb, tables, ids) -> list[dict]:
    out = []
    for cid in ids:
        item = ddb.get_item(TableName=tables["conversations"], ConsistentRead=True,
                            Key={"conversation_id": {"S": cid}})["Item"]
        attrs = item.get("attrs", {}).get("M", {})
        num = lambda k: int(attrs[k]["N"]) if k in attrs else None  # noqa: E731
        events = ddb.query(TableName=tables["messages"], ConsistentRead=True,
                           KeyConditionExpression="conversation_id = :c",
                           ExpressionAttributeValues={":c": {"S": cid}})["Items"]
        kinds = [json.loads(e["event"]["S"]).get("kind") for e in events if "event" in e
                 and "S" in e["event"]]
        out.append({"id": cid, "queue": item.get("team", {}).get("S", "_default"),
                    "status": item["status"]["S"], "agent": item.get("agent_id", {}).get("S"),
                    "asked": num("queued_at"), "assigned_at": num("assigned_at"),
                    "closed_at": num("closed_at"),
                    "boost": num("priority_boost") or 0,
                    "assigned_events": kinds.count("assigned")})
    return out


def runtime_phase(args) -> dict:
    import boto3
    env = {"PARLEY_BCRYPT_ROUNDS": "4", "PARLEY_LOG_LEVEL": "INFO" if args.log else "WARNING",
           "PARLEY_POSITION_WINDOW_SECONDS": "2"}
    with LocalStack(env=env, extra_args=["--quiet"], log_path=args.log) as rt:
        api, creds = rt.api_url, rt.credentials
        deadline = time.time() + args.deadline
        admin = call(api, "POST", "/agent/login", {"email": creds["admin_email"],
                                                   "password": creds["admin_password"]})["token"]
        for team in TEAMS:
            call(api, "POST", "/admin/teams", {"id": team, "name": team.title()}, admin)
        call(api, "PUT", "/admin/sites/demo", {"teams": list(TEAMS)}, admin)
        tokens = []
        for i in range(AGENTS):
            email = f"burst{i}@example.com"
            call(api, "POST", "/admin/agents", {"email": email, "name": f"Burst {i}",
                                                "password": "password1", "capacity": CAPACITY,
                                                "teams": [TEAMS[i % 2]]}, admin)
            t = call(api, "POST", "/agent/login", {"email": email,
                                                   "password": "password1"})["token"]
            call(api, "PUT", "/agent/status", {"status": "online"}, t)
            tokens.append(t)
        with ThreadPoolExecutor(8) as pool:
            sessions = list(pool.map(lambda _: call(api, "POST", "/visitor/sessions",
                                                    {"site_key": "demo"}),
                                     range(args.handoffs)))
        ddb = boto3.client("dynamodb", endpoint_url=rt.moto_url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        names = ddb.list_tables()["TableNames"]
        tables = {k: next(n for n in names if n.endswith("-" + k))
                  for k in ("conversations", "agents", "messages")}
        sampler = Sampler(ddb, tables, until=deadline)
        sampler.start()
        latencies = []

        def handoff(i_s):
            i, s = i_s
            t0 = time.perf_counter()
            call(api, "POST", f"/visitor/conversations/{s['conversation_id']}/handoff",
                 {"team": TEAMS[i % 2]}, s["token"])
            latencies.append(time.perf_counter() - t0)

        t_start = time.time()
        if args.log:
            print(f"burst began at {t_start:.3f} (the log's ts)")
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(handoff, enumerate(sessions)))
        t_burst_end = time.time()
        full = lambda: bool(sampler.filled) and sampler.filled[-1][1] >= SLOTS  # noqa: E731
        t_full = wait_until(full, deadline)
        phases = []
        for _ in range(args.rounds):
            t_close = time.time()
            mine = close_all(api, tokens)
            t_closed = time.time()
            time.sleep(0.6)
            t_refill = wait_until(full, deadline)
            phases.append({"closed": len(mine), "t_close": t_close, "t_closed": t_closed,
                           "t_refill": t_refill})
        # a shift starts: every agent away (keeping their chats), their chats closed (no
        # refill: away agents take none), then all 12 online at once: 36 slots free at the
        # same moment, so the fill rate is routing's own, not the pace of the closes
        shift = None
        if time.time() < deadline:
            with ThreadPoolExecutor(12) as pool:
                list(pool.map(lambda t: call(api, "PUT", "/agent/status", {"status": "away"},
                                             t), tokens))
            close_all(api, tokens)
            time.sleep(2)
            t_online = time.time()
            with ThreadPoolExecutor(12) as pool:
                list(pool.map(lambda t: call(api, "PUT", "/agent/status", {"status": "online"},
                                             t), tokens))
            shift = {"t_online": t_online, "t_full": wait_until(full, deadline)}
        time.sleep(3)                 # the last position window closes and is pushed
        sampler.stop.set()
        sampler.join(5)
        state = read_state(ddb, tables, [s["conversation_id"] for s in sessions])
        loads = {}
        for i, t in enumerate(tokens):
            me = call(api, "GET", "/agent/me", token=t)
            loads[me["agent_id"]] = int(me["active_count"])
    held: dict[str, int] = {}
    for c in state:
        if c["status"] == "assigned":
            held[c["agent"]] = held.get(c["agent"], 0) + 1
    assigned_times = sorted(c["assigned_at"] for c in state if c["assigned_at"])
    rates, free_rates, paces = [], [], []
    t_start_ms = int(t_start * 1000)
    t_full_ms = int((t_full or time.time()) * 1000)
    free_rates.append(throughput_while_free(state, t_start_ms, t_full_ms))
    paces.append(pace_while_free(state, t_start_ms, t_full_ms, "asked"))
    for p in phases:
        if p["t_refill"]:
            free_rates.append(throughput_while_free(state, int(p["t_close"] * 1000),
                                                    int(p["t_refill"] * 1000)))
            paces.append(pace_while_free(state, int(p["t_close"] * 1000),
                                         int(p["t_refill"] * 1000), "closed"))
        # the refill: assignments after the closes began, over the span they took
        after = [t for t in assigned_times if t >= p["t_close"] * 1000]
        if len(after) > 1:
            rates.append(round((len(after) - 1) / ((after[-1] - after[0]) / 1000), 1))
    burst = assigned_times[:SLOTS]
    out = {
        "handoffs": args.handoffs, "agents": AGENTS, "slots": SLOTS,
        "burst_s": round(t_burst_end - t_start, 2),
        "handoff_p50_s": round(sorted(latencies)[len(latencies) // 2], 2),
        "handoff_p99_s": round(sorted(latencies)[int(len(latencies) * 0.99) - 1], 2),
        "slots_filled_after_burst_s": round(max(0.0, t_full - t_burst_end), 2)
        if t_full else None,
        "burst_assignments_per_s": round((len(burst) - 1) / ((burst[-1] - burst[0]) / 1000), 1)
        if len(burst) > 1 and burst[-1] > burst[0] else None,
        "refill_after_closes_s": [round(p["t_refill"] - p["t_closed"], 2) if p["t_refill"]
                                  else None for p in phases],
        "refill_assignments_per_s": rates,
        # the target's figure: assignments over the time a slot was free and a chat waited
        # (burst, then each refill)
        "assignments_per_s_while_capacity_free": free_rates,
        # what bounds each of those: chats asking per second (the burst), slots freeing per
        # second (each refill)
        "asked_or_freed_per_s_meanwhile": paces,
        **time_to_assignment(state, SLOTS),
        "fifo_inversions": fifo_inversions(state),
        **position_figures(sampler.samples, t_start_ms),
        # when each phase began, s after the burst's start (to place the figures above)
        "phases_s": {"burst_end": round(t_burst_end - t_start, 1),
                     **{f"close_{i + 1}": round(p["t_close"] - t_start, 1)
                        for i, p in enumerate(phases)},
                     "shift_online": round(shift["t_online"] - t_start, 1) if shift else None},
        **shift_figures(shift, assigned_times),
        "double_assignments": sum(1 for c in state if c["assigned_events"] > 1),
        "capacity_violations": sum(1 for n in list(held.values()) + list(loads.values())
                                   if n > CAPACITY),
        "load_drift": sum(abs(loads.get(a, 0) - held.get(a, 0)) for a in set(loads) | set(held)),
        "samples": len(sampler.samples),
    }
    return out


def requests_per_assignment() -> float:
    """In-process on moto: one pass that fills 36 free slots, every AWS call counted."""
    import tests.conftest  # noqa: F401  (fake credentials, fast bcrypt)
    from moto import mock_aws
    with mock_aws():
        from infra.resources import deploy_stack, serialize_moto_dynamodb
        from tests.helpers.aws import AwsCallCounter, reset_pynamodb_connections
        serialize_moto_dynamodb()
        reset_pynamodb_connections()
        out = deploy_stack()
        os.environ["PARLEY_ASSIGNMENT_QUEUE_URL"] = out["AssignmentQueueUrl"]
        os.environ["PARLEY_EVENTS_QUEUE_URL"] = out["EventsQueueUrl"]
        from chalicelib.bootstrap import build
        from chalicelib.domain.actors import Actor
        from chalicelib.services import agents, routing, sessions, sites
        deps = build()
        sites.create_site(deps, "demo", "Demo", {"bot_enabled": False})
        ids = []
        for i in range(AGENTS):
            a = agents.create_agent(deps, {"email": f"r{i}@example.com", "name": f"R{i}",
                                           "password": "password1", "capacity": CAPACITY})
            ids.append(a["agent_id"])
        for _ in range(SLOTS + 10):
            s = sessions.start_session(deps, {"site_key": "demo"})
            routing.visitor_handoff(deps, Actor(kind="visitor", id=s["visitor_id"]),
                                    s["conversation_id"], {})
        for agent_id in ids:
            deps.agents.update(agent_id, {"status": "online"})
        with AwsCallCounter(deps) as counter:
            n = routing.assign_pass(deps, ["_default"])
        ddb = [c for c in counter.calls if c.startswith("dynamodb:")]
        assert "dynamodb:Scan" not in ddb
        return round(len(ddb) / max(1, n), 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--handoffs", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--deadline", type=float, default=150)
    ap.add_argument("--log", help="write the runtime's INFO log lines (JSON) to this file")
    args = ap.parse_args()
    out = runtime_phase(args)
    out["dynamodb_requests_per_assignment"] = requests_per_assignment()
    for k, v in out.items():
        print(f"{k}: {v}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

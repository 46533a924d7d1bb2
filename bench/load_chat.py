"""Chat load on the local runtime: many visitors and agents talking over real WebSockets.

Starts the local runtime (moto + the API Gateway stand-in), creates the agents, opens one
conversation per visitor and has the agents accept them (set-up, not timed), then every
visitor and agent socket sends its messages at once (a burst: the figures are then a backlog's),
or, with ``--rate R``, the same messages paced at R per second in all (an offered load the
stack can carry: the figures are its latency). It checks that each side of each
conversation holds every message exactly once, in sequence order, with no gap, and prints the
delivery latency (send frame -> the other side's socket has it) p50/p99 and the messages per
second the stack carried. Bounded: a fixed number of messages, loopback only, a time limit.

Usage: .venv/bin/python bench/load_chat.py [--visitors 500] [--agents 30] [--messages 3]
           [--rate 8]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import call  # noqa: E402
from infra.local.runtime import LocalStack  # noqa: E402


def set_up(api: str, creds: dict, visitors: int, agents: int) -> tuple[list, list]:
    """Agents online, one conversation per visitor, each accepted by an agent."""
    admin = call(api, "POST", "/agent/login", {"email": creds["admin_email"],
                                               "password": creds["admin_password"]})["token"]
    capacity = -(-visitors // agents)
    staff = []
    for i in range(agents):
        email = f"load{i}@example.com"
        call(api, "POST", "/admin/agents", {"email": email, "name": f"Load {i}",
                                            "password": "password1", "capacity": capacity},
             admin)
        token = call(api, "POST", "/agent/login", {"email": email,
                                                   "password": "password1"})["token"]
        call(api, "PUT", "/agent/status", {"status": "online"}, token)
        staff.append({"token": token, "conversations": []})
    with ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda _: call(api, "POST", "/visitor/sessions",
                                                {"site_key": "demo"}), range(visitors)))
        pairs = [(staff[i % agents], s) for i, s in enumerate(sessions)]
        list(pool.map(lambda p: call(api, "POST", f"/agent/conversations/"
                                     f"{p[1]['conversation_id']}/accept", {}, p[0]["token"]),
                      pairs))
    for agent, s in pairs:
        agent["conversations"].append(s["conversation_id"])
    return sessions, staff


class Peer:
    """One socket: what it sent (client id -> send time) and every message event it got."""

    def __init__(self, ws):
        self.ws = ws
        self.received: dict[str, list[dict]] = {}   # conversation -> message views
        self.arrival: dict[str, float] = {}         # client message id -> arrival time

    async def reader(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(self.ws.recv(), 0.5)
            except asyncio.TimeoutError:
                continue
            except Exception:
                return
            ev = json.loads(raw)
            if ev.get("type") == "message":
                msg = ev["message"]
                self.received.setdefault(ev["conversation_id"], []).append(msg)
                if msg.get("client_message_id"):
                    self.arrival.setdefault(msg["client_message_id"], time.perf_counter())


async def run_load(ws_url: str, sessions: list, staff: list, messages: int,
                   time_limit: float, rate: float | None = None) -> dict:
    import websockets
    opts = {"open_timeout": 60, "max_size": None, "ping_interval": None}
    agent_peers = [Peer(await websockets.connect(f"{ws_url}?token={a['token']}&role=agent",
                                                 **opts)) for a in staff]
    visitor_peers = []
    for chunk in range(0, len(sessions), 50):
        visitor_peers += [Peer(ws) for ws in await asyncio.gather(*(
            websockets.connect(f"{ws_url}?token={s['token']}", **opts)
            for s in sessions[chunk:chunk + 50]))]
    stop = asyncio.Event()
    readers = [asyncio.create_task(p.reader(stop)) for p in agent_peers + visitor_peers]
    sent: dict[str, float] = {}                 # client message id -> send time
    expected = 0

    async def send(peer: Peer, cid: str | None, text: str) -> None:
        cmid = uuid.uuid4().hex
        frame = {"action": "send", "id": cmid[:8], "data": {"client_message_id": cmid,
                                                            "text": text}}
        if cid:
            frame["conversation_id"] = cid
        sent[cmid] = time.perf_counter()
        await peer.ws.send(json.dumps(frame))

    async def visitor_turns(peer: Peer) -> None:
        for i in range(messages):
            await send(peer, None, f"visitor says {i}")
            await asyncio.sleep(0.05)

    async def agent_turns(peer: Peer, conversations: list[str]) -> None:
        for i in range(messages):
            for cid in conversations:
                await send(peer, cid, f"agent says {i}")
            await asyncio.sleep(0.05)

    async def paced() -> None:
        """Turn by turn (each visitor, then each agent in each of its conversations), one
        message every 1/rate s across all sockets."""
        jobs = []
        for i in range(messages):
            jobs += [(p, None, f"visitor says {i}") for p in visitor_peers]
            jobs += [(p, cid, f"agent says {i}") for p, a in zip(agent_peers, staff)
                     for cid in a["conversations"]]
        start = time.perf_counter()
        for k, (peer, cid, text) in enumerate(jobs):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await send(peer, cid, text)

    t0 = time.perf_counter()
    if rate:
        await paced()
    else:
        await asyncio.gather(*(visitor_turns(p) for p in visitor_peers),
                             *(agent_turns(p, a["conversations"])
                               for p, a in zip(agent_peers, staff)))
    expected = len(sent)
    # every message goes to both sides: wait until both hold it (or the time limit)
    deadline = time.monotonic() + time_limit

    def delivered() -> int:
        return sum(1 for cmid in sent if cmid in _arrivals(visitor_peers)
                   and cmid in _arrivals(agent_peers))
    while time.monotonic() < deadline and delivered() < expected:
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - t0
    stop.set()
    await asyncio.gather(*readers)
    for p in agent_peers + visitor_peers:
        await p.ws.close()
    return _figures(sent, visitor_peers, agent_peers, sessions, staff, elapsed)


def _arrivals(peers: list[Peer]) -> dict:
    out: dict = {}
    for p in peers:
        out.update(p.arrival)
    return out


def _check_side(held: list[dict]) -> tuple[bool, bool]:
    """(no duplicates, in order and gapless) for what one side holds of a conversation;
    visitors do not see agents' notes, none are sent here, so every seq is expected."""
    seqs = [m["seq"] for m in held]
    unique = len(seqs) == len(set(seqs))
    ordered = sorted(set(seqs)) == list(range(min(seqs), max(seqs) + 1)) if seqs else True
    return unique, ordered


def _figures(sent, visitor_peers, agent_peers, sessions, staff, elapsed) -> dict:
    arrivals_v, arrivals_a = _arrivals(visitor_peers), _arrivals(agent_peers)
    latencies = []
    for cmid, t in sent.items():
        for arr in (arrivals_v, arrivals_a):
            if cmid in arr:
                latencies.append((arr[cmid] - t) * 1000)
    missing = sum(1 for cmid in sent if cmid not in arrivals_v or cmid not in arrivals_a)
    dup = gaps = 0
    for s, peer in zip(sessions, visitor_peers):
        unique, ordered = _check_side(peer.received.get(s["conversation_id"], []))
        dup += not unique
        gaps += not ordered
    for peer in agent_peers:
        for cid, held in peer.received.items():
            unique, ordered = _check_side(held)
            dup += not unique
            gaps += not ordered
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 2 else [float("nan")] * 99
    return {
        "visitors": len(visitor_peers), "agents": len(agent_peers),
        "messages_sent": len(sent), "deliveries": len(latencies),
        "missing_deliveries": missing, "conversations_with_duplicates": dup,
        "conversations_out_of_order_or_gapped": gaps,
        "delivery_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "delivery_ms_p99": round(q[98], 1),
        "messages_per_second": round(len(sent) / elapsed, 1),
        "deliveries_per_second": round(len(latencies) / elapsed, 1),
        "elapsed_s": round(elapsed, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visitors", type=int, default=500)
    ap.add_argument("--agents", type=int, default=30)
    ap.add_argument("--messages", type=int, default=3, help="per visitor and per conversation "
                                                            "for agents")
    ap.add_argument("--time-limit", type=float, default=300)
    ap.add_argument("--rate", type=float, default=None,
                    help="pace all sends at this many messages per second (default: a burst)")
    args = ap.parse_args()
    with LocalStack(env={"PARLEY_BCRYPT_ROUNDS": "4", "PARLEY_LOG_LEVEL": "WARNING"},
                    extra_args=["--quiet"], start_timeout=120) as rt:
        t0 = time.perf_counter()
        sessions, staff = set_up(rt.api_url, rt.credentials, args.visitors, args.agents)
        setup_s = time.perf_counter() - t0
        result = asyncio.run(run_load(rt.ws_url, sessions, staff, args.messages,
                                      args.time_limit, args.rate))
    result["offered_rate"] = args.rate
    result["setup_s"] = round(setup_s, 1)
    ok = not (result["missing_deliveries"] or result["conversations_with_duplicates"] or
              result["conversations_out_of_order_or_gapped"])
    print(f"{result['visitors']} visitors, {result['agents']} agents: "
          f"{result['messages_sent']} messages, {result['deliveries']} deliveries in "
          f"{result['elapsed_s']} s ({result['messages_per_second']} messages/s); delivery "
          f"p50 {result['delivery_ms_p50']} ms, p99 {result['delivery_ms_p99']} ms; "
          f"{'every message once and in order' if ok else 'DELIVERY PROBLEMS'}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

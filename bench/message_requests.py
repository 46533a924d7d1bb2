"""AWS requests per message send, long-poll wait and assignment, at 10, 1,000 and 10,000
conversations (`--sizes 10,1000` for fewer). The chat is assigned to the agent; a "cold"
send is the first frame a function instance sees on that connection (it reads the
connection's row), a "warm" one a later frame.

Runs the services on moto in-process and counts every AWS API call with botocore's
before-call event (the same counter the request-budget test uses). Prints a table and one
JSON line. Usage: .venv/bin/python bench/message_requests.py [--sizes 10,1000,10000]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tests.conftest  # noqa: E402,F401  (fake credentials, test signing key, fast bcrypt)

os.environ["PARLEY_LOG_LEVEL"] = "ERROR"

from moto import mock_aws  # noqa: E402


def main() -> None:
    sizes = [10, 1000, 10000]
    if "--sizes" in sys.argv:
        sizes = [int(x) for x in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    with mock_aws():
        from infra.resources import deploy_stack, serialize_moto_dynamodb
        from tests.helpers.aws import AwsCallCounter, reset_pynamodb_connections
        serialize_moto_dynamodb()
        reset_pynamodb_connections()
        out = deploy_stack()
        os.environ["PARLEY_ASSIGNMENT_QUEUE_URL"] = out["AssignmentQueueUrl"]
        os.environ["PARLEY_EVENTS_QUEUE_URL"] = out["EventsQueueUrl"]
        from chalicelib.domain.actors import Actor
        from chalicelib.services import agents, conversations as convs, presence, realtime, routing
        from chalicelib.services import sessions, sites
        from chalicelib.bootstrap import build as build_default
        from tests.integration.test_request_budget import FakeClock, add_conversations

        deps = build_default()
        sites.create_site(deps, "demo", "Demo", {"bot_enabled": False})
        a = agents.create_agent(deps, {"email": "bench@example.com", "name": "Bench",
                                       "password": "password1", "capacity": 100})
        agent = Actor(kind="agent", id=a["agent_id"], role="agent", name="Bench")
        presence.set_status(deps, agent, {"status": "online"})
        token = agents.issue_token(deps, deps.agents.get(a["agent_id"]))["token"]
        realtime.connect(deps, "agent-conn=", {"token": token, "role": "agent"})
        rows = {}
        have = 0
        for total in sizes:
            add_conversations(deps, total - have - 1)
            have = total
            s = sessions.start_session(deps, {"site_key": "demo"})
            cid = s["conversation_id"]
            v = Actor(kind="visitor", id=s["visitor_id"])
            realtime.connect(deps, f"v-{total}=", {"token": s["token"]})
            convs.post_message(deps, v, cid, {"client_message_id": "first", "text": "hi"})
            with AwsCallCounter(deps) as c:
                routing.assign_next(deps, "_default")
                assign_calls = list(c.calls)
                sends, times = [], []
                for i in range(20):
                    c.reset()
                    t0 = time.perf_counter()
                    realtime.handle_frame(deps, f"v-{total}=", json.dumps({
                        "action": "send", "data": {"client_message_id": f"m{i}", "text": "x"}}))
                    times.append((time.perf_counter() - t0) * 1000)
                    sends.append(list(c.calls))
                agent_sends = []
                deps.connections._known.pop("agent-conn=", None)   # a new instance: cold
                for i in range(2):
                    c.reset()
                    realtime.handle_frame(deps, "agent-conn=", json.dumps({
                        "action": "send", "conversation_id": cid,
                        "data": {"client_message_id": f"r{total}-{i}", "text": "reply"}}))
                    agent_sends.append(list(c.calls))
                agent_send = agent_sends[-1]
                c.reset()
                clock = FakeClock()
                os.environ["PARLEY_POLL_INTERVAL"] = "1.0"
                convs.poll(deps, v, cid, after=10**6, wait=20, sleep=clock.sleep,
                           clock=clock.now)
                os.environ["PARLEY_POLL_INTERVAL"] = "0.05"
                poll_calls = list(c.calls)
            split = lambda calls, svc: sum(1 for x in calls if x.startswith(svc + ":"))  # noqa
            rows[total] = {
                "visitor_send_dynamodb_cold": split(sends[0], "dynamodb"),
                "visitor_send_dynamodb_warm": split(sends[-1], "dynamodb"),
                "visitor_send_posts": split(sends[-1], "apigatewaymanagementapi"),
                "agent_send_dynamodb_cold": split(agent_sends[0], "dynamodb"),
                "agent_send_dynamodb_warm": split(agent_send, "dynamodb"),
                "agent_send_posts": split(agent_send, "apigatewaymanagementapi"),
                "long_poll_20s_requests": len(poll_calls),
                "assignment_requests": len(assign_calls),
                "assignment_dynamodb": split(assign_calls, "dynamodb"),
                "send_ms_median_moto": round(statistics.median(times), 2),
                "scan_calls": sum(1 for x in sends[-1] + agent_send + poll_calls + assign_calls
                                  if x.endswith(":Scan")),
            }
        keys = list(rows[sizes[0]])
        print(f"{'figure':32}" + "".join(f"{str(n) + ' convs':>13}" for n in sizes))
        for k in keys:
            print(f"{k:32}" + "".join(f"{rows[n][k]:>13}" for n in sizes))
        ratio = rows[sizes[-1]]["send_ms_median_moto"] / rows[sizes[0]]["send_ms_median_moto"]
        print(f"send median ratio {sizes[-1]} / {sizes[0]} conversations: {ratio:.2f}")
        print(json.dumps({f"conversations_{n}": rows[n] for n in sizes}
                         | {"send_median_ratio": round(ratio, 2)}))


if __name__ == "__main__":
    main()

"""Many REST requests at once on the local runtime: each handler sees its own request.

(Lambda runs one request per process; the runtime runs many in threads, so the request the
Chalice app holds must be per thread.)"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.clients import agent_login, http, visitor_session

pytestmark = pytest.mark.timeout(120)


def test_concurrent_posts_each_get_their_own_body(local_runtime):
    rt = local_runtime
    sessions = [visitor_session(rt) for _ in range(6)]

    def send(args):
        s, i = args
        cid = s["conversation_id"]
        return http("POST", f"{rt.api_url}/visitor/conversations/{cid}/messages",
                     {"client_message_id": f"c-{i}", "text": f"text {i} for {cid}"},
                     token=s["token"])

    jobs = [(sessions[i % len(sessions)], i) for i in range(120)]
    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(send, jobs))
    assert [status for status, _ in results] == [201] * len(jobs), \
        [body for status, body in results if status != 201][:3]
    for (s, i), (_, body) in zip(jobs, results):
        assert body["message"]["text"] == f"text {i} for {s['conversation_id']}"
        assert body["message"]["client_message_id"] == f"c-{i}"


def test_concurrent_agent_requests_each_get_their_own_body(local_runtime):
    """Agent routes look the account up before reading the body: a wide window for a mix-up."""
    rt = local_runtime
    token = agent_login(rt)["token"]
    cids = [visitor_session(rt)["conversation_id"] for _ in range(4)]
    for cid in cids:
        assert http("POST", f"{rt.api_url}/agent/conversations/{cid}/join", {},
                    token=token)[0] == 200

    def act(i):
        cid = cids[i % len(cids)]
        if i % 3 == 0:
            return i, http("POST", f"{rt.api_url}/agent/conversations/{cid}/typing",
                           {"state": True}, token=token)
        return i, http("POST", f"{rt.api_url}/agent/conversations/{cid}/messages",
                       {"client_message_id": f"a-{i}", "text": f"reply {i}"}, token=token)

    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(act, range(150)))
    bad = [(i, r) for i, r in results if r[0] not in (200, 201)]
    assert bad == []
    for i, (status, body) in results:
        if i % 3:
            assert body["message"]["text"] == f"reply {i}"

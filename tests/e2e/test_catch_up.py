"""The catch-up rule with real sockets: a client syncs from the first gap in what it holds
(docs/websocket-protocol.md, "Catch-up"), not from the highest seq it got by other means."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.clients import CatchUp, Socket, agent_login, http, visitor_session

pytestmark = pytest.mark.timeout(60)


def _agent(rt, token, method, path, body=None):
    status, data = http(method, f"{rt.api_url}/agent{path}", body, token=token)
    assert status in (200, 201), (path, status, data)
    return data


def test_a_message_got_by_rest_during_a_drop_leaves_no_gap_after_reconnect(local_runtime):
    rt = local_runtime
    admin = agent_login(rt)["token"]
    s = visitor_session(rt)
    cid, vtoken = s["conversation_id"], s["token"]
    _agent(rt, admin, "POST", f"/conversations/{cid}/join", {})   # the bot stays out now

    def agent_says(text, note=False):
        body = {"client_message_id": uuid.uuid4().hex, "text": text}
        if note:
            body["note"] = True
        return _agent(rt, admin, "POST", f"/conversations/{cid}/messages", body)["message"]

    client = CatchUp()
    sock = Socket(rt, vtoken)
    client.sync(sock)
    before = agent_says("before the drop")
    sock.wait_message("before the drop")
    client.hold_pushes(sock)
    assert client.synced == before["seq"]
    sock.close()                                          # the visitor's socket drops

    note = agent_says("VIP, be nice", note=True)          # a seq the visitor never sees
    gap = [agent_says("while away 1"), agent_says("while away 2")]
    status, sent = http("POST", f"{rt.api_url}/visitor/conversations/{cid}/messages",
                        {"client_message_id": uuid.uuid4().hex, "text": "pending, by REST"},
                        token=vtoken)
    assert status == 201, sent
    mine = sent["message"]
    assert mine["seq"] == gap[-1]["seq"] + 1
    client.hold(mine)
    assert client.synced == before["seq"]                 # the REST reply closed no gap

    # the old rule (after = the highest seq held) never fetches the two missed messages
    status, page = http("GET", f"{rt.api_url}/visitor/conversations/{cid}/messages"
                               f"?after={max(client.held)}", token=vtoken)
    assert status == 200 and page["messages"] == []

    with Socket(rt, vtoken) as again:                     # reconnect: sync from the gap
        replies = client.sync(again, limit=2)             # pages follow the cursor
    assert len(replies) >= 2
    assert [m["text"] for m in replies[0]["messages"]] == ["while away 1"]
    assert replies[0]["cursor"] == gap[0]["seq"]         # the note was examined, not sent

    status, history = http("GET", f"{rt.api_url}/visitor/conversations/{cid}/messages"
                                  f"?after=0&limit=200", token=vtoken)
    assert status == 200
    visible = [m["seq"] for m in history["messages"]]
    assert sorted(client.held) == visible                 # every message the visitor may see
    assert note["seq"] not in client.held
    assert client.synced == history["last_seq"] == mine["seq"]   # passed over the note
    assert [m["text"] for m in history["messages"][-3:]] == ["while away 1", "while away 2",
                                                             "pending, by REST"]

"""End to end over the local runtime: real HTTP, real WebSockets, no mocks."""
from __future__ import annotations

import json
import time
import urllib.parse

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.clients import Socket, agent_login, http, visitor_session

pytestmark = pytest.mark.timeout(60)


def _is(type_, **match):
    return lambda e: e.get("type") == type_ and all(e.get(k) == v for k, v in match.items())


def test_visitor_and_agent_exchange_messages_over_websockets(local_runtime):
    rt = local_runtime
    s = visitor_session(rt, name="Vera")
    cid = s["conversation_id"]
    login = agent_login(rt)
    with Socket(rt, s["token"]) as visitor, Socket(rt, login["token"], role="agent") as agent:
        visitor.say("Hello, anyone there?", request_id="r1")
        ack = visitor.wait_for(_is("ack", id="r1"))
        assert ack["message"]["seq"] == 1 and ack["duplicate"] is False

        agent.send({"action": "join", "conversation_id": cid})
        # other conversations of the shared runtime may push their own deltas meanwhile
        me = login["agent"]["agent_id"]
        joined = agent.wait_for(lambda e: e.get("type") == "conversation" and
                                (e.get("conversation") or {}).get("conversation_id") == cid
                                and me in (e["conversation"].get("participants") or []))
        assert joined["conversation"]["status"] != "closed"

        agent.say("Hi Vera, how can I help?", conversation_id=cid, request_id="a1")
        reply = visitor.wait_message("Hi Vera, how can I help?")
        assert reply["sender"]["type"] == "agent"

        visitor.say("My order is late")
        got = agent.wait_message("My order is late")
        assert got["sender"]["type"] == "visitor"

        # both sides saw the conversation in the same, gapless order
        assert visitor.wait_message("My order is late")["seq"] == got["seq"]
        # pushes from different writers (the demo bot's turn, the join, the sends) may
        # arrive in any order, as through API Gateway; clients order by seq: what each side
        # holds is gapless and has no duplicates
        def gapless():
            got_seqs = sorted(m["seq"] for m in visitor.messages())
            return got_seqs == list(range(1, got_seqs[-1] + 1))
        if not gapless():               # a push from another writer may still be on its way
            visitor.wait_for(lambda e: gapless(), timeout=5)
        seqs = [m["seq"] for m in visitor.messages()]
        assert len(set(seqs)) == len(seqs) and sorted(seqs) == list(range(1, max(seqs) + 1))
        assert got["seq"] in seqs
        agent_seqs = [m["seq"] for m in agent.messages()]
        assert len(set(agent_seqs)) == len(agent_seqs) and got["seq"] in agent_seqs

        # the same frame again is idempotent: acked as a duplicate, not stored twice
        visitor.send({"action": "send", "id": "dup", "data": {"client_message_id": "dup-1",
                                                              "text": "once"}})
        visitor.wait_for(_is("ack", id="dup"))
        visitor.send({"action": "send", "id": "dup2", "data": {"client_message_id": "dup-1",
                                                               "text": "once"}})
        assert visitor.wait_for(_is("ack", id="dup2"))["duplicate"] is True

        # a bad frame is an error event, the socket stays up
        visitor.send("not json")
        assert visitor.wait_for(_is("error"))["code"] == "invalid_json"
        visitor.send({"action": "ping", "id": "p"})
        visitor.wait_for(_is("pong"))


def test_long_poll_visitor_talks_to_websocket_agent(local_runtime):
    rt = local_runtime
    s = visitor_session(rt)
    cid, token = s["conversation_id"], s["token"]
    base = f"{rt.api_url}/visitor/conversations/{cid}"
    status, posted = http("POST", f"{base}/messages",
                          {"client_message_id": "lp-1", "text": "polling hello"}, token=token)
    assert status == 201, posted
    after = posted["message"]["seq"]

    with Socket(rt, agent_login(rt)["token"], role="agent") as agent:
        agent.send({"action": "join", "conversation_id": cid})
        agent.wait_for(_is("conversation"))
        agent.send({"action": "sync", "conversation_id": cid, "data": {"after": 0}})
        sync = agent.wait_for(_is("sync"))
        assert "polling hello" in [m.get("text") for m in sync["messages"]]
        after = sync["last_seq"]          # the agent's join is an event message too

        # a long-poll waiting before the agent answers returns as soon as it does
        import threading
        result = {}

        def poll():
            t0 = time.monotonic()
            result["resp"] = http("GET", f"{base}/poll?after={after}&wait=10", token=token)
            result["took"] = time.monotonic() - t0

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.5)
        agent.say("answer for the poller", conversation_id=cid)
        poller.join(15)
        status, page = result["resp"]
        assert status == 200, page
        assert "answer for the poller" in [m.get("text") for m in page["messages"]]
        assert result["took"] < 8, "the long-poll did not return early"

        # and the visitor's REST post reaches the agent's socket
        status, _ = http("POST", f"{base}/messages",
                         {"client_message_id": "lp-2", "text": "thanks!"}, token=token)
        assert status == 201
        agent.wait_message("thanks!")

    # an empty long-poll times out after ~wait seconds with nothing
    status, page = http("GET", f"{base}/poll?after={page['cursor'] + 5}&wait=1", token=token)
    assert status == 200 and page["messages"] == [] and page["timed_out"] is True


def test_reconnecting_client_catches_up_without_gaps_or_repeats(local_runtime):
    rt = local_runtime
    s = visitor_session(rt)
    cid = s["conversation_id"]
    login = agent_login(rt)
    with Socket(rt, login["token"], role="agent") as agent:
        agent.send({"action": "join", "conversation_id": cid})
        agent.wait_for(_is("conversation"))
        visitor = Socket(rt, s["token"])
        agent.say("before the drop", conversation_id=cid)
        seen = visitor.wait_message("before the drop")["seq"]
        visitor.close()                                   # the visitor's network drops

        missed = [f"while away {i}" for i in range(5)]
        for text in missed:
            agent.say(text, conversation_id=cid)
        agent.wait_message(missed[-1])

        with Socket(rt, s["token"]) as again:             # reconnect, catch up from `seen`
            again.send({"action": "sync", "id": "s1", "data": {"after": seen}})
            sync = again.wait_for(_is("sync", id="s1"))
            texts = [m.get("text") for m in sync["messages"]]
            assert texts == missed
            seqs = [m["seq"] for m in sync["messages"]]
            assert seqs == list(range(seen + 1, seen + 6))
            # new messages flow live again, continuing the sequence
            agent.say("welcome back", conversation_id=cid)
            assert again.wait_message("welcome back")["seq"] == seqs[-1] + 1

    # REST history ?after=N says the same
    status, page = http("GET", f"{rt.api_url}/visitor/conversations/{cid}/messages?after={seen}",
                        token=s["token"])
    assert status == 200
    assert [m["text"] for m in page["messages"]] == missed + ["welcome back"]


def _connection_rows(rt, cid):
    ddb = rt.boto3_client("dynamodb")
    resp = ddb.query(TableName=rt.table_name("connections"), IndexName="conversation-index",
                     KeyConditionExpression="conversation_id = :c",
                     ExpressionAttributeValues={":c": {"S": cid}})
    return [i["connection_id"]["S"] for i in resp["Items"]]


def test_lost_disconnect_gives_410_and_the_stale_connection_is_removed(local_runtime):
    rt = local_runtime
    s = visitor_session(rt)
    cid = s["conversation_id"]
    visitor = Socket(rt, s["token"])
    visitor.send({"action": "ping", "id": "p"})
    visitor.wait_for(_is("pong"))
    rows = _connection_rows(rt, cid)
    assert len(rows) == 1
    stale = rows[0]
    assert stale.endswith("=") and len(stale) == 16

    # the management API knows the connection
    quoted = urllib.parse.quote(stale, safe="")
    status, info = http("GET", f"{rt.base_url}/@connections/{quoted}")
    assert status == 200 and "connectedAt" in info and "lastActiveAt" in info

    rt.drop_socket(stale)                   # socket gone, $disconnect never ran
    with pytest.raises(ConnectionClosed):
        visitor.ws.recv(timeout=5)
    assert _connection_rows(rt, cid) == [stale]

    status, body = http("POST", f"{rt.base_url}/@connections/{quoted}", body={"x": 1})
    assert status == 410 and body == {"message": "GoneException"}
    # a row younger than the handshake grace is kept on a 410 (domain/sockets.py): this one
    # is made a minute old, as a lost $disconnect's row would be
    rt.boto3_client("dynamodb").update_item(
        TableName=rt.table_name("connections"), Key={"connection_id": {"S": stale}},
        UpdateExpression="SET connected_at = connected_at - :m",
        ExpressionAttributeValues={":m": {"N": "60000"}})
    # and so is its note on the conversation, which a send reads for its recipients
    rt.boto3_client("dynamodb").update_item(
        TableName=rt.table_name("conversations"), Key={"conversation_id": {"S": cid}},
        UpdateExpression="SET sockets.#s = sockets.#s - :m",
        ExpressionAttributeNames={"#s": stale},
        ExpressionAttributeValues={":m": {"N": "60000"}})

    # the next message to the conversation meets the 410 and deletes the stale row
    with Socket(rt, agent_login(rt)["token"], role="agent") as agent:
        agent.send({"action": "join", "conversation_id": cid})
        agent.wait_for(_is("conversation"))
        agent.say("are you still there?", conversation_id=cid)
        agent.wait_message("are you still there?")
        deadline = time.monotonic() + 10
        while _connection_rows(rt, cid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _connection_rows(rt, cid) == []
        note = rt.boto3_client("dynamodb").get_item(
            TableName=rt.table_name("conversations"), Key={"conversation_id": {"S": cid}},
            ConsistentRead=True)["Item"]
        assert note["sockets"] == {"M": {}}


def test_botocore_sees_gone_exception_from_the_management_api(local_runtime):
    import boto3
    client = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                   region_name="us-east-1").client(
        "apigatewaymanagementapi", endpoint_url=local_runtime.base_url)
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"{}")


def test_oversized_frame_closes_the_socket_with_1009(local_runtime):
    rt = local_runtime
    s = visitor_session(rt)
    visitor = Socket(rt, s["token"])
    big = json.dumps({"action": "send", "data": {"client_message_id": "big",
                                                 "text": "x" * (33 * 1024)}})
    visitor.send(big)
    with pytest.raises(ConnectionClosed) as info:
        while True:
            visitor.ws.recv(timeout=10)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1009
    # the closed socket's $disconnect ran: its row is gone
    deadline = time.monotonic() + 5
    while _connection_rows(rt, s["conversation_id"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _connection_rows(rt, s["conversation_id"]) == []


def test_connect_with_a_bad_token_is_refused_with_the_handlers_status(local_runtime):
    with pytest.raises(InvalidStatus) as info:
        Socket(local_runtime, "not-a-token")
    assert info.value.response.status_code == 401


def test_config_json_static_files_and_cors(local_runtime):
    rt = local_runtime
    status, cfg = http("GET", f"{rt.base_url}/config.json")
    assert status == 200
    assert cfg == {"api": rt.api_url, "ws": rt.ws_url, "site_key": "demo"}
    status, _ = http("GET", f"{rt.base_url}/../../etc/passwd")
    assert status == 404
    status, _ = http("GET", f"{rt.base_url}/%2e%2e/%2e%2e/etc/passwd")
    assert status == 404
    import urllib.request
    req = urllib.request.Request(f"{rt.api_url}/visitor/sessions", method="OPTIONS", headers={
        "Origin": "https://shop.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]

"""The conversation event stream end to end on the local runtime: table streams -> relay ->
SNS -> the reports consumer queue -> the idempotent runner -> a recording handler."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.e2e.clients import agent_login, http, visitor_session
from tests.helpers.runtime import start_runtime

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def events_runtime():
    # INFO: the runner's consumer_duplicate lines are what shows a skipped redelivery
    rt = start_runtime(app="tests.e2e.events_app:app",
                       env={"PARLEY_LOG_LEVEL": "INFO", "PARLEY_BCRYPT_ROUNDS": "4"})
    try:
        rt.sqs = rt.boto3_client("sqs")
        rt.consumed = rt.sqs.create_queue(QueueName="e2e-consumed")["QueueUrl"]
        yield rt
    finally:
        rt.stop()


def consumed(rt, until, timeout=30.0) -> list[dict]:
    """Envelopes the recording consumer handled, until `until(envelopes)` holds."""
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline and not until(got):
        resp = rt.sqs.receive_message(QueueUrl=rt.consumed, MaxNumberOfMessages=10,
                                      WaitTimeSeconds=1)
        for m in resp.get("Messages", []):
            got.append(json.loads(m["Body"]))
            rt.sqs.delete_message(QueueUrl=rt.consumed, ReceiptHandle=m["ReceiptHandle"])
    return got


def ok(status, body):
    assert status in (200, 201), body
    return body


def test_a_conversation_yields_the_catalogue_events_once_each(events_runtime):
    rt = events_runtime
    admin = agent_login(rt)["token"]
    tag = uuid.uuid4().hex[:8]
    ok(*http("POST", f"{rt.api_url}/admin/sites", {"site_key": f"ev-{tag}", "name": "Events",
                                                   "settings": {"bot_enabled": False}},
             token=admin))
    ok(*http("POST", f"{rt.api_url}/admin/agents", {"email": f"ev-{tag}@example.com",
                                                    "name": "Eve", "password": "password1"},
             token=admin))
    login = ok(*http("POST", f"{rt.api_url}/agent/login", {"email": f"ev-{tag}@example.com",
                                                           "password": "password1"}))
    agent, agent_id = login["token"], login["agent"]["agent_id"]

    s = visitor_session(rt, site_key=f"ev-{tag}", page_url="https://shop.example/help")
    cid, visitor = s["conversation_id"], s["token"]
    base = f"{rt.api_url}/visitor/conversations/{cid}"
    ok(*http("POST", f"{base}/messages", {"client_message_id": "v1", "text": "I need help"},
             token=visitor))                                   # no bot: queued at once
    ok(*http("PUT", f"{rt.api_url}/agent/status", {"status": "online"}, token=agent))
    deadline = time.monotonic() + 20
    while True:                                                # assignment runs over SQS
        view = ok(*http("GET", f"{rt.api_url}/agent/conversations/{cid}", token=agent))
        if view["conversation"]["status"] == "assigned" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert view["conversation"]["agent_id"] == agent_id
    agent_base = f"{rt.api_url}/agent/conversations/{cid}"
    ok(*http("POST", f"{agent_base}/messages", {"client_message_id": "a1", "text": "Hi, Eve"},
             token=agent))
    ok(*http("POST", f"{agent_base}/tags", {"add": ["refund"]}, token=agent))
    ok(*http("POST", f"{agent_base}/close", {}, token=agent))
    ok(*http("POST", f"{base}/rating", {"score": 4, "comment": "fine"}, token=visitor))
    http("PUT", f"{rt.api_url}/agent/status", {"status": "offline"}, token=agent)

    expected = {"conversation.created", "message.created", "conversation.queued",
                "conversation.assigned", "conversation.tagged", "conversation.closed",
                "conversation.rated"}
    mine = lambda got: [e for e in got if e["conversation_id"] == cid]  # noqa: E731
    # the two tables' streams are relayed independently: wait for both sides
    events = mine(consumed(rt, lambda got: expected <= {e["type"] for e in mine(got)}))
    by_type = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e)
    assert expected <= set(by_type), sorted(by_type)
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), ids                     # each handled once

    created = by_type["conversation.created"][0]
    assert created["id"] == f"conv:{cid}:0:conversation.created"
    assert created["data"]["page_url"] == "https://shop.example/help"
    texts = {e["data"]["text"]: e for e in by_type["message.created"]}
    assert texts["I need help"]["data"]["sender"]["type"] == "visitor"
    assert texts["Hi, Eve"]["conversation"]["agent_id"] == agent_id
    assigned = by_type["conversation.assigned"][0]
    assert assigned["id"] == f"msg:{cid}:{assigned['seq']}"
    assert assigned["data"]["agent_id"] == agent_id
    assert assigned["conversation"]["agent_id"] == agent_id    # ctx shows the new holder
    assert assigned["conversation"]["status"] == "assigned"
    assert assigned["site_key"] == f"ev-{tag}"
    assert by_type["conversation.tagged"][0]["data"]["added"] == ["refund"]
    assert by_type["conversation.closed"][0]["data"] == {"reason": "closed", "by": "agent"}
    assert by_type["conversation.rated"][0]["data"] == {"score": 4, "comment": "fine"}
    seqs = [e["seq"] for e in events if e["id"].startswith("msg:")]
    assert len(seqs) == len(set(seqs))

    # a redelivered SQS message, and a replayed stream record (the relay publishing the same
    # event again), are each recognised and not handled a second time
    rated = by_type["conversation.rated"][0]
    reports = rt.sqs.get_queue_url(QueueName="parley-dev-consumer-reports")["QueueUrl"]
    rt.sqs.send_message(QueueUrl=reports, MessageBody=json.dumps(rated))
    sns = rt.boto3_client("sns")
    topic = [t["TopicArn"] for t in sns.list_topics()["Topics"]
             if t["TopicArn"].endswith(":parley-dev-conversation-events")][0]
    sns.publish(TopicArn=topic, Message=json.dumps(assigned))
    rt.wait_for_output(f'"consumer_duplicate", "consumer": "reports", "event_id": "{rated["id"]}"',
                       timeout=20)
    rt.wait_for_output(f'"consumer_duplicate", "consumer": "reports", '
                       f'"event_id": "{assigned["id"]}"', timeout=20)
    again = mine(consumed(rt, lambda got: False, timeout=2))
    assert again == []

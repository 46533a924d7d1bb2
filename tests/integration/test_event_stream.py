"""The conversation event stream on moto: the tables' streams through the relay function,
the SNS topic's fan-out to the consumer queues, and the idempotent consumer runner."""
import json

import boto3
import pytest
from botocore.config import Config

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import consumers as runner
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, sessions, sites
from infra.local.streams import lambda_event
from tests.helpers.aws import drain_queues


class StreamTail:
    """A table stream's records written after this was made (LATEST iterators per shard), read
    from the same start on every call: a replay reads the very same records again."""

    def __init__(self, outputs, table: str):
        self.arn = outputs[f"{table.capitalize()}TableStreamArn"]
        self.ds = boto3.client("dynamodbstreams",
                               config=Config(account_id_endpoint_mode="disabled"))
        self.starts = [self.ds.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard["ShardId"],
            ShardIteratorType="LATEST")["ShardIterator"]
            for shard in self.ds.describe_stream(StreamArn=self.arn)[
                "StreamDescription"]["Shards"]]

    def records(self, conversation_id: str) -> list[dict]:
        out = []
        for it in self.starts:
            while it:
                resp = self.ds.get_records(ShardIterator=it, Limit=1000)
                if not resp["Records"]:
                    break
                out += [r for r in resp["Records"]
                        if r["dynamodb"]["Keys"]["conversation_id"]["S"] == conversation_id]
                it = resp.get("NextShardIterator")
        return out


def relay(outputs, table, records):
    """Run the relay function as the stream's event source mapping would."""
    handler = {"messages": app_module.relay_messages,
               "conversations": app_module.relay_conversations}[table]
    handler(lambda_event(records, "us-east-1", outputs[f"{table.capitalize()}TableStreamArn"]),
            None)


def receive(url) -> list[dict]:
    sqs, got = boto3.client("sqs"), []
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   AttributeNames=["All"]).get("Messages", [])
        if not msgs:
            return got
        for m in msgs:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        got += msgs


def sqs_event(messages, queue_arn) -> dict:
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                         "body": m["Body"], "attributes": m.get("Attributes", {}),
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": queue_arn, "awsRegion": "us-east-1"}
                        for m in messages]}


@pytest.fixture
def recording(monkeypatch):
    """The reports consumer with a handler that records every event type."""
    from chalicelib.domain.events import EVENT_TYPES
    seen = []
    consumer = runner.Consumer("reports", app_module.consumers["reports"].queue,
                               {t: lambda deps, env: seen.append(env) for t in EVENT_TYPES})
    monkeypatch.setitem(app_module.consumers, "reports", consumer)
    return seen


def test_a_conversation_through_streams_topic_and_queue_is_consumed_once(deps, aws, recording):
    tails = {table: StreamTail(aws, table) for table in ("conversations", "messages")}
    sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False})
    a = agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                      "password": "password1"})
    ann = Actor(kind="agent", id=a["agent_id"], role="agent", name="Ann")
    s = sessions.start_session(deps, {"site_key": "nobot"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="nobot")
    convs.post_message(deps, vis, cid, {"client_message_id": "v1", "text": "help"})
    presence.set_status(deps, ann, {"status": "online"})
    drain_queues(deps)
    convs.post_message(deps, ann, cid, {"client_message_id": "a1", "text": "hello"})
    lifecycle.close(deps, ann, cid)
    lifecycle.rate(deps, vis, cid, {"score": 5})

    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    reports = receive(aws["ReportsConsumerQueueUrl"])
    webhooks = receive(aws["QaConsumerQueueUrl"])
    assert sorted(m["Body"] for m in reports) == sorted(m["Body"] for m in webhooks)
    result = app_module.consume_reports(sqs_event(reports, aws["ReportsConsumerQueueArn"]), None)
    assert result == {"batchItemFailures": []}
    types = [e["type"] for e in recording]
    assert types[0] == "conversation.created"
    assert [t for t in types if t != "message.created"][1:] == [
        "conversation.queued", "conversation.offline_offered",     # nobody was online yet
        "conversation.assigned", "conversation.closed", "conversation.rated"]
    assert types.count("message.created") == 2
    assigned = next(e for e in recording if e["type"] == "conversation.assigned")
    assert assigned["conversation"] == {"visitor_id": s["visitor_id"], "channel": "web",
                                        "team": None, "agent_id": ann.id,
                                        "status": "assigned"}
    closed = next(e for e in recording if e["type"] == "conversation.closed")
    assert closed["conversation"]["status"] == "closed"
    assert closed["data"] == {"reason": "closed", "by": "agent"}

    # the same stream records again (Lambda retrying a batch): the same events, and the
    # consumer handles none of them twice
    before = list(recording)
    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    again = receive(aws["ReportsConsumerQueueUrl"])
    assert sorted(json.loads(m["Body"])["id"] for m in again) == \
        sorted(e["id"] for e in before)
    assert app_module.consume_reports(sqs_event(again, aws["ReportsConsumerQueueArn"]),
                                      None) == {"batchItemFailures": []}
    assert recording == before
    receive(aws["QaConsumerQueueUrl"])


def test_a_failing_handler_releases_its_claim_so_the_retry_runs_it(deps, aws, monkeypatch):
    calls = []

    def flaky(deps, env):
        calls.append(env["id"])
        if len(calls) == 1:
            raise RuntimeError("downstream down")

    consumer = runner.Consumer("reports", "q", {"conversation.rated": flaky})
    monkeypatch.setitem(app_module.consumers, "reports", consumer)
    env = {"id": "msg:c_x:9", "type": "conversation.rated", "conversation_id": "c_x"}
    body = json.dumps(env)
    records = [{"messageId": "m1", "body": body}, {"messageId": "m2", "body": "not json"},
               {"messageId": "m3", "body": json.dumps({**env, "id": "msg:c_x:10",
                                                       "type": "message.created"})}]
    event = {"Records": [dict(r, receiptHandle="h", attributes={}, messageAttributes={},
                              md5OfBody="", eventSource="aws:sqs",
                              eventSourceARN="arn:aws:sqs:us-east-1:123456789012:q",
                              awsRegion="us-east-1") for r in records]}
    assert app_module.consume_reports(event, None) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}]}
    key = runner.claim_key("reports", env["id"])
    assert deps.claims.begin(key, runner.LEASE_MS) == "started"        # it was released
    deps.claims.release(key)
    assert app_module.consume_reports(event, None) == {"batchItemFailures": []}
    assert app_module.consume_reports(event, None) == {"batchItemFailures": []}
    assert calls == ["msg:c_x:9", "msg:c_x:9"]             # failed once, then ran once


def test_claims_with_a_lease_on_dynamodb(deps, aws):
    """ClaimRepo.begin/finish/release on the keys table, on a simulated clock."""
    c, key, t = deps.claims, "evt#reports#msg:c_y:1", 1_000_000
    assert c.begin(key, 1000, now=t) == "started"
    assert c.begin(key, 1000, now=t + 999) == "busy"          # the lease still holds
    assert c.begin(key, 1000, now=t + 1001) == "started"      # a dead run is taken over
    c.finish(key)
    assert c.begin(key, 1000, now=t + 10**9) == "done"        # finished: never again
    c.release(key)
    assert c.begin(key, 1000, now=t) == "started"

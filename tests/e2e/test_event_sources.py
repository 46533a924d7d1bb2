"""SQS event source mapping and WebSocket limits, on a runtime running a tiny test app."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from infra.local.events import cron_matches, rate_seconds
from tests.helpers.runtime import start_runtime

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def sqs_runtime():
    rt = start_runtime(app="tests.e2e.sqs_app:app", seed=False,
                       extra_args=["--ws-idle-timeout", "1.5", "--ws-max-life", "60"])
    try:
        sqs = rt.boto3_client("sqs")
        dlq = sqs.create_queue(QueueName="e2e-jobs-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        jobs = sqs.create_queue(QueueName="e2e-jobs", Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": "2"})})["QueueUrl"]
        results = sqs.create_queue(QueueName="e2e-results")["QueueUrl"]
        rt.queues = {"jobs": jobs, "dlq": dlq, "results": results}
        yield rt
    finally:
        rt.stop()


def _drain(sqs, url, want, timeout=20.0, stop=None):
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline and len(got) < want:
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   AttributeNames=["All"])
        for m in resp.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def test_sqs_batches_partial_failures_retries_and_dlq(sqs_runtime):
    rt = sqs_runtime
    sqs = rt.boto3_client("sqs")
    q = rt.queues
    sqs.send_message_batch(QueueUrl=q["jobs"], Entries=[
        {"Id": "1", "MessageBody": "ok-1",
         "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "test"}}},
        {"Id": "2", "MessageBody": "ok-2"},
        {"Id": "3", "MessageBody": "fail-1"},
    ])
    # ok-1, ok-2 handled once; fail-1 handled twice (maxReceiveCount 2), then the DLQ
    reports = [json.loads(m["Body"]) for m in _drain(sqs, q["results"], 4)]
    by_body = {}
    for r in reports:
        by_body.setdefault(r["body"], []).append(r)
    assert len(by_body["ok-1"]) == 1 and len(by_body["ok-2"]) == 1
    assert by_body["ok-1"][0]["attrs"] == {"kind": "test"}
    assert by_body["ok-1"][0]["source_arn"].endswith(":e2e-jobs")
    assert by_body["ok-1"][0]["region"] == "us-east-1"
    assert [r["receive_count"] for r in by_body["fail-1"]] == [1, 2]

    dead = _drain(sqs, q["dlq"], 1)
    assert [m["Body"] for m in dead] == ["fail-1"]
    # nothing else was redelivered or dead-lettered
    assert _drain(sqs, q["results"], 1, timeout=3) == []
    rt.wait_for_output("SQS e2e-jobs batch=")


def test_sqs_handler_exception_retries_whole_message_then_dlq(sqs_runtime):
    rt = sqs_runtime
    sqs = rt.boto3_client("sqs")
    q = rt.queues
    sqs.send_message(QueueUrl=q["jobs"], MessageBody="boom")
    reports = [json.loads(m["Body"]) for m in _drain(sqs, q["results"], 2)]
    assert [r["receive_count"] for r in reports] == [1, 2]
    dead = _drain(sqs, q["dlq"], 1)
    assert [m["Body"] for m in dead] == ["boom"]
    rt.wait_for_output("error RuntimeError: boom")


def test_idle_websocket_is_closed_after_the_idle_timeout(sqs_runtime):
    ws = connect(sqs_runtime.ws_url, open_timeout=10)
    t0 = time.monotonic()
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(timeout=10)
    assert info.value.rcvd.code == 1001
    assert 1.0 < time.monotonic() - t0 < 8


def test_schedule_expressions():
    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(5 minutes)") == 300
    assert rate_seconds("rate(2 hours)") == 7200
    assert rate_seconds("cron(0 12 * * ? *)") is None
    noon_mon = dt.datetime(2026, 11, 23, 12, 0)          # a Monday
    assert cron_matches("cron(0 12 * * ? *)", noon_mon)
    assert cron_matches("cron(0/15 * ? * MON-FRI *)", noon_mon)
    assert not cron_matches("cron(0 12 ? * SAT-SUN *)", noon_mon)
    assert not cron_matches("cron(5 12 * * ? *)", noon_mon)

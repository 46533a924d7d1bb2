"""Moto-backed fixtures shared by the integration tests."""
from __future__ import annotations

import json
from collections import defaultdict

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters import models


def reset_pynamodb_connections():
    for model in models.ALL_MODELS:
        model._connection = None


@pytest.fixture(scope="package")
def aws_stack():
    """Moto in-process with Parley's data stack deployed from infra/template.yaml, once per
    test package (deploying the stack takes seconds; emptying the tables takes milliseconds)."""
    with mock_aws():
        reset_pynamodb_connections()
        from infra.resources import deploy_stack, serialize_moto_dynamodb
        serialize_moto_dynamodb()
        outputs = deploy_stack(stage="dev")
        import os
        # as a deployment's stage configuration gives them (no GetQueueUrl on hot paths)
        saved = {k: os.environ.get(k) for k in ("PARLEY_ASSIGNMENT_QUEUE_URL",
                                                 "PARLEY_EVENTS_QUEUE_URL",
                                                 "PARLEY_WEBHOOK_DELIVERY_QUEUE_URL",
                                                 "PARLEY_ARCHIVE_BUCKET")}
        os.environ["PARLEY_ASSIGNMENT_QUEUE_URL"] = outputs["AssignmentQueueUrl"]
        os.environ["PARLEY_EVENTS_QUEUE_URL"] = outputs["EventsQueueUrl"]
        os.environ["PARLEY_WEBHOOK_DELIVERY_QUEUE_URL"] = outputs["WebhookDeliveryQueueUrl"]
        os.environ["PARLEY_ARCHIVE_BUCKET"] = outputs["ArchiveBucketName"]
        yield outputs
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_pynamodb_connections()


def empty_tables():
    """Test-only: delete every item so each test starts from empty tables."""
    ddb = boto3.client("dynamodb")
    for model in models.ALL_MODELS:
        name = model.Meta.table_name
        keys = [k["AttributeName"] for k in ddb.describe_table(TableName=name)["Table"]["KeySchema"]]
        for page in ddb.get_paginator("scan").paginate(TableName=name,
                                                       ProjectionExpression=", ".join(
                                                           f"#{i}" for i in range(len(keys))),
                                                       ExpressionAttributeNames={
                                                           f"#{i}": k for i, k in enumerate(keys)}):
            for item in page["Items"]:
                ddb.delete_item(TableName=name, Key=item)


def purge_queues(outputs):
    sqs = boto3.client("sqs")
    for key, url in outputs.items():
        if key.endswith("QueueUrl") or key.endswith("DLQUrl"):
            while True:  # drain (PurgeQueue is rate-limited to once a minute)
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          VisibilityTimeout=0).get("Messages", [])
                if not got:
                    break
                for msg in got:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])


@pytest.fixture
def aws(aws_stack):
    empty_tables()
    purge_queues(aws_stack)
    yield aws_stack


class PostRecorder:
    """Captures what is posted to each connection through the management API."""

    def __init__(self):
        self.posts = defaultdict(list)

    def __call__(self, params, **kwargs):
        data = params.get("Data")
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        self.posts[params["ConnectionId"]].append(json.loads(data))

    def events(self, connection_id, type_=None):
        return [e for e in self.posts[connection_id] if type_ is None or e.get("type") == type_]

    def clear(self):
        self.posts.clear()


@pytest.fixture
def deps(aws):
    from chalicelib.api import common
    from chalicelib import bootstrap
    d = bootstrap.build()
    recorder = PostRecorder()
    client = d.sender._get_client()
    client.meta.events.register("provide-client-params.apigatewaymanagementapi.PostToConnection",
                                lambda params, **kw: recorder(params))
    d.extras["recorder"] = recorder
    common.set_deps(d)
    yield d
    common.set_deps(None)


@pytest.fixture
def posted(deps):
    return deps.extras["recorder"]


@pytest.fixture
def site(deps):
    from chalicelib.services import sites
    return sites.create_site(deps, "demo", "Demo site")


class AwsCallCounter:
    """Counts AWS API calls with botocore's before-call event on every client created while
    active (PynamoDB's, the management API's, boto3's)."""

    def __init__(self, deps=None):
        self.calls: list[str] = []
        self._deps = deps
        self._patch = None

    def _on_call(self, model, **kwargs):
        self.calls.append(f"{model.service_model.service_name}:{model.name}")

    def __enter__(self):
        import botocore.session
        from unittest import mock
        original = botocore.session.Session.create_client
        counter = self

        def create_client(session, *args, **kwargs):
            client = original(session, *args, **kwargs)
            client.meta.events.register("before-call", counter._on_call)
            return client

        self._patch = mock.patch.object(botocore.session.Session, "create_client", create_client)
        self._patch.start()
        reset_pynamodb_connections()
        if self._deps is not None:
            self._deps.sender._client = None
            self._deps.storage._client = None
            self._deps.queue._client = None
        return self

    def __exit__(self, *exc):
        self._patch.stop()
        reset_pynamodb_connections()
        if self._deps is not None:
            self._deps.sender._client = None
            self._deps.storage._client = None
            self._deps.queue._client = None

    def reset(self):
        self.calls.clear()

    def by_service(self, service):
        return [c for c in self.calls if c.startswith(service + ":")]


def drain_queues(deps, rounds: int = 30) -> int:
    """Run the app's SQS handlers on whatever is waiting in the assignments and events
    queues (as Lambda's event source mapping would), until both are empty."""
    from chalicelib.services import tasks
    sqs = boto3.client("sqs")
    handled = 0
    for _ in range(rounds):
        busy = False
        for queue in ("assignments", "events"):
            url = deps.queue.url(queue)
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"]).get("Messages", [])
            if not msgs:
                continue
            busy = True
            records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"], "attributes": m.get("Attributes", {}),
                        "eventSource": "aws:sqs"} for m in msgs]
            result = tasks.handle_records(deps, records)
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            for m in msgs:
                if m["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    handled += 1
        if not busy:
            break
    return handled

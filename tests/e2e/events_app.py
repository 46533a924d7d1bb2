"""Parley's app with a recording `reports` consumer (run with --app tests.e2e.events_app:app).

Every event the consumer handles is sent, whole, to the `e2e-consumed` queue, so the test can
see what ran and how often. Nothing else differs from app.py: the streams, the relay, the
topic, the consumer queues and the idempotent runner are the real ones.
"""
import json
import os

import boto3

import app as parley
from chalicelib.bootstrap import build_consumers
from chalicelib.domain.events import EVENT_TYPES

app = parley.app
RESULTS = "e2e-consumed"
_sqs = {}


def _record(deps, envelope):
    if "client" not in _sqs:
        _sqs["client"] = boto3.client("sqs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
        _sqs["url"] = _sqs["client"].create_queue(QueueName=RESULTS)["QueueUrl"]
    _sqs["client"].send_message(QueueUrl=_sqs["url"], MessageBody=json.dumps(envelope))


parley.consumers.update(build_consumers(overrides={
    "reports": {type_: _record for type_ in EVENT_TYPES}}))

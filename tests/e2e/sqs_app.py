"""A tiny Chalice app for the runtime's event-source tests (run with --app tests.e2e.sqs_app:app).

Every record it handles is reported to the `e2e-results` queue. Bodies starting with
"fail" are reported back as batch item failures; a body "boom" makes the whole invocation
raise.
"""
import json
import os

import boto3
from chalice import Chalice

app = Chalice(app_name="e2e-sqs")
_sqs = None


def _results_url():
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    return _sqs, _sqs.get_queue_url(QueueName="e2e-results")["QueueUrl"]


@app.on_sqs_message(queue="e2e-jobs", batch_size=5)
def handle_jobs(event):
    sqs, url = _results_url()
    failures = []
    for record in event:
        raw = record.to_dict()
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
            "body": record.body, "message_id": raw["messageId"],
            "receive_count": int(raw["attributes"]["ApproximateReceiveCount"]),
            "source_arn": raw["eventSourceARN"], "region": raw["awsRegion"],
            "attrs": {k: v.get("stringValue") for k, v in raw["messageAttributes"].items()},
            "batch": len(event.to_dict()["Records"])}))
        if record.body == "boom":
            raise RuntimeError("boom")
        if record.body.startswith("fail"):
            failures.append({"itemIdentifier": raw["messageId"]})
    return {"batchItemFailures": failures}

"""Every AWS operation the Chalice functions actually perform in the integration tests is
allowed by that function's policy file.

Runs tests/integration/test_round_trip.py (REST + all three WebSocket handlers) in a
subprocess with the recorder plugin (tests/infra/aws_recorder.py), so nothing in other
people's test files has to change. Once tests/conftest.py loads the plugin for the whole
suite, every test run performs this check for every test.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra import aws_recorder

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "tests" / "integration" / "test_round_trip.py"


@pytest.mark.skipif(not TARGET.exists(), reason="integration round trip not present")
def test_operations_recorded_during_the_round_trip_are_allowed(tmp_path):
    record = tmp_path / "ops.json"
    env = dict(os.environ, PARLEY_AWS_RECORD=str(record), PARLEY_AWS_RECORD_STRICT="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.infra.aws_recorder",
         "-p", "no:warnings", str(TARGET)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    recorded = json.loads(record.read_text())
    assert {"api_handler", "websocket_connect", "websocket_message"} <= set(recorded), \
        result.stdout[-3000:]
    bad = aws_recorder.violations({fn: [tuple(o) for o in ops] for fn, ops in recorded.items()})
    assert not bad, bad
    assert "IAM:" not in result.stdout


def test_recorder_attributes_and_maps_operations():
    reqs = aws_recorder.iam_requests("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "parley-dev-messages"}},
        {"Update": {"TableName": "parley-dev-conversations"}}]}, "us-east-1")
    assert reqs == [
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/parley-dev-messages"),
        ("dynamodb:UpdateItem",
         "arn:aws:dynamodb:us-east-1:123456789012:table/parley-dev-conversations")]
    assert aws_recorder.iam_requests(
        "dynamodb", "Query", {"TableName": "t", "IndexName": "i"}, "eu-west-1") == [
        ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/i")]
    assert aws_recorder.iam_requests(
        "apigatewaymanagementapi", "PostToConnection", {"ConnectionId": "abc="}, "us-east-1",
        endpoint="https://api1234567.execute-api.us-east-1.amazonaws.com/ws") == [
        ("execute-api:ManageConnections",
         "arn:aws:execute-api:us-east-1:123456789012:api1234567/ws/POST/@connections/abc=")]
    bad = aws_recorder.violations({"websocket_disconnect": [
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/parley-dev-keys")]})
    assert bad and "not allowed" in bad[0]

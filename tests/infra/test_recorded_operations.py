"""Every AWS operation the Chalice functions actually perform in the integration tests is
allowed by that function's policy file.

Runs the integration round trip (REST + all three WebSocket handlers), the queue tests
(assignment, transfer/close, presence, idle sweep, email replies), the bot tests (turns over
the events queue) and the message tests in ONE subprocess with the recorder plugin
(tests/infra/aws_recorder.py), which attributes each call to the Lambda function that would
make it - including calls those tests make through service entry points (tasks.handle_records
by queue, presence.idle_sweep, realtime.*) rather than app.py - so nothing in other people's test
files has to change. Once tests/conftest.py loads the plugin for the whole suite, every test
run performs this check for every test.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.infra import aws_recorder

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "tests" / "integration"
TARGETS = [INTEGRATION / f"{name}.py" for name in
           ("test_round_trip", "test_queue", "test_bot", "test_messages", "test_event_stream",
            "test_channels", "test_webhooks", "test_mail", "test_tickets",
            "test_email_tickets", "test_contact_events")]
#: functions (and the operations) the run must have exercised, so that a broken attribution
#: cannot pass by recording nothing
EXPECTED = {
    "api_handler": {"sqs:SendMessage", "dynamodb:Query"},
    "websocket_connect": {"dynamodb:PutItem"},
    "websocket_message": {"execute-api:ManageConnections"},
    "websocket_disconnect": {"dynamodb:DeleteItem", "dynamodb:GetItem"},
    "handle_events": {"dynamodb:BatchGetItem", "ses:SendEmail", "sqs:SendMessage"},
    "handle_assignments": {"dynamodb:UpdateItem", "dynamodb:Query"},
    "sweep_idle": {"dynamodb:Query", "dynamodb:UpdateItem"},
    "relay_messages": {"sns:Publish"},
    "relay_conversations": {"sns:Publish"},
    "relay_tickets": {"sns:Publish"},
    "relay_contacts": {"sns:Publish"},
    "sweep_ticket_sla": {"dynamodb:Query", "dynamodb:PutItem"},
    "consume_reports": {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem"},
    "consume_webhooks": {"dynamodb:Query", "dynamodb:PutItem", "sqs:SendMessage"},
    "deliver_webhooks": {"dynamodb:UpdateItem", "ses:SendEmail"},
    "receive_mail": {"s3:GetObject", "s3:PutObject", "dynamodb:PutItem", "dynamodb:GetItem"},
}


def start_recorded_run() -> dict:
    """Start the recorded integration run in the background (tests/infra/conftest.py does this
    as soon as the test is collected, so it overlaps the other infra checks)."""
    tmp = Path(tempfile.mkdtemp(prefix="parley-recorded-"))
    record = tmp / "ops.json"
    env = dict(os.environ, PARLEY_AWS_RECORD=str(record), PARLEY_AWS_RECORD_STRICT="1")
    out = open(tmp / "stdout.txt", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.infra.aws_recorder",
         "-p", "no:warnings", "-p", "no:cacheprovider", "--basetemp", str(tmp / "basetemp"),
         *map(str, TARGETS)],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    return {"proc": proc, "tmp": tmp, "record": record, "out": out}


@pytest.mark.skipif(not all(t.exists() for t in TARGETS), reason="integration tests not present")
@pytest.mark.timeout(660)      # the run's own bound is the 600 s wait below, not pytest.ini's 300
def test_operations_recorded_in_the_integration_tests_are_allowed(request):
    run = getattr(request.config, "_parley_recorded_run", None) or start_recorded_run()
    try:
        returncode = run["proc"].wait(timeout=600)
        run["out"].seek(0)
        output = run["out"].read()
        out = output[-5000:]
        recorded = json.loads(run["record"].read_text())
    finally:
        run["out"].close()
        shutil.rmtree(run["tmp"], ignore_errors=True)
    bad = aws_recorder.violations({fn: [tuple(o) for o in ops] for fn, ops in recorded.items()})
    assert not bad, bad
    assert "IAM:" not in output
    for fn, actions in EXPECTED.items():
        seen = {a for a, _ in recorded.get(fn, [])}
        assert actions <= seen, (fn, sorted(actions - seen), out)
    assert returncode == 0, out


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
    assert aws_recorder.iam_requests(
        "ses", "SendEmail", {"Source": "Parley <support@Parley.invalid>"}, "us-east-1") == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/parley.invalid")]
    # SQS records: by the queue they come from, else by their type
    assert aws_recorder.record_function({"eventSourceARN": "arn:aws:sqs:us-east-1:1:"
                                         "parley-dev-assignments", "body": "{}"}) == \
        "handle_assignments"
    assert aws_recorder.record_function({"body": json.dumps({"type": "assign"})}) == \
        "handle_assignments"
    assert aws_recorder.record_function({"body": json.dumps({"type": "bot_turn"})}) == \
        "handle_events"


def test_recorder_attributes_service_entry_points():
    """Calls inside tasks.handle_records / presence.idle_sweep / realtime.* count for the
    function that runs them; calls from test code count for nobody."""
    import app  # noqa: F401  (the recorder keys its map on the loaded app)
    from chalicelib.services import presence, realtime, tasks

    seen = []

    class Probe:
        def __getattr__(self, name):
            seen.append(aws_recorder.current_function())
            raise RuntimeError("stop")

    probe = Probe()
    assert aws_recorder.current_function() == aws_recorder.NONE
    handlers = {"_probe": lambda deps, body: deps.anything}
    tasks.handle_records(probe, [{"messageId": "1", "body": json.dumps({"type": "_probe"})}],
                         handlers)
    tasks.handle_records(probe, [{"messageId": "2", "body": json.dumps({"type": "_probe"}),
                                  "eventSourceARN": "arn:aws:sqs:us-east-1:1:"
                                                    "parley-dev-assignments"}], handlers)
    for call in (lambda: presence.idle_sweep(probe), lambda: realtime.disconnect(probe, "c")):
        try:
            call()
        except RuntimeError:
            pass
    assert seen[:4] == ["handle_events", "handle_assignments", "sweep_idle",
                        "websocket_disconnect"], seen

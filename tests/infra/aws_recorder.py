"""Pytest plugin: record every AWS operation the Chalice functions perform during a test run.

Every botocore client (boto3's and PynamoDB's) gets a `before-parameter-build` hook; the hook
walks the Python stack to find which Lambda function was running - the REST app
(Chalice.__call__ or a route view -> api_handler), a WebSocket handler (websocket_connect /
_message / _disconnect), any on_sqs_message / schedule handler (by its function name), or,
for tests that call the services directly, the service entry point a Lambda function runs
(realtime.connect/handle_frame/disconnect, presence.idle_sweep, tasks.handle_records by queue;
see "attribution" below) - and records the IAM action and resource it needs. Calls made by
test set-up code outside all of these are recorded under "(none)" and not checked.

Enable with `-p tests.infra.aws_recorder` or, in tests/conftest.py:

    pytest_plugins = ["tests.infra.aws_recorder"]

At the end of the session the recording is written to
$PARLEY_AWS_RECORD (default test-artifacts/aws-operations.json) and every recorded
operation is checked against the function's .chalice/policy-<stage>-<function>.json with the
evaluator in tests/infra/iam.py; violations are listed in the terminal summary and fail the
run unless PARLEY_AWS_RECORD_STRICT=0.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NONE = "(none)"

_records: dict = defaultdict(set)     # function -> {(action, resource)}
_lock = threading.Lock()
_code_map: tuple = ({}, {})
_code_map_app = None
_installed = False


# ---------------------------------------------------------------------- attribution
# Two kinds of code are recognised on the stack:
# - Lambda entry points (the outermost one wins): Chalice.__call__ and every REST route view
#   -> api_handler, app.ws_* -> websocket_*, app.<sqs/schedule handler> -> its function name;
# - service entry points, for tests that call services directly (the innermost one wins,
#   and only when no Lambda entry point is on the stack): realtime.connect /
#   handle_frame / disconnect -> websocket_connect / _message / _disconnect,
#   presence.idle_sweep -> sweep_idle, tickets.sla_sweep.sweep -> sweep_ticket_sla,
#   tasks.handle_records -> handle_assignments for a record
#   of the assignments queue (its eventSourceARN, or an "assign" or "positions" body when
#   the test built the record without one) and handle_events for any other record.
# Calls made by test code and fixtures outside all of these are recorded under "(none)".
HANDLE_RECORDS = "(handle_records)"


def _code(fn):
    fn = getattr(fn, "func", fn)
    return getattr(fn, "__code__", None)


def _build_code_map(app_module) -> tuple[dict, dict]:
    from chalice.app import Chalice
    app = app_module.app
    codes = {Chalice.__call__.__code__: "api_handler"}
    for methods in app.routes.values():
        for entry in methods.values():
            fn = entry.view_function
            while fn is not None:
                if _code(fn) is not None:
                    codes.setdefault(_code(fn), "api_handler")
                fn = getattr(fn, "__wrapped__", None)
    ws_names = {"$connect": "websocket_connect", "$disconnect": "websocket_disconnect"}
    for route_key, cfg in app.websocket_handlers.items():
        handler = getattr(app_module, cfg.name, None) or getattr(cfg, "handler_function", None)
        if _code(handler) is not None:
            codes[_code(handler)] = ws_names.get(route_key, "websocket_message")
    for src in list(app.event_sources) + list(app.pure_lambda_functions):
        handler = getattr(app_module, src.name, None) or getattr(src, "func", None)
        if _code(handler) is not None:
            codes[_code(handler)] = src.name
    services = {}
    try:
        from chalicelib.services import presence, realtime, tasks
        from chalicelib.services.tickets import sla_sweep
        services = {realtime.connect.__code__: "websocket_connect",
                    realtime.handle_frame.__code__: "websocket_message",
                    realtime.disconnect.__code__: "websocket_disconnect",
                    presence.idle_sweep.__code__: "sweep_idle",
                    sla_sweep.sweep.__code__: "sweep_ticket_sla",
                    tasks.handle_records.__code__: HANDLE_RECORDS}
    except (ImportError, AttributeError):
        pass
    return codes, services


def record_function(record) -> str:
    """The SQS handler a record is delivered to: by its queue, else by its type."""
    if not isinstance(record, dict):
        return "handle_events"
    arn = record.get("eventSourceARN") or ""
    if arn:
        return "handle_assignments" if arn.endswith("-assignments") else "handle_events"
    try:
        body = json.loads(record.get("body") or "{}")
    except ValueError:
        body = {}
    return "handle_assignments" if isinstance(body, dict) and \
        body.get("type") in ("assign", "positions") else "handle_events"


def current_function() -> str:
    global _code_map, _code_map_app
    app_module = sys.modules.get("app")
    if app_module is None or not hasattr(app_module, "app"):
        return NONE
    if _code_map_app is not app_module.app:
        _code_map, _code_map_app = _build_code_map(app_module), app_module.app
    entries, services = _code_map
    entry = service = None
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code in entries:
            entry = entries[code]                      # keep walking: outermost wins
        elif service is None and code in services:
            service = services[code]
            if service == HANDLE_RECORDS:
                service = record_function(frame.f_locals.get("record"))
        frame = frame.f_back
    return entry or service or NONE


# ------------------------------------------------------------------- operation -> IAM
def _region(client_meta) -> str:
    return client_meta.region_name or "us-east-1"


def iam_requests(service: str, operation: str, params: dict, region: str,
                 account: str = "123456789012", endpoint: str = "") -> list[tuple[str, str]]:
    """(IAM action, resource ARN) pairs one API call needs."""
    if service == "dynamodb":
        def table(name, index=None):
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            return arn + (f"/index/{index}" if index else "")
        if operation == "TransactWriteItems":
            out = []
            for item in params.get("TransactItems", []):
                for kind, body in item.items():
                    action = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                              "ConditionCheck": "ConditionCheckItem"}[kind]
                    out.append((f"dynamodb:{action}", table(body["TableName"])))
            return out
        if operation == "TransactGetItems":
            return [("dynamodb:GetItem", table(i["Get"]["TableName"]))
                    for i in params.get("TransactItems", [])]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", table(name))
                    for name in params.get("RequestItems", {})]
        if "TableName" in params:
            return [(f"dynamodb:{operation}", table(params["TableName"],
                                                    params.get("IndexName")))]
        return [(f"dynamodb:{operation}", "*")]
    if service == "apigatewaymanagementapi":
        # https://{api}.execute-api.{region}.amazonaws.com/{stage}
        host = endpoint.split("//", 1)[-1]
        api_id = host.split(".", 1)[0]
        stage = host.split("/", 1)[1].strip("/") if "/" in host else ""
        method = {"PostToConnection": "POST", "GetConnection": "GET",
                  "DeleteConnection": "DELETE"}.get(operation, "POST")
        return [("execute-api:ManageConnections",
                 f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}"
                 f"/@connections/{params.get('ConnectionId', '')}")]
    if service == "s3":
        bucket, key = params.get("Bucket", ""), params.get("Key")
        return [(f"s3:{operation}",
                 f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else ""))]
    if service == "sqs":
        url = params.get("QueueUrl", "")
        name = url.rstrip("/").rsplit("/", 1)[-1] if url else params.get("QueueName", "")
        return [(f"sqs:{operation}", f"arn:aws:sqs:{region}:{account}:{name}")]
    if service in ("ses", "sesv2") and operation in ("SendEmail", "SendRawEmail"):
        # authorized on the sending identity: the verified domain of the From address
        source = params.get("Source") or params.get("FromEmailAddress") or ""
        domain = source.rsplit("<", 1)[-1].rstrip(">").strip().rpartition("@")[2].lower()
        return [(f"ses:{operation}", f"arn:aws:ses:{region}:{account}:identity/{domain}")]
    if service == "sns" and operation in ("Publish", "PublishBatch"):
        # PublishBatch is authorized as sns:Publish on the topic
        return [("sns:Publish", params.get("TopicArn") or params.get("TargetArn") or "*")]
    if service == "secretsmanager":
        # IAM authorizes on the secret's ARN; a call may name the secret instead
        sid = params.get("SecretId") or params.get("Name") or "*"
        if sid != "*" and not sid.startswith("arn:"):
            sid = f"arn:aws:secretsmanager:{region}:{account}:secret:{sid}"
        return [(f"secretsmanager:{operation}", sid)]
    return [(f"{service}:{operation}", "*")]


def _make_hook(client):
    service = client.meta.service_model.service_name  # endpoint prefix style names
    signing = client.meta.service_model.signing_name
    region = _region(client.meta)
    endpoint = client.meta.endpoint_url or ""

    def hook(params, model, **kwargs):
        try:
            fn = current_function()
            name = "apigatewaymanagementapi" if signing == "execute-api" else service
            reqs = iam_requests(name, model.name, params or {}, region, endpoint=endpoint)
            with _lock:
                _records[fn].update(reqs)
        except Exception as exc:  # recording must never break the code under test
            with _lock:
                _records["(recorder-errors)"].add((repr(exc), ""))
    return hook


def install() -> None:
    """Wrap botocore's create_client so every new client is recorded."""
    global _installed
    if _installed:
        return
    import botocore.session
    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", _make_hook(client))
        return client

    create_client.__wrapped__ = original
    botocore.session.Session.create_client = create_client
    _installed = True


def records() -> dict:
    with _lock:
        return {fn: sorted(ops) for fn, ops in _records.items()}


def clear() -> None:
    with _lock:
        _records.clear()


# ---------------------------------------------------------------------------- checking
def violations(recorded: dict, stage: str = "dev", ws_api_ids=("testapi",)) -> list[str]:
    """Recorded operations that the function's policy does not allow."""
    from tests.infra import iam
    out = []
    for fn, ops in sorted(recorded.items()):
        if fn.startswith("("):
            if fn == "(recorder-errors)":
                out += [f"recorder error: {o[0]}" for o in ops]
            continue
        policy = iam.stage_policy(stage, fn, ws_api_ids=ws_api_ids)
        if policy is None:
            out.append(f"{fn}: no policy file for stage {stage}")
            continue
        for action, resource in ops:
            if not iam.allowed(policy, action, resource):
                out.append(f"{fn}: {action} on {resource} is not allowed")
    return out


# ------------------------------------------------------------------------ pytest hooks
def pytest_configure(config):
    install()


def pytest_sessionfinish(session, exitstatus):
    path = Path(os.environ.get("PARLEY_AWS_RECORD", ROOT / "test-artifacts" / "aws-operations.json"))
    path.parent.mkdir(parents=True, exist_ok=True)
    rec = records()
    path.write_text(json.dumps({fn: [list(o) for o in ops] for fn, ops in rec.items()},
                               indent=2) + "\n")
    bad = violations(rec)
    session.config._parley_aws_violations = bad
    if bad and os.environ.get("PARLEY_AWS_RECORD_STRICT", "1") != "0":
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    bad = getattr(config, "_parley_aws_violations", None)
    if bad is None:
        return
    tr = terminalreporter
    counts = {fn: len(ops) for fn, ops in records().items()}
    tr.write_sep("-", "AWS operations recorded per function: " +
                 ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    for line in bad:
        tr.write_line(f"IAM: {line}", red=True)

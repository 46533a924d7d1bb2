"""Pytest plugin: record every AWS operation the Chalice functions perform during a test run.

Every botocore client (boto3's and PynamoDB's) gets a `before-parameter-build` hook; the hook
walks the Python stack to find which Lambda function was running - the REST app
(Chalice.__call__ -> api_handler), a WebSocket handler (websocket_connect / _message /
_disconnect) or any on_sqs_message / lambda_function handler (by its function name) - and
records the IAM action and resource it needs. Calls made by test set-up code outside a handler
are recorded under "(none)" and not checked.

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
_code_map: dict = {}
_code_map_app = None
_installed = False


# ---------------------------------------------------------------------- attribution
def _build_code_map(app_module) -> dict:
    from chalice.app import Chalice
    app = app_module.app
    codes = {Chalice.__call__.__code__: "api_handler"}
    ws_names = {"$connect": "websocket_connect", "$disconnect": "websocket_disconnect"}
    for route_key, cfg in app.websocket_handlers.items():
        handler = getattr(app_module, cfg.name, None) or getattr(cfg, "handler_function", None)
        func = getattr(handler, "func", handler)
        if hasattr(func, "__code__"):
            codes[func.__code__] = ws_names.get(route_key, "websocket_message")
    for src in list(app.event_sources) + list(app.pure_lambda_functions):
        handler = getattr(app_module, src.name, None) or getattr(src, "func", None)
        func = getattr(handler, "func", handler)
        if hasattr(func, "__code__"):
            codes[func.__code__] = src.name
    return codes


def current_function() -> str:
    global _code_map, _code_map_app
    app_module = sys.modules.get("app")
    if app_module is None or not hasattr(app_module, "app"):
        return NONE
    if _code_map_app is not app_module.app:
        _code_map, _code_map_app = _build_code_map(app_module), app_module.app
    frame = sys._getframe(1)
    while frame is not None:
        name = _code_map.get(frame.f_code)
        if name:
            return name
        frame = frame.f_back
    return NONE


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
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params.get("SecretId", "*"))]
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

"""Per-function IAM policies: least privilege, and every required operation allowed.

Evaluated with the small IAM evaluator in tests/infra/iam.py (action and resource wildcard
matching, Deny wins). Only `logs:*` statements may be broad, and even those are scoped to the
function's own log group (CreateLogGroup needs the group ARN, the stream actions the
`:log-stream:*` ARN beneath it).
"""
import json
import re

import pytest

from infra import deploy
from infra import iam as source
from tests.infra import iam

REQUIRED = source.FUNCTIONS
CONFIG = deploy.load_config()
STAGES = sorted(CONFIG["stages"])
PAIRS = [(s, f) for s in STAGES for f in sorted(CONFIG["stages"][s].get("lambda_functions", {}))]


def lambda_name(stage, function):
    return f"parley-{stage}" if function == "api_handler" else f"parley-{stage}-{function}"


def expand(stage, function, target=None):
    """(action, resource, why) the function needs, from the one IAM table (infra/iam.py)."""
    yield from source.required(stage, function, **(target or {}))


def policy(stage, function):
    return json.loads(iam.policy_path(stage, function).read_text())


def test_committed_policy_files_are_the_generated_ones():
    """`python -m infra.iam` writes them from the table; nobody edits them by hand."""
    assert source.write_all(check=True) == []
    assert set(source.STAGES) == set(STAGES)
    for stage, function in PAIRS:
        assert lambda_name(stage, function) == source.lambda_name(stage, function)


def test_every_function_has_a_policy_file_and_required_operations():
    assert set(REQUIRED) == {f for _, f in PAIRS if _ == STAGES[0]}
    for stage, function in PAIRS:
        path = iam.policy_path(stage, function)
        assert path.name == f"policy-{stage}-{function}.json"
        assert path.exists(), path
    assert CONFIG["autogen_policy"] is False


@pytest.mark.parametrize("stage,function", PAIRS)
def test_required_operations_are_allowed(stage, function):
    doc = policy(stage, function)
    missing = [(a, r, why) for a, r, why in expand(stage, function)
               if not iam.allowed(doc, a, r)]
    assert not missing, missing


@pytest.mark.parametrize("stage,function", PAIRS)
def test_no_wildcard_actions_or_resources(stage, function):
    doc = policy(stage, function)
    for st in iam.statements(doc):
        assert st["Effect"] == "Allow"
        for action in iam._list(st["Action"]):
            service, _, name = action.partition(":")
            assert "*" not in action and "?" not in action, (st["Sid"], action)
        for res in iam._list(st["Resource"]):
            assert res != "*", st["Sid"]
            parts = res.split(":", 5)
            assert parts[0] == "arn" and len(parts) == 6, res
            service, region, account = parts[2], parts[3], parts[4]
            assert "*" not in service + region + account, res
            if service == "logs":
                # the function's own log group only (':*' below it is how AWS scopes streams)
                group = f"log-group:/aws/lambda/{lambda_name(stage, function)}"
                assert parts[5] in (group, f"{group}:log-stream:*"), res
            elif service == "dynamodb":
                assert parts[5].startswith(f"table/parley-{stage}-"), res
                assert "*" not in parts[5] or parts[5].endswith(("/index/*", "/stream/*")), res
                if "/stream/" in parts[5]:
                    assert function.startswith("relay_"), res
            elif service == "s3":
                assert (parts[5].startswith(f"parley-{stage}-attachments-") and
                        parts[5].endswith(("/attachments/*", "/exports/*"))) or (
                    function == "receive_mail" and parts[5].startswith(f"parley-{stage}-mail-")
                    and parts[5].endswith("/inbound/*")) or \
                    re.fullmatch(rf"parley-{stage}-archive-\d{{12}}(/site=\*)?", parts[5]), res
            elif service == "execute-api":
                assert parts[5].endswith(f"/{CONFIG['websocket_api_stage']}/*/@connections/*"), res
            elif service == "secretsmanager":
                if "-channel-" in res:
                    # one secret per connected channel, made at run time: the stage's channel
                    # prefix only, for the functions that store or read them
                    assert parts[5] == f"secret:parley-{stage}-channel-*", res
                    assert function in ("api_handler", "handle_events"), res
                else:
                    assert "*" not in res and f"parley-{stage}-token-secret" in res
            elif service == "sqs":
                assert parts[5] in (f"parley-{stage}-assignments", f"parley-{stage}-events",
                                    f"parley-{stage}-consumer-reports",
                                    f"parley-{stage}-consumer-qa",
                                    f"parley-{stage}-consumer-webhooks",
                                    f"parley-{stage}-webhook-deliveries",
                                    f"parley-{stage}-mail",
                                    f"parley-{stage}-consumer-records",
                                    f"parley-{stage}-consumer-contacts"), res
            elif service == "sns":
                # only the relays publish, and only to the conversation event topic
                assert function.startswith("relay_"), res
                assert parts[5] == f"parley-{stage}-conversation-events", res
            elif service == "ses":
                # one verified identity (PARLEY_SES_SENDER's domain), never identity/*
                assert function in ("handle_events", "deliver_webhooks"), res
                assert re.fullmatch(r"identity/[A-Za-z0-9.-]+\.[A-Za-z]+", parts[5]), res
            else:
                pytest.fail(f"unexpected service in {res}")


@pytest.mark.parametrize("stage,function", PAIRS)
def test_policies_do_not_reach_other_stages_or_functions(stage, function):
    doc = policy(stage, function)
    other = "prod" if stage == "dev" else "dev"
    for action, res, _ in expand(other, function):
        if action.startswith(("dynamodb:", "s3:", "logs:", "secretsmanager:")):
            assert not iam.allowed(doc, action, res), (action, res)
    assert not iam.allowed(doc, "dynamodb:Scan", f"arn:aws:dynamodb:us-east-1:123456789012:"
                                                 f"table/parley-{stage}-messages")
    assert not iam.allowed(doc, "dynamodb:DeleteTable", f"arn:aws:dynamodb:us-east-1:"
                                                        f"123456789012:table/parley-{stage}-keys")


def _actions(doc):
    return {a for st in doc["Statement"] for a in iam._list(st["Action"])}


LOGS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
CONSUME = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
           "sqs:ChangeMessageVisibility"}


def test_narrow_functions_stay_narrow():
    arn = "arn:aws:{}:us-east-1:123456789012:{}"
    for stage in STAGES:
        disc = policy(stage, "websocket_disconnect")
        # delete the connection (and a visitor's note of it on the conversation); the
        # presence hook reads it, looks for the agent's other connections and schedules a
        # presence_check
        assert _actions(disc) == {"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:Query",
                                  "dynamodb:UpdateItem", "sqs:SendMessage"} | LOGS
        assert not iam.allowed(disc, "sqs:SendMessage",
                               arn.format("sqs", f"parley-{stage}-assignments"))
        assert not iam.allowed(disc, "dynamodb:GetItem",
                               arn.format("dynamodb", f"table/parley-{stage}-agents"))
        conn = policy(stage, "websocket_connect")
        assert not iam.allowed(conn, "execute-api:ManageConnections",
                               "arn:aws:execute-api:us-east-1:123456789012:placeholdr/ws/POST/"
                               "@connections/x")
        # the assignment handler reads no secret, sends no email, and publishes only its
        # own follow-ups (a pass that goes on, the positions task: docs/routing.md)
        assign = policy(stage, "handle_assignments")
        assert not {a for a in _actions(assign) if a.startswith(("ses:", "secretsmanager:"))}
        assert not iam.allowed(assign, "sqs:SendMessage",
                               arn.format("sqs", f"parley-{stage}-consumer-reports"))
        assert CONSUME <= _actions(assign)
        assert not iam.allowed(assign, "sqs:ReceiveMessage",
                               arn.format("sqs", f"parley-{stage}-events"))
        # the sweep closes conversations: no queue consumption, no secret, no email, no KB
        sweep = policy(stage, "sweep_idle")
        assert not CONSUME & _actions(sweep)
        assert not {a for a in _actions(sweep) if a.startswith(("ses:", "secretsmanager:"))}
        for fn in ("handle_assignments", "sweep_idle", "websocket_message"):
            assert not iam.allowed(policy(stage, fn), "dynamodb:GetItem",
                                   arn.format("dynamodb", f"table/parley-{stage}-kb")), fn
        # only handle_events (offline replies) and deliver_webhooks (an endpoint disabled
        # after sustained failure) send email
        for fn in {f for s, f in PAIRS if s == stage} - {"handle_events", "deliver_webhooks"}:
            assert not any(a.startswith("ses:") for a in _actions(policy(stage, fn))), fn


def test_event_stream_functions_stay_narrow():
    arn = "arn:aws:{}:us-east-1:123456789012:{}"
    for stage in STAGES:
        topic = arn.format("sns", f"parley-{stage}-conversation-events")
        for table in ("messages", "conversations", "contacts"):
            relay = policy(stage, f"relay_{table}")
            # reads its own table's stream and publishes; touches no item, no queue
            assert _actions(relay) == set(source.STREAM_READ) | {"sns:Publish"} | LOGS
            assert iam.allowed(relay, "sns:Publish", topic)
            other = "conversations" if table == "messages" else "messages"
            assert not iam.allowed(relay, "dynamodb:GetRecords", arn.format(
                "dynamodb", f"table/parley-{stage}-{other}/stream/2026-01-01T00:00:00.000"))
        for name in ("reports", "qa", "webhooks", "records"):
            consumer = policy(stage, f"consume_{name}")
            assert not iam.allowed(consumer, "sns:Publish", topic)
            other = "qa" if name != "qa" else "reports"
            assert not iam.allowed(consumer, "sqs:ReceiveMessage",
                                   arn.format("sqs", f"parley-{stage}-consumer-{other}"))
            # each writes its own table only (all are idempotent without claims); chat
            # records are item types of the reports table
            own = {"reports": ("dynamodb:UpdateItem", "reports"),
                   "qa": ("dynamodb:PutItem", "qa"),
                   "webhooks": ("dynamodb:PutItem", "integrations"),
                   "records": ("dynamodb:PutItem", "reports")}[name]
            assert iam.allowed(consumer, own[0],
                               arn.format("dynamodb", f"table/parley-{stage}-{own[1]}"))
            assert iam.allowed(consumer, "dynamodb:PutItem",       # the runner's claims
                               arn.format("dynamodb", f"table/parley-{stage}-keys"))
            for table in ("conversations", "messages", "qa" if own[1] != "qa" else "reports"):
                assert not iam.allowed(consumer, own[0], arn.format(
                    "dynamodb", f"table/parley-{stage}-{table}"))


def test_evaluator_semantics():
    doc = {"Statement": [
        {"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": "arn:aws:dynamodb:*:1:table/t"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/a/*"]},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a/secret"}]}
    assert iam.allowed(doc, "DynamoDB:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/t")
    assert not iam.allowed(doc, "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/t2")
    assert not iam.allowed(doc, "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:1:table/t")
    assert iam.allowed(doc, "s3:GetObject", "arn:aws:s3:::b/a/x/y.png")
    assert not iam.allowed(doc, "s3:GetObject", "arn:aws:s3:::b/a/secret")
    assert not iam.allowed(doc, "s3:GetObject", "arn:aws:s3:::B/a/x")
    with pytest.raises(ValueError):
        iam.allowed({"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]},
                    "s3:GetObject", "arn:aws:s3:::b")


def test_retargeted_policies_allow_the_real_deployment(tmp_path):
    """After write-stage, the required operations hold for the real account/secret/API."""
    import shutil
    chalice = tmp_path / ".chalice"
    shutil.copytree(deploy.CHALICE_DIR, chalice, ignore=shutil.ignore_patterns("deployed"))
    real = deploy.placeholder_outputs("dev", region="eu-west-1", account="210987654321")
    real["TokenSecretArn"] = real["TokenSecretArn"].replace("PHOLDR", "a1B2c3")
    deploy.write_stage("dev", real, ws_api_id="ab12cd34ef", chalice_dir=chalice,
                       log=lambda *a: None)
    target = {"region": "eu-west-1", "account": "210987654321", "ws_api": "ab12cd34ef",
              "secret_arn": real["TokenSecretArn"], "bucket": real["AttachmentsBucketName"]}
    for function in REQUIRED:
        doc = json.loads((chalice / f"policy-dev-{function}.json").read_text())
        text = json.dumps(doc)
        assert "123456789012" not in text and "us-east-1" not in text
        assert deploy.PLACEHOLDER_WS_API not in text
        for action, res, why in expand("dev", function, target):
            assert iam.allowed(doc, action, res), (function, action, res, why)

"""`chalice package` for every stage (no AWS access needed) produces a template that passes
cfn-lint and carries the stage's memory, timeouts, per-function roles and environment."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra import deploy
from tests.infra.test_templates import cfn_lint

ROOT = Path(__file__).resolve().parents[2]
CHALICE = Path(sys.executable).with_name("chalice")
CONFIG = deploy.load_config()
RESOURCE_IDS = {"api_handler": "APIHandler", "websocket_connect": "WebsocketConnect",
                "websocket_message": "WebsocketMessage",
                "websocket_disconnect": "WebsocketDisconnect", "handle_events": "HandleEvents",
                "handle_assignments": "HandleAssignments", "sweep_idle": "SweepIdle",
                "sweep_leads": "SweepLeads",
                "rotate_token_secret": "RotateTokenSecret",
                "relay_messages": "RelayMessages", "relay_conversations": "RelayConversations",
                "consume_reports": "ConsumeReports", "consume_qa": "ConsumeQa",
                "consume_webhooks": "ConsumeWebhooks", "deliver_webhooks": "DeliverWebhooks",
                "receive_mail": "ReceiveMail",
                "consume_records": "ConsumeRecords", "reports_daily": "ReportsDaily",
                "sweep_ticket_sla": "SweepTicketSla", "relay_tickets": "RelayTickets",
                "relay_contacts": "RelayContacts",
                "consume_contacts": "ConsumeContacts"}

# cfn-lint rules ignored on Chalice's output: none so far. Add a rule id here only with the
# reason, e.g. {"W3005": "Chalice emits a redundant DependsOn"}.
IGNORED_RULES: dict = {}


@pytest.fixture(scope="module", params=sorted(CONFIG["stages"]))
def package(request, tmp_path_factory):
    stage = request.param
    out = tmp_path_factory.mktemp(f"package-{stage}")
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run([str(CHALICE), "package", "--stage", stage, str(out)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return stage, out / "sam.json"


def test_package_passes_cfn_lint(package):
    _, sam = package
    result = cfn_lint(sam, ignore=tuple(IGNORED_RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_matches_the_stage_configuration(package):
    stage, sam = package
    resources = json.loads(sam.read_text())["Resources"]
    stage_cfg = CONFIG["stages"][stage]
    functions = stage_cfg["lambda_functions"]
    assert set(RESOURCE_IDS) <= set(functions)
    for function, spec in functions.items():
        res = resources[RESOURCE_IDS.get(function) or function]
        props = res["Properties"]
        assert props["MemorySize"] == spec["lambda_memory_size"]
        assert props["Timeout"] == spec["lambda_timeout"]
        env = props["Environment"]["Variables"]
        for var in deploy.FORBIDDEN_STAGE_ENV:
            assert var not in env
        assert env["PARLEY_STAGE"] == stage
        assert env["PARLEY_TOKEN_SECRET_ARN"].startswith("arn:aws:secretsmanager:")
        # each function has its own role whose only policy is its policy file
        role = resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]
        policy_file = ROOT / ".chalice" / spec["iam_policy_file"]
        assert [p["PolicyDocument"] for p in role["Policies"]] == [
            json.loads(policy_file.read_text())]
    # REST long-poll waits ~20 s inside API Gateway's 29 s integration timeout
    assert 20 < functions["api_handler"]["lambda_timeout"] < 29
    # SQS consumers finish within their queue's visibility timeout (Lambda refuses the
    # mapping otherwise); the 1-minute sweep finishes before the next run starts
    visibility = _queue_visibility_timeouts()
    consumers = (("handle_events", "events"), ("handle_assignments", "assignments"),
                 ("consume_reports", "consumer-reports"),
                 ("consume_qa", "consumer-qa"),
                 ("consume_webhooks", "consumer-webhooks"),
                 ("deliver_webhooks", "webhook-deliveries"), ("receive_mail", "mail"),
                 ("consume_records", "consumer-records"),
                 ("consume_contacts", "consumer-contacts"))
    for function, queue in consumers:
        assert functions[function]["lambda_timeout"] < visibility[queue], function
    assert functions["sweep_idle"]["lambda_timeout"] < 60
    # each SQS handler is subscribed to its own stage's queue, the sweep runs every minute
    for function, queue in consumers:
        events = resources[RESOURCE_IDS[function]]["Properties"]["Events"].values()
        assert [e["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[-1] for e in events
                if e["Type"] == "SQS"] == [f"parley-{stage}-{queue}"], function
    # each relay reads its own stage's table stream from the oldest record (nothing written
    # before the mapping existed is skipped); the stage's ARN comes from its environment
    for function, table in (("relay_messages", "MESSAGES"),
                            ("relay_conversations", "CONVERSATIONS"),
                            ("relay_tickets", "TICKETS"),
                            ("relay_contacts", "CONTACTS")):
        events = list(resources[RESOURCE_IDS[function]]["Properties"]["Events"].values())
        assert [(e["Type"], e["Properties"]["Stream"], e["Properties"]["StartingPosition"])
                for e in events] == [
            ("DynamoDB", stage_cfg["environment_variables"][f"PARLEY_{table}_STREAM_ARN"],
             "TRIM_HORIZON")], function
        assert f":table/parley-{stage}-{table.lower()}/stream/" in events[0]["Properties"][
            "Stream"]
    for function in ("sweep_idle", "sweep_ticket_sla"):
        sweep = resources[RESOURCE_IDS[function]]["Properties"]["Events"].values()
        assert [e["Properties"]["Schedule"] for e in sweep] == ["rate(1 minute)"], function
        assert functions[function]["lambda_timeout"] < 60, function

def _queue_visibility_timeouts() -> dict:
    from infra.resources import load_template
    out = {}
    for res in load_template()["Resources"].values():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in props:
            name = props["QueueName"]["Sub"].replace("parley-${Stage}-", "")
            out[name] = int(props["VisibilityTimeout"])
    return out

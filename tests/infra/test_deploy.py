"""infra/deploy.py on moto: stacks, write-stage, deploy-app's follow-ups, publish-web,
bootstrap-admin, destroy. Subprocesses (chalice, the CLI) are replaced by fake runners."""
import io
import json
import shutil
import zipfile
from pathlib import Path

import boto3
import pytest

from infra import deploy

QUIET = dict(log=lambda *a: None)


@pytest.fixture
def chalice_dir(tmp_path):
    d = tmp_path / ".chalice"
    shutil.copytree(deploy.CHALICE_DIR, d, ignore=shutil.ignore_patterns("deployed"))
    return d


@pytest.fixture
def outputs(aws):
    """The data stack outputs (moto's CloudFormation cannot create the secret: add it)."""
    sm = boto3.client("secretsmanager")
    arn = sm.create_secret(Name="parley-dev-token-secret",
                           SecretString=json.dumps({"current": "k1", "previous": []}))["ARN"]
    return dict(aws, TokenSecretArn=arn)


def test_deploy_stack_creates_then_no_op_updates(aws):
    session = boto3.session.Session()
    logs = []
    out = deploy.deploy_stack(session, "parley-dev-data", deploy.DATA_TEMPLATE,
                              {"Stage": "dev", "AllowedOrigins": "*"}, log=logs.append)
    assert out["VisitorsTableName"] == "parley-dev-visitors"
    assert logs and "creating" not in logs[0]   # the fixture created it: this is an update
    stack = boto3.client("cloudformation").describe_stacks(StackName="parley-dev-data")
    assert stack["Stacks"][0]["StackStatus"].endswith("COMPLETE")


def test_write_stage_fills_env_and_policies_from_outputs(outputs, chalice_dir):
    changed = deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, **QUIET)
    assert "config.json" in changed
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_TABLE_MESSAGES"] == outputs["MessagesTableName"]
    assert env["PARLEY_ASSIGNMENT_QUEUE_URL"] == outputs["AssignmentQueueUrl"]
    assert env["PARLEY_EVENTS_QUEUE_URL"] == outputs["EventsQueueUrl"]
    assert env["PARLEY_ATTACHMENTS_BUCKET"] == outputs["AttachmentsBucketName"]
    assert env["PARLEY_TOKEN_SECRET_ARN"] == outputs["TokenSecretArn"]
    assert "PARLEY_TOKEN_SECRET" not in env
    api = json.loads((chalice_dir / "policy-dev-api_handler.json").read_text())
    resources = json.dumps(api)
    assert outputs["TokenSecretArn"] in resources
    assert outputs["MessagesTableArn"] in resources
    # idempotent: a second run changes nothing
    assert deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, **QUIET) == []
    # prod untouched
    assert deploy.load_config(chalice_dir)["stages"]["prod"] == \
        deploy.load_config()["stages"]["prod"]


def test_committed_config_is_the_placeholder_rendering(chalice_dir):
    """The committed dev/prod files are exactly what write-stage makes of the placeholder
    account: valid ARNs, obviously fake (123456789012)."""
    for stage in ("dev", "prod"):
        assert deploy.write_stage(stage, deploy.placeholder_outputs(stage),
                                  chalice_dir=chalice_dir, **QUIET) == []
    env = deploy.load_config()["stages"]["dev"]["environment_variables"]
    from chalicelib import config
    import re
    src = Path(config.__file__).read_text()
    read = set(re.findall(r'"(PARLEY_[A-Z_]+)"', src)) | {
        f"PARLEY_TABLE_{t.upper()}" for t in config.TABLES}
    deployed_vars = {"PARLEY_STAGE", "PARLEY_TABLE_PREFIX", "PARLEY_ATTACHMENTS_BUCKET",
                     "PARLEY_TOKEN_SECRET_ARN", "PARLEY_WS_ENDPOINT"} | {
        f"PARLEY_TABLE_{t.upper()}" for t in config.TABLES}
    assert deployed_vars <= set(env)
    assert deployed_vars <= read | {"PARLEY_TABLE_PREFIX"}


def _fake_lambda_with_sqs_mapping(outputs):
    """handle_assignments and handle_events as Chalice deploys them: one function and one
    SQS event source mapping per queue. Returns {name: (function ARN, mapping UUID)}."""
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="parley-dev-sqs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]
    }))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return {}\n")
    lam = boto3.client("lambda")
    out = {}
    for name, queue_arn in (("handle_assignments", outputs["AssignmentQueueArn"]),
                            ("handle_events", outputs["EventsQueueArn"])):
        fn = lam.create_function(FunctionName=f"parley-dev-{name}", Runtime="python3.11",
                                 Role=role, Handler="app.handler",
                                 Code={"ZipFile": buf.getvalue()})
        mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn,
                                                  FunctionName=fn["FunctionArn"], BatchSize=10)
        out[name] = (fn["FunctionArn"], mapping["UUID"])
    return out


def _write_deployed(chalice_dir, api_id, functions):
    resources = [{"name": "api_handler", "resource_type": "lambda_function",
                  "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:parley-dev"}]
    for name, queue in (("handle_assignments", "assignments"), ("handle_events", "events")):
        fn_arn, uuid = functions[name]
        resources += [
            {"name": name, "resource_type": "lambda_function", "lambda_arn": fn_arn},
            {"name": f"{name}-sqs-event-source", "resource_type": "sqs_event",
             "event_uuid": uuid, "queue": f"parley-dev-{queue}", "lambda_arn": fn_arn,
             "queue_arn": f"arn:aws:sqs:us-east-1:123456789012:parley-dev-{queue}"}]
    resources += [
        {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "rest123456",
         "rest_api_url": "https://rest123456.execute-api.us-east-1.amazonaws.com/v1api/"},
        {"name": "websocket_api", "resource_type": "websocket_api", "websocket_api_id": api_id,
         "websocket_api_url": f"wss://{api_id}.execute-api.us-east-1.amazonaws.com/ws/"}]
    (chalice_dir / "deployed").mkdir(exist_ok=True)
    (chalice_dir / "deployed" / "dev.json").write_text(json.dumps(
        {"resources": resources, "schema_version": "2.0", "backend": "api"}))


def test_deploy_app_writes_ws_endpoint_redeploys_once_and_enables_batch_failures(
        outputs, chalice_dir):
    functions = _fake_lambda_with_sqs_mapping(outputs)
    calls = []

    def runner(cmd, check, cwd):
        calls.append(cmd[1:])
        _write_deployed(chalice_dir, "ws12345678", functions)

    deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, **QUIET)
    state = deploy.deploy_app(boto3.session.Session(), "dev", runner=runner,
                              chalice_dir=chalice_dir, outputs=outputs, **QUIET)
    assert calls == [["deploy", "--stage", "dev"]] * 2      # first deploy learns the API id
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_WS_ENDPOINT"] == \
        "https://ws12345678.execute-api.us-east-1.amazonaws.com/ws"
    for fn in ("api_handler", "websocket_message", "handle_events", "handle_assignments",
               "sweep_idle"):
        doc = json.loads((chalice_dir / f"policy-dev-{fn}.json").read_text())
        res = [r for s in doc["Statement"] if s["Sid"] == "WebSocketConnections"
               for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
        assert res == ["arn:aws:execute-api:us-east-1:123456789012:ws12345678/ws/*/@connections/*"]
    for name, (_, uuid) in functions.items():        # BOTH queues' mappings
        mapping = boto3.client("lambda").get_event_source_mapping(UUID=uuid)
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
    assert state["websocket_api_id"] == "ws12345678"

    calls.clear()                                            # a later deploy: no second pass
    deploy.deploy_app(boto3.session.Session(), "dev", runner=runner, chalice_dir=chalice_dir,
                      outputs=outputs, **QUIET)
    assert calls == [["deploy", "--stage", "dev"]]


def test_write_stage_scopes_email_to_the_sender_domain(outputs, chalice_dir):
    """ses:SendEmail is granted on the sender's domain identity only; the sender is kept
    across runs and replaced when given."""
    deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, **QUIET)
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_SES_SENDER"] == deploy.DEFAULT_SES_SENDER

    def ses_resources():
        doc = json.loads((chalice_dir / "policy-dev-handle_events.json").read_text())
        return [r for st in doc["Statement"] if any(a.startswith("ses:") for a in
                                                     ([st["Action"]] if isinstance(st["Action"], str)
                                                      else st["Action"]))
                for r in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])]

    assert ses_resources() == ["arn:aws:ses:us-east-1:123456789012:identity/parley.invalid"]
    deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, ses_sender="Help <help@Shop.example>",
                       **QUIET)
    assert ses_resources() == ["arn:aws:ses:us-east-1:123456789012:identity/shop.example"]
    assert deploy.write_stage("dev", outputs, chalice_dir=chalice_dir, **QUIET) == []
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_SES_SENDER"] == "Help <help@Shop.example>"
    with pytest.raises(ValueError):
        deploy.ses_identity("nobody")


def test_publish_web_renders_the_stage_endpoints_and_invalidates(aws, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="parley-dev-web-123456789012")
    dist = boto3.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "t", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName":
                    "parley-dev-web-123456789012.s3.us-east-1.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})[
        "Distribution"]
    hosting = {"WebBucketName": "parley-dev-web-123456789012", "DistributionId": dist["Id"],
               "DistributionDomainName": dist["DomainName"]}
    web = tmp_path / "web"
    (web / "widget").mkdir(parents=True)
    (web / "console").mkdir()
    (web / "widget" / "parley.js").write_text("console.log('widget')")
    (web / "console" / "index.html").write_text("<!doctype html><title>console</title>")
    state = {"rest_api_url": "https://rest123456.execute-api.us-east-1.amazonaws.com/v1api/",
             "websocket_api_url": "wss://ws12345678.execute-api.us-east-1.amazonaws.com/ws/"}
    result = deploy.publish_web(boto3.session.Session(), "dev", "demo", src=web,
                                build_root=tmp_path / "build", state=state, hosting=hosting,
                                **QUIET)
    expected = {"api": "https://rest123456.execute-api.us-east-1.amazonaws.com/v1api",
                "ws": "wss://ws12345678.execute-api.us-east-1.amazonaws.com/ws",
                "site_key": "demo"}
    for key in ("config.json", "widget/config.json", "console/config.json"):
        obj = s3.get_object(Bucket=hosting["WebBucketName"], Key=key)
        assert json.loads(obj["Body"].read()) == expected
        assert obj["CacheControl"] == "no-cache"
    js = s3.get_object(Bucket=hosting["WebBucketName"], Key="widget/parley.js")
    assert js["ContentType"] == "text/javascript"
    invs = boto3.client("cloudfront").list_invalidations(DistributionId=dist["Id"])
    assert invs["InvalidationList"]["Quantity"] == 1
    assert result["snippet"] == (f'<script async src="https://{dist["DomainName"]}/widget/'
                                 f'parley.js" data-site-key="demo"></script>')
    assert result["console_url"] == f"https://{dist['DomainName']}/console/"
    assert not (web / "config.json").exists()          # the source tree is left alone


def test_bootstrap_admin_runs_the_cli_against_the_stage(chalice_dir, monkeypatch):
    monkeypatch.setenv("PARLEY_TOKEN_SECRET", "local-only")
    seen = {}

    def runner(cmd, **kwargs):
        seen.update(cmd=cmd, **kwargs)

    deploy.bootstrap_admin("prod", "ada@example.com", "Ada", runner=runner, password="pw",
                           chalice_dir=chalice_dir)
    assert seen["cmd"][1:] == ["-m", "chalicelib.cli", "create-agent", "--role", "admin",
                               "--email", "ada@example.com", "--name", "Ada",
                               "--password-stdin"]
    assert seen["input"] == "pw\n"
    env = seen["env"]
    assert env["PARLEY_TABLE_AGENTS"] == "parley-prod-agents"
    assert env["PARLEY_TOKEN_SECRET_ARN"].endswith("parley-prod-token-secret-PHOLDR")
    assert "PARLEY_TOKEN_SECRET" not in env


def test_destroy_keeps_data_unless_asked(aws, chalice_dir):
    session = boto3.session.Session()
    calls = []
    (chalice_dir / "deployed").mkdir()
    (chalice_dir / "deployed" / "dev.json").write_text('{"resources": []}')
    removed = deploy.destroy(session, "dev", runner=lambda cmd, **kw: calls.append(cmd[1:]),
                             chalice_dir=chalice_dir, **QUIET)
    assert calls == [["delete", "--stage", "dev"]] and removed == ["app"]
    assert boto3.client("dynamodb").describe_table(TableName="parley-dev-messages")
    s3 = boto3.client("s3")
    s3.put_object(Bucket=aws["AttachmentsBucketName"], Key="attachments/x/y/z.txt", Body=b"x")
    removed = deploy.destroy(session, "dev", data=True, runner=lambda cmd, **kw: None,
                             chalice_dir=chalice_dir, **QUIET)
    assert "parley-dev-data" in removed


def test_cli_refuses_destroy_without_confirmation():
    with pytest.raises(SystemExit):
        deploy.main(["destroy", "--stage", "prod"])

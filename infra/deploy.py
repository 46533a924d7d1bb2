"""Deploy Parley to AWS: the stacks, the Chalice stage configuration, the app, the web clients.

    python -m infra.deploy deploy-infra --stage dev [--alarm-email ops@example.com]
    python -m infra.deploy write-stage --stage dev [--ses-sender support@example.com]  # -> .chalice/config.json + policies
    python -m infra.deploy deploy-app --stage dev       # chalice deploy, WebSocket endpoint, SQS batch failures
    python -m infra.deploy apply-throttling --stage dev # API Gateway throttling (infra/throttling.json)
    python -m infra.deploy rotate-token-secret --stage dev  # every 30 days (docs/deployment.md)
    python -m infra.deploy publish-web --stage dev --site-key demo
    python -m infra.deploy bootstrap-admin --stage dev --email a@example.com --name Admin
    python -m infra.deploy destroy --stage dev --yes dev [--data]

Every step is a function taking a boto3 session (and, for subprocesses, a runner) so the tests
in tests/infra run it on moto. See docs/deployment.md for the order and the reasons.

Policy files (.chalice/policy-<stage>-<function>.json) are generated from one table per
function by `python -m infra.iam`; this script only *re-targets* their resource ARNs (account, region, token secret ARN, attachments
bucket, WebSocket API id, the SES sender's domain identity) to the values of a real deployment. Adding a Lambda function (e.g. an
SQS handler) is therefore: one `lambda_functions` entry per stage in .chalice/config.json plus
its statements in infra/iam.py (then `python -m infra.iam`).
"""
from __future__ import annotations

import argparse
import copy
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
CHALICE_DIR = ROOT / ".chalice"
WEB_DIR = ROOT / "web"
BUILD_DIR = ROOT / "build" / "web"
DATA_TEMPLATE = INFRA / "template.yaml"
HOSTING_TEMPLATE = INFRA / "hosting.yaml"

PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_REGION = "us-east-1"
PLACEHOLDER_WS_API = "placeholdr"          # 10 characters, like a real API id
PLACEHOLDER_SECRET_SUFFIX = "PHOLDR"       # Secrets Manager appends 6 random characters
PLACEHOLDER_STREAM_LABEL = "1970-01-01T00:00:00.000"  # a table stream's label (its creation)
#: SES sender of email replies (chalicelib/config.py's default); its domain is the verified SES
#: identity the handle_events policy may send from (identity/<domain>, never identity/*).
DEFAULT_SES_SENDER = "support@parley.invalid"
WS_STAGE_DEFAULT = "ws"

# Stack output -> environment variable (the same mapping the local runtime uses).
from infra.resources import OUTPUT_ENV  # noqa: E402

#: PARLEY_* variables a deployed stage sets. Everything else in chalicelib/config.py has a
#: default suited to AWS (see docs/deployment.md); PARLEY_TOKEN_SECRET (a key *value*) and the
#: endpoint overrides (PARLEY_DYNAMODB_ENDPOINT, PARLEY_S3_ENDPOINT) must never be set here.
FORBIDDEN_STAGE_ENV = ("PARLEY_TOKEN_SECRET", "PARLEY_DYNAMODB_ENDPOINT", "PARLEY_S3_ENDPOINT",
                       "AWS_ENDPOINT_URL")


def stack_names(stage: str) -> dict:
    return {"data": f"parley-{stage}-data", "hosting": f"parley-{stage}-hosting"}


# ------------------------------------------------------------------------------------ stacks
def _session(session=None, region: str | None = None):
    if session is not None:
        return session
    import boto3
    return boto3.session.Session(region_name=region) if region else boto3.session.Session()


def stack_outputs(session, stack_name: str) -> dict:
    cfn = session.client("cloudformation")
    desc = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}


def deploy_stack(session, stack_name: str, template: Path, parameters: dict,
                 log=print) -> dict:
    """Create the stack, or update it; a no-op update is fine. Returns the outputs."""
    cfn = session.client("cloudformation")
    params = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()]
    kwargs = dict(StackName=stack_name, TemplateBody=template.read_text(), Parameters=params,
                  Capabilities=["CAPABILITY_IAM"],
                  Tags=[{"Key": "app", "Value": "parley"}])
    waiter_config = {"Delay": 5, "MaxAttempts": 360}
    try:
        status = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    except cfn.exceptions.ClientError:
        status = None
    if status == "ROLLBACK_COMPLETE":       # a failed first create cannot be updated
        log(f"{stack_name}: deleting the failed first attempt")
        cfn.delete_stack(StackName=stack_name)
        cfn.get_waiter("stack_delete_complete").wait(StackName=stack_name,
                                                     WaiterConfig=waiter_config)
        status = None
    if status is None:
        log(f"{stack_name}: creating")
        cfn.create_stack(**kwargs)
        cfn.get_waiter("stack_create_complete").wait(StackName=stack_name,
                                                     WaiterConfig=waiter_config)
    else:
        try:
            cfn.update_stack(**kwargs)
        except cfn.exceptions.ClientError as exc:
            if "No updates are to be performed" not in str(exc):
                raise
            log(f"{stack_name}: up to date")
        else:
            log(f"{stack_name}: updating")
            cfn.get_waiter("stack_update_complete").wait(StackName=stack_name,
                                                         WaiterConfig=waiter_config)
    return stack_outputs(session, stack_name)


def deploy_infra(session, stage: str, alarm_email: str = "", allowed_origins: str = "*",
                 log=print) -> dict:
    """The data stack (tables, queues, attachments bucket, token secret), then hosting +
    alarms. Returns {"data": outputs, "hosting": outputs}."""
    names = stack_names(stage)
    data = deploy_stack(session, names["data"], DATA_TEMPLATE,
                        {"Stage": stage, "AllowedOrigins": allowed_origins}, log=log)
    hosting = deploy_stack(session, names["hosting"], HOSTING_TEMPLATE,
                           {"Stage": stage, "AlarmEmail": alarm_email}, log=log)
    return {"data": data, "hosting": hosting}


# ----------------------------------------------------------------------- stage configuration
def load_config(chalice_dir: Path = CHALICE_DIR) -> dict:
    return json.loads((chalice_dir / "config.json").read_text())


def save_json(path: Path, doc: dict) -> bool:
    """Write only when the content changes; True if it did."""
    text = json.dumps(doc, indent=2) + "\n"
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def arn_parts(arn: str) -> dict:
    _, partition, service, region, account, rest = arn.split(":", 5)
    return {"partition": partition, "service": service, "region": region, "account": account,
            "rest": rest}


def target_from_outputs(stage: str, outputs: dict, ws_api_id: str | None = None,
                        ws_stage: str = WS_STAGE_DEFAULT) -> dict:
    """Where a stage lives, from the data stack's outputs (account and region from an ARN)."""
    p = arn_parts(outputs["VisitorsTableArn"])
    return {"stage": stage, "region": p["region"], "account": p["account"],
            "partition": p["partition"], "secret_arn": outputs["TokenSecretArn"],
            "bucket": outputs["AttachmentsBucketName"], "ws_api_id": ws_api_id,
            "mail_bucket": outputs.get("MailBucketName"),
            "archive_bucket": outputs.get("ArchiveBucketName"),
            "ws_stage": ws_stage}


def placeholder_outputs(stage: str, region: str = PLACEHOLDER_REGION,
                        account: str = PLACEHOLDER_ACCOUNT) -> dict:
    """The outputs the data stack would have in the placeholder account: what the committed
    .chalice files are written against."""
    from infra.resources import load_template
    out = {}
    for logical, res in load_template()["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::DynamoDB::Table":
            name = props["TableName"]["Sub"].replace("${Stage}", stage)
            out[f"{logical}Name"] = name
            out[f"{logical}Arn"] = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            if "StreamSpecification" in props:
                out[f"{logical}StreamArn"] = (f"arn:aws:dynamodb:{region}:{account}:table/"
                                              f"{name}/stream/{PLACEHOLDER_STREAM_LABEL}")
        elif res["Type"] == "AWS::SNS::Topic":
            name = props["TopicName"]["Sub"].replace("${Stage}", stage)
            out[f"{logical}Arn"] = f"arn:aws:sns:{region}:{account}:{name}"
        elif res["Type"] == "AWS::SQS::Queue":
            name = props["QueueName"]["Sub"].replace("${Stage}", stage)
            out[f"{logical}Url"] = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            if "RedrivePolicy" in props:
                out[f"{logical}Name"] = name
                out[f"{logical}Arn"] = f"arn:aws:sqs:{region}:{account}:{name}"
    out["AttachmentsBucketName"] = f"parley-{stage}-attachments-{account}"
    out["MailBucketName"] = f"parley-{stage}-mail-{account}"
    out["ArchiveBucketName"] = f"parley-{stage}-archive-{account}"
    out["ArchiveDatabaseName"] = f"parley_{stage}_archive"
    out["TokenSecretArn"] = (f"arn:aws:secretsmanager:{region}:{account}:secret:"
                             f"parley-{stage}-token-secret-{PLACEHOLDER_SECRET_SUFFIX}")
    return out


def ws_management_endpoint(api_id: str, region: str, ws_stage: str = WS_STAGE_DEFAULT) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{ws_stage}"


def retarget_arn(arn: str, target: dict) -> str:
    """Point one policy resource ARN at the target deployment (idempotent)."""
    if arn == "*" or not arn.startswith("arn:"):
        return arn
    p = arn_parts(arn)
    stage = target["stage"]
    if p["service"] == "s3":
        # arn:aws:s3:::parley-<stage>-attachments-<account>/attachments/*
        bucket, _, key = p["rest"].partition("/")
        if re.fullmatch(rf"parley-{re.escape(stage)}-attachments-\d{{12}}", bucket):
            bucket = target["bucket"]
        elif re.fullmatch(rf"parley-{re.escape(stage)}-mail-\d{{12}}", bucket) and \
                target.get("mail_bucket"):
            bucket = target["mail_bucket"]
        elif re.fullmatch(rf"parley-{re.escape(stage)}-archive-\d{{12}}", bucket) and \
                target.get("archive_bucket"):
            bucket = target["archive_bucket"]
        return f"arn:{target['partition']}:s3:::{bucket}" + (f"/{key}" if _ else "")
    rest = p["rest"]
    if p["service"] == "ses" and target.get("ses_identity") and rest.startswith("identity/"):
        rest = f"identity/{target['ses_identity']}"
    if p["service"] == "secretsmanager" and rest.startswith(f"secret:parley-{stage}-token-secret"):
        return target["secret_arn"]
    if p["service"] == "execute-api" and target.get("ws_api_id"):
        api, _, tail = rest.partition("/")
        tail_parts = tail.split("/", 1)
        if len(tail_parts) == 2 and tail_parts[0] == target["ws_stage"]:
            rest = f"{target['ws_api_id']}/{tail}"
    return ":".join(["arn", target["partition"], p["service"], target["region"],
                     target["account"], rest])


def retarget_policy(doc: dict, target: dict) -> dict:
    doc = copy.deepcopy(doc)
    for st in doc.get("Statement", []):
        res = st.get("Resource")
        if isinstance(res, str):
            st["Resource"] = retarget_arn(res, target)
        elif isinstance(res, list):
            st["Resource"] = [retarget_arn(r, target) for r in res]
    return doc


def ses_identity(sender: str) -> str:
    """The SES identity a sender address sends as: its domain (verify the domain in SES)."""
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    domain = address.rpartition("@")[2].lower()
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        raise ValueError(f"PARLEY_SES_SENDER {sender!r} has no usable domain")
    return domain


def stage_env(outputs: dict, stage: str, ws_endpoint: str | None = None) -> dict:
    """The PARLEY_* variables of a deployed stage, from the data stack outputs."""
    env = {"PARLEY_STAGE": stage, "PARLEY_TABLE_PREFIX": f"parley-{stage}"}
    for key, var in OUTPUT_ENV.items():
        if key in outputs:
            env[var] = outputs[key]
    env["PARLEY_WS_ENDPOINT"] = ws_endpoint or ""
    return env


def console_origin(session, stage: str) -> str | None:
    """https://<CloudFront domain> of the stage's hosting stack; None if it is not deployed."""
    try:
        domain = stack_outputs(session, stack_names(stage)["hosting"]).get("DistributionDomainName")
    except Exception:  # noqa: BLE001 - no hosting stack yet: keep the stage's value
        return None
    return f"https://{domain}" if domain else None


def policy_files(stage: str, config: dict) -> dict:
    """function name -> policy file name, from the stage's lambda_functions."""
    funcs = config["stages"][stage].get("lambda_functions", {})
    return {name: spec["iam_policy_file"] for name, spec in funcs.items()
            if spec.get("iam_policy_file")}


def write_stage(stage: str, outputs: dict, ws_api_id: str | None = None,
                chalice_dir: Path = CHALICE_DIR, log=print,
                ses_sender: str | None = None, console_origin: str | None = None) -> list[str]:
    """Write the stack outputs into the stage's environment and re-target its policy files.

    Keeps an existing PARLEY_WS_ENDPOINT / WebSocket API id unless a new one is given, and an
    existing PARLEY_SES_SENDER unless ses_sender is given (default support@parley.invalid,
    a placeholder: set your verified address). The SES policy resource becomes
    identity/<the sender's domain>. Returns the files that changed."""
    config = load_config(chalice_dir)
    stage_cfg = config["stages"][stage]
    env = stage_cfg.setdefault("environment_variables", {})
    ws_stage = config.get("websocket_api_stage", WS_STAGE_DEFAULT)
    target = target_from_outputs(stage, outputs, ws_api_id, ws_stage)
    endpoint = (ws_management_endpoint(ws_api_id, target["region"], ws_stage) if ws_api_id
                else env.get("PARLEY_WS_ENDPOINT") or "")
    env.update(stage_env(outputs, stage, endpoint))
    env["PARLEY_SES_SENDER"] = ses_sender or env.get("PARLEY_SES_SENDER") or DEFAULT_SES_SENDER
    # the one browser origin agent/admin routes answer (chalicelib/api/cors.py)
    env["PARLEY_CONSOLE_ORIGIN"] = (console_origin if console_origin is not None
                                    else env.get("PARLEY_CONSOLE_ORIGIN", "")).rstrip("/")
    target["ses_identity"] = ses_identity(env["PARLEY_SES_SENDER"])
    for var in FORBIDDEN_STAGE_ENV:
        env.pop(var, None)
    changed = []
    if save_json(chalice_dir / "config.json", config):
        changed.append("config.json")
    for func, fname in sorted(policy_files(stage, config).items()):
        path = chalice_dir / fname
        doc = retarget_policy(json.loads(path.read_text()), target)
        if save_json(path, doc):
            changed.append(fname)
    for name in changed:
        log(f"wrote .chalice/{name}")
    return changed


# ---------------------------------------------------------------------------------- the app
def deployed_state(stage: str, chalice_dir: Path = CHALICE_DIR) -> dict:
    """What `chalice deploy` recorded: API URLs and ids, SQS event source mappings."""
    path = chalice_dir / "deployed" / f"{stage}.json"
    doc = json.loads(path.read_text())
    state: dict = {"sqs_events": [], "functions": {}}
    for res in doc.get("resources", []):
        kind = res.get("resource_type")
        if kind == "rest_api":
            state["rest_api_url"] = res.get("rest_api_url")
            state["rest_api_id"] = res.get("rest_api_id")
        elif kind == "websocket_api":
            state["websocket_api_url"] = res.get("websocket_api_url")
            state["websocket_api_id"] = res.get("websocket_api_id")
        elif kind == "sqs_event":
            state["sqs_events"].append(res)
        elif kind == "lambda_function":
            state["functions"][res["name"]] = res.get("lambda_arn")
    return state


def enable_batch_item_failures(session, state: dict, log=print) -> list[str]:
    """Chalice's on_sqs_message cannot set FunctionResponseTypes: set ReportBatchItemFailures
    on every SQS event source mapping of the stage after each `chalice deploy`."""
    lam = session.client("lambda")
    done = []
    for ev in state.get("sqs_events", []):
        uuid = ev["event_uuid"]
        current = lam.get_event_source_mapping(UUID=uuid).get("FunctionResponseTypes") or []
        if "ReportBatchItemFailures" not in current:
            lam.update_event_source_mapping(UUID=uuid,
                                            FunctionResponseTypes=["ReportBatchItemFailures"])
            log(f"ReportBatchItemFailures enabled on {ev.get('queue') or uuid}")
        done.append(uuid)
    return done


def _chalice(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("chalice")
    return [str(exe) if exe.exists() else "chalice", *args]


def deploy_app(session, stage: str, runner=subprocess.run, chalice_dir: Path = CHALICE_DIR,
               outputs: dict | None = None, log=print) -> dict:
    """chalice deploy; write the WebSocket API id/endpoint into the stage (redeploy if it
    changed: the first deploy, or a recreated API); enable partial batch responses."""
    def chalice_deploy():
        # app.py bakes the console origin into API Gateway's CORS preflights when chalice
        # imports it here: give it the stage's value, as the deployed functions get it
        stage_env_vars = load_config(chalice_dir)["stages"][stage].get("environment_variables", {})
        os.environ["PARLEY_CONSOLE_ORIGIN"] = stage_env_vars.get("PARLEY_CONSOLE_ORIGIN", "")
        runner(_chalice("deploy", "--stage", stage), check=True, cwd=str(chalice_dir.parent))

    chalice_deploy()
    state = deployed_state(stage, chalice_dir)
    api_id = state.get("websocket_api_id")
    if api_id:
        outputs = outputs or stack_outputs(session, stack_names(stage)["data"])
        changed = write_stage(stage, outputs, ws_api_id=api_id, chalice_dir=chalice_dir,
                              log=log)
        if changed:
            log("WebSocket endpoint or policies changed: deploying again")
            chalice_deploy()
            state = deployed_state(stage, chalice_dir)
    enable_batch_item_failures(session, state, log=log)
    return state


# ------------------------------------------------------------------------------ web clients
def web_config(state: dict, site_key: str | None) -> dict:
    api = (state.get("rest_api_url") or "").rstrip("/")
    ws = (state.get("websocket_api_url") or "").rstrip("/")
    return {"api": api, "ws": ws, "site_key": site_key}


def render_web(src: Path, dest: Path, config: dict) -> list[Path]:
    """Copy web/ into dest and write config.json at its root and next to each client
    (every top-level folder, e.g. widget/ and console/). Returns the config files."""
    if not src.is_dir():
        raise SystemExit(f"{src} does not exist: nothing to publish")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    written = []
    for folder in [dest] + sorted(p for p in dest.iterdir() if p.is_dir()):
        path = folder / "config.json"
        path.write_text(json.dumps(config, indent=2) + "\n")
        written.append(path)
    return written


def upload_dir(session, build: Path, bucket: str) -> list[str]:
    """Upload every file; config.json and HTML are revalidated on each load, assets cached."""
    s3 = session.client("s3")
    keys = []
    for path in sorted(p for p in build.rglob("*") if p.is_file()):
        key = path.relative_to(build).as_posix()
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in (".js", ".mjs"):
            ctype = "text/javascript"
        fresh = path.name == "config.json" or path.suffix == ".html"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=ctype,
                      CacheControl="no-cache" if fresh else "public, max-age=300")
        keys.append(key)
    return keys


def embed_snippet(cdn_domain: str, site_key: str) -> str:
    return (f'<script async src="https://{cdn_domain}/widget/parley.js" '
            f'data-site-key="{site_key}"></script>')


def publish_web(session, stage: str, site_key: str | None, src: Path = WEB_DIR,
                build_root: Path = BUILD_DIR, chalice_dir: Path = CHALICE_DIR,
                state: dict | None = None, hosting: dict | None = None, log=print) -> dict:
    """Render web/ with the stage's endpoints, upload it, invalidate CloudFront."""
    state = state if state is not None else deployed_state(stage, chalice_dir)
    hosting = hosting or stack_outputs(session, stack_names(stage)["hosting"])
    build = build_root / stage
    config = web_config(state, site_key)
    render_web(src, build, config)
    keys = upload_dir(session, build, hosting["WebBucketName"])
    inv = session.client("cloudfront").create_invalidation(
        DistributionId=hosting["DistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]},
                           "CallerReference": f"parley-{stage}-{os.getpid()}-{len(keys)}"
                                              f"-{os.urandom(4).hex()}"})
    domain = hosting["DistributionDomainName"]
    result = {"config": config, "keys": keys, "invalidation": inv["Invalidation"]["Id"],
              "console_url": f"https://{domain}/console/",
              "snippet": embed_snippet(domain, site_key or "YOUR_SITE_KEY")}
    log(f"uploaded {len(keys)} files to s3://{hosting['WebBucketName']}/, "
        f"invalidation {result['invalidation']}")
    log(f"console: {result['console_url']}")
    log(f"embed:   {result['snippet']}")
    return result


# ---------------------------------------------------------------------------- admin, destroy
def stage_runtime_env(stage: str, chalice_dir: Path = CHALICE_DIR) -> dict:
    """The environment the deployed functions see (top level + stage), for local commands
    that must act on the stage's resources."""
    config = load_config(chalice_dir)
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def bootstrap_admin(stage: str, email: str, name: str, runner=subprocess.run,
                    password: str | None = None, chalice_dir: Path = CHALICE_DIR):
    env = dict(os.environ)
    env.update(stage_runtime_env(stage, chalice_dir))
    for var in FORBIDDEN_STAGE_ENV:
        env.pop(var, None)          # read the real secret, talk to the real endpoints
    if password is None:
        import getpass
        password = (getpass.getpass("Password for the admin: ") if sys.stdin.isatty()
                    else sys.stdin.readline().rstrip("\n"))
    cmd = [sys.executable, "-m", "chalicelib.cli", "create-agent", "--role", "admin",
           "--email", email, "--name", name, "--password-stdin"]
    return runner(cmd, input=password + "\n", text=True, env=env, check=True,
                  cwd=str(chalice_dir.parent))


def _empty_bucket(session, bucket: str) -> None:
    s3 = session.client("s3")
    try:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for page in pages:
            objs = [{"Key": o["Key"], "VersionId": o["VersionId"]}
                    for o in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if objs:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objs})
    except s3.exceptions.NoSuchBucket:
        pass


def destroy(session, stage: str, data: bool = False, runner=subprocess.run,
            chalice_dir: Path = CHALICE_DIR, log=print) -> list[str]:
    """chalice delete, then the hosting stack; the data stack (every conversation) only with
    data=True."""
    cfn = session.client("cloudformation")
    removed = []
    if (chalice_dir / "deployed" / f"{stage}.json").exists():
        runner(_chalice("delete", "--stage", stage), check=True, cwd=str(chalice_dir.parent))
        removed.append("app")
    names = stack_names(stage)
    order = [("hosting", ("WebBucketName",))] + (
        [("data", ("AttachmentsBucketName", "ArchiveBucketName"))] if data else [])
    for kind, bucket_outputs in order:
        try:
            outputs = stack_outputs(session, names[kind])
        except cfn.exceptions.ClientError:
            continue
        if kind == "data" and outputs.get("MailBucketName"):
            _empty_bucket(session, outputs["MailBucketName"])
        for bucket_output in bucket_outputs:
            if outputs.get(bucket_output):
                _empty_bucket(session, outputs[bucket_output])
        cfn.delete_stack(StackName=names[kind])
        cfn.get_waiter("stack_delete_complete").wait(
            StackName=names[kind], WaiterConfig={"Delay": 5, "MaxAttempts": 360})
        log(f"deleted {names[kind]}")
        removed.append(names[kind])
    return removed


# ------------------------------------------------------------------------------------- CLI
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)

    def add(name, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--stage", default="dev")
        p.add_argument("--region", default=None)
        return p

    p = add("deploy-infra", "deploy infra/template.yaml and infra/hosting.yaml")
    p.add_argument("--alarm-email", default="")
    p.add_argument("--allowed-origins", default="*")
    p = add("write-stage", "write the data stack outputs into .chalice/config.json and policies")
    p.add_argument("--console-origin", default=None,
                   help="the console's origin for CORS (default: the hosting stack's "
                        "CloudFront domain when it exists, else kept from the stage)")
    p.add_argument("--ses-sender", default=None,
                   help="From address of email replies (its domain must be a verified SES "
                        "identity); kept from the stage when omitted")
    add("deploy-app", "chalice deploy + WebSocket endpoint + ReportBatchItemFailures")
    add("apply-throttling", "API Gateway stage/route throttling from infra/throttling.json")
    p = add("rotate-token-secret", "new token-signing key; the old ones keep verifying")
    p.add_argument("--keep", type=int, default=2, help="previous keys kept (default 2)")
    p = add("publish-web", "render web/ with the stage's URLs, upload, invalidate")
    p.add_argument("--site-key", default=None)
    p.add_argument("--src", default=str(WEB_DIR))
    p = add("bootstrap-admin", "create the first admin agent in the stage's tables")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="Admin")
    p = add("destroy", "delete the app and the hosting stack (and with --data, the data)")
    p.add_argument("--data", action="store_true")
    p.add_argument("--yes", default="", help="repeat the stage name to confirm")
    args = parser.parse_args(argv)

    if args.region:
        os.environ["AWS_DEFAULT_REGION"] = args.region
    session = _session(region=args.region)
    if args.cmd == "deploy-infra":
        deploy_infra(session, args.stage, args.alarm_email, args.allowed_origins)
    elif args.cmd == "write-stage":
        write_stage(args.stage, stack_outputs(session, stack_names(args.stage)["data"]),
                    ses_sender=args.ses_sender,
                    console_origin=args.console_origin or console_origin(session, args.stage))
    elif args.cmd == "deploy-app":
        deploy_app(session, args.stage)
    elif args.cmd == "apply-throttling":
        from infra import throttling
        cfg = load_config()
        throttling.apply(session, deployed_state(args.stage), cfg.get("api_gateway_stage", "api"),
                         cfg.get("websocket_api_stage", WS_STAGE_DEFAULT))
    elif args.cmd == "rotate-token-secret":
        from infra.secret_rotation import rotate
        rotate(session, stack_outputs(session, stack_names(args.stage)["data"])["TokenSecretArn"],
               keep=args.keep)
    elif args.cmd == "publish-web":
        publish_web(session, args.stage, args.site_key, src=Path(args.src))
    elif args.cmd == "bootstrap-admin":
        bootstrap_admin(args.stage, args.email, args.name)
    elif args.cmd == "destroy":
        if args.yes != args.stage:
            parser.error(f"destroy needs --yes {args.stage}")
        destroy(session, args.stage, data=args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())

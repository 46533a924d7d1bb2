"""`python -m infra.local.inject_mail` against the running local runtime: the raw mail lands
in the local mail bucket and the inbound path runs on it (docs/email.md, "Locally")."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mail"


def inject(rt, name: str, *extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "infra.local.inject_mail", str(FIXTURES / name),
         "--moto-url", rt.moto_url, *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_injected_mail_is_stored_and_runs_the_inbound_path(local_runtime):
    s3 = local_runtime.boto3_client("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "-mail-" in b["Name"])
    before = s3.list_objects_v2(Bucket=bucket, Prefix="inbound/").get("KeyCount", 0)
    assert inject(local_runtime, "dsn_bounce.eml", "--site", "demo") == {
        "outcome": "dropped", "reason": "bounce"}
    assert inject(local_runtime, "out_of_office.eml", "--site", "demo") == {
        "outcome": "dropped", "reason": "auto_reply"}
    # a customer's mail to an address no site has
    assert inject(local_runtime, "gbk_chinese.eml", "--site", "no-such-site") == {
        "outcome": "dropped", "reason": "unknown_recipient"}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="inbound/")["Contents"]]
    assert len(keys) == before + 3
    raw = s3.get_object(Bucket=bucket, Key=sorted(keys)[-1])["Body"].read()
    assert raw.startswith(b"Delivered-To: ") and b"@inbound.parley.invalid" in raw.split(b"\r\n")[0]

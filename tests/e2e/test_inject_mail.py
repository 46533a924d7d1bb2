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


def _sent_to(rt, address: str, timeout: float = 30) -> list:
    """What moto's SES recorded for `address` (the runtime verified the sender's domain)."""
    import email
    import email.policy
    import time
    import urllib.request
    deadline = time.time() + timeout
    while True:
        with urllib.request.urlopen(f"{rt.moto_url}/moto-api/data.json", timeout=30) as resp:
            raw = [m["raw_data"] for m in (json.loads(resp.read()).get("ses") or {})
                   .get("RawMessage") or [] if address in (m.get("destinations") or [])]
        if raw or time.time() > deadline:
            return [email.message_from_string(r, policy=email.policy.default) for r in raw]
        time.sleep(1)


def test_left_message_ticket_reply_by_ses_and_the_customers_answer_threads_back(local_runtime,
                                                                                tmp_path):
    """The issue's "done when", as `make run` runs it: a left message becomes a ticket, the
    agent's public reply goes out through SES, the customer's answer (an injected .eml with
    In-Reply-To) lands in the same ticket and reopens nothing it should not."""
    import time
    import uuid
    from tests.e2e.clients import agent_login, http, visitor_session
    rt = local_runtime
    tag = uuid.uuid4().hex[:8]
    customer = f"cus-{tag}@example.com"
    s = visitor_session(rt, name=f"Cus {tag}")
    status, _ = http("POST", f"{rt.api_url}/visitor/conversations/{s['conversation_id']}"
                     "/offline-message", {"email": customer, "name": "Cus",
                                          "text": f"My parcel {tag} never came"}, s["token"])
    assert status in (200, 201)
    token = agent_login(rt)["token"]
    path = (f"{rt.api_url}/agent/tickets?site_key=demo&view=requester"
            f"&requester={s['visitor_id']}")
    deadline = time.time() + 30
    while True:
        status, got = http("GET", path, token=token)
        assert status == 200, got
        if got["tickets"] or time.time() > deadline:
            break
        time.sleep(0.5)
    (ticket,) = got["tickets"]
    tid = ticket["ticket_id"]
    status, _ = http("POST", f"{rt.api_url}/agent/tickets/{tid}/comments",
                     {"body": f"A new parcel {tag} is on its way", "public": True}, token)
    assert status == 201
    (sent,) = [m for m in _sent_to(rt, customer)
               if f"A new parcel {tag}" in m.get_body(("plain",)).get_content()]

    answer = tmp_path / "answer.eml"
    answer.write_bytes((
        f"From: Cus <{customer}>\r\nTo: {sent['Reply-To'] or sent['From']}\r\n"
        f"Subject: Re: {sent['Subject']}\r\nMessage-ID: <answer-{tag}@example.com>\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nReferences: {sent['Message-ID']}\r\n"
        "Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Thanks, it arrived {tag}!\r\n\r\n> A new parcel {tag} is on its way\r\n").encode())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "infra.local.inject_mail", str(answer), "--moto-url",
         rt.moto_url, "--site", "demo"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["outcome"] == "reply" and outcome["ticket_id"] == tid, outcome
    status, comments = http("GET", f"{rt.api_url}/agent/tickets/{tid}/comments", token=token)
    bodies = [c["body"] for c in comments["comments"]]
    assert f"Thanks, it arrived {tag}!" in bodies                  # quoted history stripped
    assert not any("> A new parcel" in b for b in bodies)

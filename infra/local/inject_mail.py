"""Inject a raw .eml into the local runtime as if SES had received it.

    python -m infra.local.inject_mail path/to/mail.eml --site demo [--moto-url URL]

With `make run` running (moto on 127.0.0.1:5055 by default): stores the raw mail in the
local mail bucket under inbound/, as SES's receipt rule does, then runs the same handler the
bucket's ObjectCreated event runs in AWS (app.receive_mail -> mail_inbound), in this
process, and prints its outcome. `--site`
delivers it to that site's address (<site>@<inbound domain>) by adding the Delivered-To
header a receiving server adds, whatever the To: line says. Prints the outcome as JSON:
created / reply (with the ticket id), or dropped with the reason (bounce, auto_reply, loop,
unknown_recipient, too_large), or duplicate.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m infra.local.inject_mail",
                                description=__doc__.split("\n")[0])
    p.add_argument("eml", type=Path, help="a raw RFC 5322 message (.eml)")
    p.add_argument("--site", help="deliver to this site's address (Delivered-To)")
    p.add_argument("--moto-url", default=os.environ.get("AWS_ENDPOINT_URL",
                                                        "http://127.0.0.1:5055"),
                   help="the running local runtime's moto (default http://127.0.0.1:5055)")
    p.add_argument("--stage", default=os.environ.get("PARLEY_STAGE", "dev"))
    return p.parse_args(argv)


def with_delivered_to(raw: bytes, site_key: str, domain: str) -> bytes:
    return f"Delivered-To: {site_key}@{domain}\r\n".encode("ascii") + raw


def main(argv=None) -> int:
    args = parse_args(argv)
    raw = args.eml.read_bytes()
    os.environ["AWS_ENDPOINT_URL"] = args.moto_url.rstrip("/")
    for var, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_REGION", "us-east-1"), ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(var, value)
    import boto3
    from infra.resources import apply_env, deploy_stack
    session = boto3.session.Session(region_name=os.environ["AWS_REGION"])
    apply_env(deploy_stack(session, args.stage, endpoint_url=os.environ["AWS_ENDPOINT_URL"]))
    from chalicelib import config          # after apply_env: names are read at import
    if args.site:
        raw = with_delivered_to(raw, args.site, config.mail_inbound_domain())
    from chalicelib.api.common import get_deps
    from chalicelib.services import mail_inbound
    from urllib.parse import quote_plus
    key = f"{config.mail_prefix()}local-{int(time.time() * 1000)}-{args.eml.stem[:40]}"
    get_deps().mail.put_raw(config.mail_bucket(), key, raw)
    s3_event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                             "s3": {"bucket": {"name": config.mail_bucket()},
                                    "object": {"key": quote_plus(key), "size": len(raw)}}}]}
    deps = get_deps()
    outcome = mail_inbound.handle_s3_records(deps, s3_event["Records"])[0]
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

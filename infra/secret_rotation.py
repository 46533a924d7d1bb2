"""Rotate the token-signing secret: ``python -m infra.deploy rotate-token-secret --stage S``.

Puts a new document ``{"current": <new key>, "previous": [<old current>, ...]}`` (at most
``KEEP_PREVIOUS`` previous keys, chalicelib/adapters/secrets.rotated). New tokens are signed
with the new key within ``KEYS_TTL`` (5 min) in every container, or at once where a token
signed with it arrives; tokens signed with the old keys keep verifying. Run it on a
schedule (every 30 days: see docs/deployment.md); no key is ever printed.
"""
from __future__ import annotations

import json

from chalicelib.adapters.secrets import KEEP_PREVIOUS, rotated


def rotate(session, secret_arn: str, keep: int = KEEP_PREVIOUS, log=print) -> dict:
    sm = session.client("secretsmanager")
    raw = sm.get_secret_value(SecretId=secret_arn)["SecretString"]
    doc = rotated(raw, keep=keep)
    version = sm.put_secret_value(SecretId=secret_arn, SecretString=doc)["VersionId"]
    kept = len(json.loads(doc)["previous"])
    log(f"{secret_arn}: new signing key (version {version}); {kept} previous key(s) still verify")
    return {"version": version, "previous": kept}

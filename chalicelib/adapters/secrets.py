"""The token-signing keys: an environment variable locally, Secrets Manager in AWS."""
from __future__ import annotations

import json

from chalicelib import config

_cache: dict[str, list[str]] = {}


def token_keys() -> list[str]:
    """Current key first, then keys still accepted during a rotation.

    PARLEY_TOKEN_SECRET may hold one key or several separated by commas. A Secrets Manager
    secret may hold a plain string or {"current": "...", "previous": ["..."]}."""
    value = config.token_secret_value()
    if value:
        return [k.strip() for k in value.split(",") if k.strip()]
    arn = config.token_secret_arn()
    if not arn:
        raise RuntimeError("No token secret configured: set PARLEY_TOKEN_SECRET or "
                           "PARLEY_TOKEN_SECRET_ARN.")
    if arn not in _cache:
        import boto3
        raw = boto3.client("secretsmanager", region_name=config.region()).get_secret_value(
            SecretId=arn)["SecretString"]
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = raw
        if isinstance(doc, dict):
            prev = doc.get("previous") or []
            keys = [doc["current"]] + ([prev] if isinstance(prev, str) else list(prev))
        else:
            keys = [str(doc)]
        _cache[arn] = keys
    return _cache[arn]

"""The token-signing secret's rotation schedule (app.py `rotate_token_secret`, every 30 days).

Rotating puts a new signing key and keeps the previous ones verifying (adapters/secrets.py:
nobody is signed out); then every site's identity secret, sealed with keys derived from the
token secret, is re-sealed under the new key before the key it was sealed with is dropped two
rotations later (services/sites.reseal_secrets). Locally and in tests the token secret is an
environment variable: there is nothing to rotate.
"""
from __future__ import annotations

from chalicelib import config, log
from chalicelib.adapters import secrets
from chalicelib.services import sites


def rotate_token_secret(deps) -> dict:
    arn = config.token_secret_arn()
    if config.token_secret_value() or not arn:
        log.info("token_secret_not_rotated", reason="secret from the environment")
        return {"rotated": False}
    kept = secrets.rotate_stored(arn)
    resealed = sites.reseal_secrets(deps)
    log.info("token_secret_rotated", previous_keys=kept, **resealed)
    return {"rotated": True, "previous_keys": kept, **resealed}

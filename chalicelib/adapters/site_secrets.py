"""The keys that seal sites' identity secrets (chalicelib/sealing.py).

PARLEY_SEALING_KEYS (comma-separated, first seals) when set; otherwise keys derived from the
token-signing secret (adapters/secrets.py) that Secrets Manager already holds, so no new
secret has to be deployed. Every accepted token key opens what it sealed, which is what a
token-key rotation needs: rotate, then re-seal (`python -m chalicelib.cli
reseal-site-secrets`, services/sites.reseal_secrets) before the previous key is dropped."""
from __future__ import annotations

import hashlib
import hmac

from chalicelib import config


def sealing_keys() -> list[str]:
    explicit = config.sealing_keys_value()
    if explicit:
        return [k.strip() for k in explicit.split(",") if k.strip()]
    from chalicelib.adapters.secrets import token_keys
    return [hmac.new(k.encode("utf-8"), b"parley/site-identity-secrets", hashlib.sha256)
            .hexdigest() for k in token_keys()]

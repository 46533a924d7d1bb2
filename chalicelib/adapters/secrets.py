"""The token-signing keys: an environment variable locally, Secrets Manager in AWS.

The secret holds ``{"current": "<key>", "previous": ["<older>", ...]}`` (a plain string is one
key): ``current`` signs, all verify, so a rotation signs nobody out. A container rereads the
secret every ``KEYS_TTL`` seconds, and at once (at most every ``MIN_REFRESH`` seconds) when a
token carries a signature none of its keys verifies - right after a rotation, a token signed
by a container that already has the new key. ``rotated`` makes the next document
(``python -m infra.deploy rotate-token-secret``, docs/deployment.md).
"""
from __future__ import annotations

import json
import secrets as _secrets
import threading
import time
from typing import Callable

from chalicelib import config

KEYS_TTL = 300.0
MIN_REFRESH = 30.0
KEEP_PREVIOUS = 2      # with a 30-day schedule, a key verifies for 60+ days after it stops signing


def parse(raw: str) -> list[str]:
    """Keys from a secret value: current first."""
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = raw
    if isinstance(doc, dict):
        prev = doc.get("previous") or []
        keys = [doc["current"]] + ([prev] if isinstance(prev, str) else list(prev))
    else:
        keys = [str(doc)]
    return [k for k in keys if k]


def rotated(raw: str, new_key: str | None = None, keep: int = KEEP_PREVIOUS) -> str:
    """The secret document after one rotation: a new current key, the old current first
    among the previous ones, at most ``keep`` previous keys."""
    keys = parse(raw)
    new_key = new_key or _secrets.token_urlsafe(48)
    return json.dumps({"current": new_key, "previous": keys[:keep]})


class KeyRing:
    """Cached keys from ``fetch`` (a callable returning the secret string)."""

    def __init__(self, fetch: Callable[[], str], ttl: float = KEYS_TTL,
                 min_refresh: float = MIN_REFRESH, clock: Callable[[], float] = time.monotonic):
        self._fetch, self._ttl, self._min_refresh, self._clock = fetch, ttl, min_refresh, clock
        self._keys: list[str] = []
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> list[str]:
        keys = parse(self._fetch())
        self._keys, self._read_at = keys, self._clock()
        return keys

    def keys(self) -> list[str]:
        with self._lock:
            if not self._keys or self._clock() - self._read_at >= self._ttl:
                return self._load()
            return self._keys

    def refresh(self) -> bool:
        """Reread now (unless read in the last MIN_REFRESH seconds); True if keys changed."""
        with self._lock:
            if self._clock() - self._read_at < self._min_refresh:
                return False
            before = self._keys
            return self._load() != before


_rings: dict[str, KeyRing] = {}


def _secrets_manager_value(arn: str) -> str:
    import boto3
    return boto3.client("secretsmanager", region_name=config.region()).get_secret_value(
        SecretId=arn)["SecretString"]


def key_ring() -> KeyRing:
    """PARLEY_TOKEN_SECRET (one key or several, comma separated) or the secret
    PARLEY_TOKEN_SECRET_ARN names."""
    value = config.token_secret_value()
    if value:
        return KeyRing(lambda: json.dumps({"current": value.split(",")[0].strip(),
                                           "previous": [k.strip() for k in value.split(",")[1:]]}))
    arn = config.token_secret_arn()
    if not arn:
        raise RuntimeError("No token secret configured: set PARLEY_TOKEN_SECRET or "
                           "PARLEY_TOKEN_SECRET_ARN.")
    if arn not in _rings:
        _rings[arn] = KeyRing(lambda: _secrets_manager_value(arn))
    return _rings[arn]


def token_keys() -> list[str]:
    """Current key first, then keys still accepted during a rotation."""
    return key_ring().keys()


def rotate_stored(arn: str, keep: int = KEEP_PREVIOUS) -> int:
    """Put the next document of the secret (a new current key, the old ones previous) and
    drop this container's cached ring so the next read sees it. Returns how many previous
    keys still verify. No key is logged."""
    import boto3
    sm = boto3.client("secretsmanager", region_name=config.region())
    doc = rotated(sm.get_secret_value(SecretId=arn)["SecretString"], keep=keep)
    sm.put_secret_value(SecretId=arn, SecretString=doc)
    _rings.pop(arn, None)
    return len(json.loads(doc)["previous"])

"""The API channel's request signature: HMAC-SHA256 with the channel's secret over
`{timestamp}.{raw body}`, sent as `X-Parley-Timestamp: <unix seconds>` and
`X-Parley-Signature: v1=<hex>` (several `v1=` values, comma separated, during a secret
rotation). A timestamp more than 5 minutes from the server's clock is refused, so a captured
request cannot be replayed later; within the 5 minutes the client message id makes a replay
a no-op (services/channels.py)."""
from __future__ import annotations

import hashlib
import hmac

TOLERANCE_S = 300


class SignatureError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body,
                   hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secrets: list[str], timestamp: str | None, header: str | None, body: bytes,
           now_s: float, tolerance: int = TOLERANCE_S) -> None:
    """Raise SignatureError unless one v1 signature matches one secret, in time."""
    if not timestamp or not header:
        raise SignatureError("missing_signature",
                             "X-Parley-Timestamp and X-Parley-Signature are required.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("invalid_timestamp", "X-Parley-Timestamp is unix seconds.")
    if abs(now_s - int(timestamp)) > tolerance:
        raise SignatureError("stale_timestamp",
                             "The timestamp is more than 5 minutes from the server's clock.")
    given = [p.strip()[3:] for p in header.split(",") if p.strip().startswith("v1=")]
    for secret in secrets:
        want = sign(secret, timestamp, body)[3:]
        if any(hmac.compare_digest(want, g) for g in given):
            return
    raise SignatureError("invalid_signature", "The signature does not match.")

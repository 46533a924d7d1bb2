"""Identity verification for signed-in users of a customer's site.

The site's backend computes HMAC-SHA256(identity_secret, user_id) as hex and passes it to
the widget; Parley recomputes it. Nobody without the secret can claim a user's identity."""
from __future__ import annotations

import hashlib
import hmac


def identity_hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_identity(secret: str | None, user_id: str, digest: str) -> bool:
    if not secret or not user_id or not digest or not digest.isascii():
        return False        # a hex digest is ASCII; compare_digest refuses other text
    return hmac.compare_digest(identity_hash(secret, user_id), digest.lower())

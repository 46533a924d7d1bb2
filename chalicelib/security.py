"""Signed, expiring tokens and password hashing. Pure: the secret is passed in.

Tokens are HS256 JWTs. Visitor tokens carry typ=visitor, sub=visitor id and site; agent
tokens carry typ=agent, sub=agent id and role. Several keys may be accepted at once (the
first signs, all verify) so the secret can be rotated without logging everybody out.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Callable

import bcrypt
import jwt

from chalicelib.errors import Unauthorized

ALGORITHM = "HS256"
ROLES = ("agent", "supervisor", "admin")


class TokenSigner:
    """``keys``: a list, or a callable returning the current list (a rotating key ring);
    ``refresh``: called once when no key verifies a signature, True if the keys changed
    (then the token is checked again); ``clock``: seconds since the epoch (tests pass a
    simulated clock)."""

    def __init__(self, keys, refresh: Callable[[], bool] | None = None, clock=time.time):
        self._provider = keys if callable(keys) else (lambda fixed=list(keys): fixed)
        self._refresh = refresh
        self._clock = clock
        if not self._keys():
            raise ValueError("no token signing key configured")

    def _keys(self) -> list[str]:
        return [k for k in self._provider() if k]

    def sign(self, claims: dict, ttl: int, not_after: int | None = None) -> tuple[str, int]:
        """Sign claims for ttl seconds, never past not_after (an absolute session end)."""
        now = int(self._clock())
        exp = now + ttl if not_after is None else min(now + ttl, int(not_after))
        payload = dict(claims, iat=now, exp=exp)
        return jwt.encode(payload, self._keys()[0], algorithm=ALGORITHM), exp

    def verify(self, token: str, typ: str) -> dict:
        if not token or not isinstance(token, str) or len(token) > 4096 or \
                not (token.isascii() and token.isprintable()):
            raise Unauthorized("Missing or malformed token.", code="invalid_token")
        claims = self._verify_with(self._keys(), token, typ)
        if claims is None and self._refresh is not None and self._refresh():
            claims = self._verify_with(self._keys(), token, typ)
        if claims is None:
            raise Unauthorized("The token signature is not valid.", code="invalid_token")
        return claims

    def _verify_with(self, keys: list[str], token: str, typ: str) -> dict | None:
        for key in keys:
            try:
                # expiry is checked below against this signer's clock
                claims = jwt.decode(token, key, algorithms=[ALGORITHM],
                                    options={"require": ["exp", "sub", "typ"],
                                             "verify_exp": False, "verify_iat": False})
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError:
                raise Unauthorized("Malformed token.", code="invalid_token")
            if not isinstance(claims.get("exp"), (int, float)) or \
                    claims["exp"] <= self._clock():
                raise Unauthorized("The token has expired.", code="token_expired")
            if claims.get("typ") != typ:
                raise Unauthorized(f"A {typ} token is required.", code="wrong_token_type")
            return claims
        return None


# bcrypt reads at most 72 bytes (bcrypt 5 refuses more; older versions silently ignored the
# rest), while a password may be 200 characters (up to 800 bytes in UTF-8). A longer password
# is pre-hashed: HMAC-SHA256 under a fixed domain-separation key, base64 (44 bytes), then
# bcrypt. Passwords of at most 72 bytes go to bcrypt unchanged, so every stored hash made
# before this still verifies and needs no migration. (No long-password hash can exist from
# before: bcrypt 5 refused them.)
BCRYPT_MAX_BYTES = 72
_PREHASH_KEY = b"parley-bcrypt-prehash-v1"


def _bcrypt_input(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(raw) <= BCRYPT_MAX_BYTES:
        return raw
    return base64.b64encode(hmac.new(_PREHASH_KEY, raw, hashlib.sha256).digest())


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_bcrypt_input(password), bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(_bcrypt_input(password), hashed.encode("ascii"))
    except (ValueError, TypeError):     # UnicodeError is a ValueError
        return False


# A valid hash to compare against when the email is unknown, so a login attempt takes the
# same time whether or not the account exists: made with the cost that real hashes are made
# with (the configured bcrypt rounds).
_DUMMY_HASHES: dict[int, str] = {}


def dummy_check(password: str, rounds: int = 12) -> None:
    if rounds not in _DUMMY_HASHES:
        _DUMMY_HASHES[rounds] = hash_password("parley-dummy-password", rounds)
    check_password(password, _DUMMY_HASHES[rounds])

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

import bcrypt
import jwt

from chalicelib.errors import Unauthorized

ALGORITHM = "HS256"
ROLES = ("agent", "supervisor", "admin")


class TokenSigner:
    def __init__(self, keys: list[str]):
        keys = [k for k in keys if k]
        if not keys:
            raise ValueError("no token signing key configured")
        self._keys = keys

    def sign(self, claims: dict, ttl: int) -> tuple[str, int]:
        now = int(time.time())
        exp = now + ttl
        payload = dict(claims, iat=now, exp=exp)
        return jwt.encode(payload, self._keys[0], algorithm=ALGORITHM), exp

    def verify(self, token: str, typ: str) -> dict:
        if not token or not isinstance(token, str) or len(token) > 4096 or \
                not (token.isascii() and token.isprintable()):
            raise Unauthorized("Missing or malformed token.", code="invalid_token")
        for key in self._keys:
            try:
                claims = jwt.decode(token, key, algorithms=[ALGORITHM],
                                    options={"require": ["exp", "sub", "typ"]})
            except jwt.ExpiredSignatureError:
                raise Unauthorized("The token has expired.", code="token_expired")
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError:
                raise Unauthorized("Malformed token.", code="invalid_token")
            if claims.get("typ") != typ:
                raise Unauthorized(f"A {typ} token is required.", code="wrong_token_type")
            return claims
        raise Unauthorized("The token signature is not valid.", code="invalid_token")


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
# same time whether or not the account exists.
_DUMMY_HASH = None


def dummy_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("parley-dummy-password")
    check_password(password, _DUMMY_HASH)

"""Sealing small secrets at rest (a site's identity secret) with keys passed in. Pure.

The identity secret must stay usable to recompute HMACs, so it cannot be hashed; it is
stored sealed: encrypt-then-MAC with the standard library only (no native package in the
Lambda bundle). Per key, three sub-keys are derived with HMAC-SHA256 (encryption, MAC, key
id). The cipher is HMAC-SHA256 in counter mode over a random 16-byte nonce (a PRF keystream,
XORed), the tag HMAC-SHA256 over version, key id, nonce and ciphertext, compared in constant
time. Sealed values name their key id, so values sealed under any accepted key open while a
key rotation keeps the previous key accepted.

Format: "sealed:v1:<kid>:<urlsafe base64 of nonce | ciphertext | tag>".
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

PREFIX = "sealed:v1:"


class SealError(Exception):
    """A sealed value that no accepted key opens, or that was tampered with."""


def _sub(key: str, label: str) -> bytes:
    return hmac.new(key.encode("utf-8"), f"parley/sealing/{label}".encode(),
                    hashlib.sha256).digest()


def key_id(key: str) -> str:
    return _sub(key, "kid").hex()[:12]


def _keystream(enc: bytes, nonce: bytes, n: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        out += hmac.new(enc, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return out[:n]


def _tag(mac: bytes, kid: str, nonce: bytes, ct: bytes) -> bytes:
    return hmac.new(mac, b"v1|" + kid.encode() + b"|" + nonce + ct, hashlib.sha256).digest()


def seal(plaintext: str, keys: list[str], nonce: bytes | None = None) -> str:
    """Seal with the first (current) key."""
    if not keys:
        raise SealError("no sealing key configured")
    key = keys[0]
    kid = key_id(key)
    nonce = nonce or os.urandom(16)
    data = plaintext.encode("utf-8")
    ct = bytes(a ^ b for a, b in zip(data, _keystream(_sub(key, "enc"), nonce, len(data))))
    blob = nonce + ct + _tag(_sub(key, "mac"), kid, nonce, ct)
    return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(blob).decode()}"


def is_sealed(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def open_sealed(value: str, keys: list[str]) -> str:
    """The plaintext of a sealed value. A value stored before sealing (plain) is returned
    as is, so existing sites keep working until their secret is rotated."""
    if not is_sealed(value):
        return value
    try:
        kid, b64 = value[len(PREFIX):].split(":", 1)
        blob = base64.urlsafe_b64decode(b64.encode())
    except (ValueError, UnicodeDecodeError):
        raise SealError("malformed sealed value")
    if len(blob) < 16 + 32:
        raise SealError("malformed sealed value")
    nonce, ct, tag = blob[:16], blob[16:-32], blob[-32:]
    for key in keys:
        if key_id(key) != kid:
            continue
        if not hmac.compare_digest(_tag(_sub(key, "mac"), kid, nonce, ct), tag):
            raise SealError("sealed value failed its integrity check")
        data = bytes(a ^ b for a, b in zip(ct, _keystream(_sub(key, "enc"), nonce, len(ct))))
        return data.decode("utf-8")
    raise SealError("no accepted key opens this value")

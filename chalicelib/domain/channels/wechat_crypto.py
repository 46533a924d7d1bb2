"""WeChat's message signatures and safe-mode encryption (公众号 / 小程序 消息加解密).

- Server URL check and plaintext messages: `signature` = SHA1 of the sorted, concatenated
  token, timestamp and nonce.
- Safe mode: `msg_signature` = SHA1 of the sorted token, timestamp, nonce and Encrypt;
  Encrypt = base64(AES-256-CBC(random16 + msg_len (4 bytes, big-endian) + msg + appid)),
  key = base64decode(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to
  a multiple of 32 bytes (WeChat's block, not AES's 16).

AES comes from pycryptodome (requirements.txt): neither boto3 nor chalice brings
`cryptography` into the Lambda runtime.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from Crypto.Cipher import AES

BLOCK = 32


class CryptoError(ValueError):
    """A signature that does not match or a payload that does not decrypt (code says which)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def signature(*parts: str) -> str:
    """SHA1 hex of the parts sorted and concatenated (the URL check uses token, timestamp,
    nonce; safe mode adds the Encrypt text)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(given: str | None, *parts: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.lower(), signature(*parts))


def aes_key(encoding_aes_key: str) -> bytes:
    if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != 43:
        raise CryptoError("invalid_aes_key", "The EncodingAESKey is 43 characters.")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("invalid_aes_key", "The EncodingAESKey is not base64.") from None
    if len(key) != 32:
        raise CryptoError("invalid_aes_key", "The EncodingAESKey does not decode to 32 bytes.")
    return key


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or len(data) < n:
        raise CryptoError("decrypt_failed", "Bad padding.")
    return data[:-n]


def encrypt(plain: str, encoding_aes_key: str, app_id: str, random16: bytes | None = None) -> str:
    key = aes_key(encoding_aes_key)
    random16 = os.urandom(16) if random16 is None else random16
    body = plain.encode("utf-8")
    raw = random16 + struct.pack(">I", len(body)) + body + app_id.encode("utf-8")
    cipher = AES.new(key, AES.MODE_CBC, key[:16])
    return base64.b64encode(cipher.encrypt(_pad(raw))).decode("ascii")


def decrypt(encrypted: str, encoding_aes_key: str, app_id: str) -> str:
    """The plaintext message; CryptoError if it does not decrypt or names another app."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise CryptoError("decrypt_failed", "Encrypt is not base64.") from None
    if not data or len(data) % 16:
        raise CryptoError("decrypt_failed", "Encrypt is not whole AES blocks.")
    raw = _unpad(AES.new(key, AES.MODE_CBC, key[:16]).decrypt(data))
    if len(raw) < 20:
        raise CryptoError("decrypt_failed", "The payload is too short.")
    (length,) = struct.unpack(">I", raw[16:20])
    body, tail = raw[20:20 + length], raw[20 + length:]
    if len(body) != length:
        raise CryptoError("decrypt_failed", "The payload length does not match.")
    if not hmac.compare_digest(tail, app_id.encode("utf-8")):
        raise CryptoError("app_id_mismatch", "The message was encrypted for another app.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise CryptoError("decrypt_failed", "The payload is not UTF-8.") from None


def seal_reply(plain: str, token: str, encoding_aes_key: str, app_id: str, timestamp: str,
               nonce: str, random16: bytes | None = None) -> dict:
    """A safe-mode passive reply's parts: Encrypt, MsgSignature, TimeStamp, Nonce."""
    enc = encrypt(plain, encoding_aes_key, app_id, random16)
    return {"Encrypt": enc, "MsgSignature": signature(token, timestamp, nonce, enc),
            "TimeStamp": timestamp, "Nonce": nonce}

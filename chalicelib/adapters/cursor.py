"""Page cursors: a DynamoDB start key as an opaque URL-safe token (JSON in base64). Each
repository checks the unpacked key's shape itself (a forged token must not reach DynamoDB)."""
from __future__ import annotations

import base64
import json


def pack(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def unpack(token: str) -> object | None:
    """The JSON value inside a token; None when it is not one of ours in form."""
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError):
        return None

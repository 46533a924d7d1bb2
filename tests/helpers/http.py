"""A tiny JSON HTTP client (urllib) for tests that drive the local runtime."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


def http(method: str, url: str, body=None, token: str | None = None, timeout: float = 30,
         headers: dict | None = None):
    """Return (status, parsed JSON body | text | None); HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    h = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        h["Authorization"] = f"Bearer {token}"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")

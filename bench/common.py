"""What the local-runtime benches share: a JSON call over HTTP with an optional token."""
from __future__ import annotations

import json
import urllib.request


def call(base, method, path, body=None, token=None, timeout=60):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token
                                             else {})})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")

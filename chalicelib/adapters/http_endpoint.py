"""The HTTPS call a bot flow makes when it has all its slots (``call_endpoint``).

``call(url, payload, timeout) -> dict``: JSON in, JSON object out, stdlib only (urllib).

* only ``http``/``https`` URLs (no file:, ftp:, data: ...), and redirects only to
  http/https (at most 3);
* ``payload["_method"]`` chooses GET (slots as query parameters) or POST (JSON body);
* timeout capped at ``MAX_TIMEOUT`` seconds; the response is read up to ``MAX_RESPONSE``
  bytes (larger -> error) and must be a JSON object;
* any problem raises ``EndpointError``; the flow engine turns that into its polite failure
  answer.

The URLs come from flows written by site admins (trusted); nothing here blocks private
addresses (the demo and the tests call a stub on 127.0.0.1). Deployments that let
less-trusted people write flows should add an allow-list of hosts.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

MAX_RESPONSE = 64 * 1024
MAX_TIMEOUT = 10.0
MAX_REDIRECTS = 3
ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "Parley-bot/1.0"


class EndpointError(RuntimeError):
    pass


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ALLOWED_SCHEMES:
            raise EndpointError("redirect to a non-http(s) URL refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SafeRedirects())


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise EndpointError("only http(s) URLs with a host are allowed")
    return url


def call(url: str, payload: dict, timeout: float = 5.0) -> dict:
    check_url(url)
    payload = dict(payload or {})
    method = str(payload.pop("_method", "POST")).upper()
    if method not in ("GET", "POST"):
        raise EndpointError("method must be GET or POST")
    timeout = max(0.1, min(float(timeout or 5.0), MAX_TIMEOUT))
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    data = None
    if method == "GET":
        if payload:
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = url + sep + urllib.parse.urlencode({k: str(v) for k, v in payload.items()})
    else:
        data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            body = resp.read(MAX_RESPONSE + 1)
    except EndpointError:
        raise
    except urllib.error.HTTPError as exc:
        raise EndpointError(f"endpoint answered HTTP {exc.code}") from None
    except Exception as exc:  # URLError, timeouts, connection resets
        raise EndpointError(f"endpoint unreachable: {exc!r}") from None
    if len(body) > MAX_RESPONSE:
        raise EndpointError("endpoint response too large")
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EndpointError("endpoint response is not JSON") from None
    if not isinstance(doc, dict):
        raise EndpointError("endpoint response is not a JSON object")
    return doc

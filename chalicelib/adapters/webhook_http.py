"""The POST of one webhook delivery, through the bot endpoints' SSRF guard
(adapters/http_endpoint.py): the host is resolved at delivery time and every address it
resolves to is checked (private, loopback, link-local and the metadata service, reserved...);
the connection goes to the checked address. Only https:// targets, except http:// to a
loopback address when PARLEY_ALLOW_LOOPBACK_ENDPOINTS is on (local runtime and tests).
Redirects are not followed (a 3xx is a failed delivery); the timeout is short (5 s).

``post(url, body, headers) -> Result``; never raises for the receiver's faults.
"""
from __future__ import annotations

import ipaddress
import time
import urllib.parse
from dataclasses import dataclass
from typing import Optional

from chalicelib.adapters import http_endpoint as guard

TIMEOUT = 5.0
USER_AGENT = "Parley-Webhooks/1.0"


@dataclass(frozen=True)
class Result:
    ok: bool
    status_code: Optional[int] = None
    duration_ms: int = 0
    error: Optional[str] = None


def url_refusal(url: str, allow_loopback: Optional[bool] = None) -> Optional[str]:
    """Why a webhook may not target this URL, from the URL alone (no DNS): save time."""
    allow = guard.loopback_allowed() if allow_loopback is None else allow_loopback
    try:
        parts = guard.check_url(url)
        guard.check_literal(url, allow)
    except guard.EndpointError as exc:
        return str(exc)
    if parts.username or parts.password:
        return "credentials in the URL are not allowed"
    if parts.scheme.lower() == "https":
        return None
    host = parts.hostname or ""
    if allow and (host == "localhost" or _is_loopback(host)):
        return None
    return "only https:// URLs are allowed"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post(url: str, body: bytes, headers: dict, timeout: float = TIMEOUT, *,
         allow_loopback: Optional[bool] = None,
         resolver: guard.Resolver = guard.system_resolver) -> Result:
    allow = guard.loopback_allowed() if allow_loopback is None else allow_loopback
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    why = url_refusal(url, allow)
    if why:
        return Result(False, None, 0, f"refused: {why}")
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        ip = guard.resolve_checked(parts.hostname, port, allow, resolver)
        if scheme == "http" and not ipaddress.ip_address(ip).is_loopback:
            raise guard.RefusedAddress("http:// is allowed to loopback addresses only")
        status, _location, _body = guard._request(
            url, "POST", body, {**headers, "User-Agent": USER_AGENT,
                                "Content-Type": "application/json"},
            timeout, allow, lambda _h, _p: [ip])     # connect to the address just checked
    except guard.RefusedAddress as exc:
        return Result(False, None, took(), f"refused: {exc}")
    except guard.EndpointError as exc:
        return Result(False, None, took(), str(exc)[:200])
    except Exception as exc:      # timeouts, resets, TLS failures
        return Result(False, None, took(), f"unreachable: {type(exc).__name__}: {exc}"[:200])
    if 200 <= status < 300:
        return Result(True, status, took())
    return Result(False, status, took(), f"HTTP {status}")

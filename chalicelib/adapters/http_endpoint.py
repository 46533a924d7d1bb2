"""The HTTPS call a bot flow makes when it has all its slots (``call_endpoint``).

``call(url, payload, timeout) -> dict``: JSON in, JSON object out, stdlib only (http.client).

* only ``http``/``https`` URLs with a host (no file:, ftp:, data: ...);
* **no server-side request forgery**: the URLs come from admin data, so the host is resolved
  and *every* address it resolves to is checked (``address_refusal``: private, loopback,
  link-local - the metadata service 169.254.169.254 -, reserved, multicast, unspecified,
  shared (100.64/10), site-local, and IPv4-mapped/6to4/NAT64 forms of those). One refused
  address refuses the call. The connection is then made to the checked address itself (the
  name is not resolved a second time, so DNS rebinding cannot swap in another address);
  TLS still verifies the certificate against the host name. Loopback is allowed only when
  ``PARLEY_ALLOW_LOOPBACK_ENDPOINTS`` is on (the local runtime and tests set it);
* redirects are followed by hand (at most ``MAX_REDIRECTS``), each target checked the same
  way; a redirect to a refused address or a non-http(s) URL fails the call;
* ``payload["_method"]`` chooses GET (slots as query parameters) or POST (JSON body);
* timeout capped at ``MAX_TIMEOUT`` seconds; the response is read up to ``MAX_RESPONSE``
  bytes (larger -> error) and must be a JSON object;
* any problem raises ``EndpointError`` (``RefusedAddress`` for an SSRF refusal, with the
  reason); the flow engine turns that into its polite failure answer and the bot service
  logs the reason.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import urllib.parse
from typing import Callable, Optional

from chalicelib import config

MAX_RESPONSE = 64 * 1024
MAX_TIMEOUT = 10.0
MAX_REDIRECTS = 3
ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "Parley-bot/1.0"
REDIRECT_CODES = (301, 302, 303, 307, 308)

Resolver = Callable[[str, int], list]


class EndpointError(RuntimeError):
    pass


class RefusedAddress(EndpointError):
    """The URL's host is (or resolves to) an address flows may not call."""


_SHARED = ipaddress.ip_network("100.64.0.0/10")      # carrier-grade NAT, not is_private in 3.11
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def address_refusal(ip, allow_loopback: bool = False) -> Optional[str]:
    """Why a flow may not call this address (None: it may)."""
    ip = ipaddress.ip_address(ip)
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or \
            (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            why = address_refusal(embedded, allow_loopback)
            return f"{why} (inside {ip})" if why else None
        if ip in _SITE_LOCAL:
            return "a site-local address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address (such as the metadata service)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.version == 4 and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    return None


def loopback_allowed() -> bool:
    return config.allow_loopback_endpoints()


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise EndpointError(f"cannot resolve {host!r}: {exc}") from None
    return [info[4][0] for info in infos]


def check_url(url: str) -> urllib.parse.SplitResult:
    """Scheme and host only (no DNS): what a flow definition must have to be saved."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise EndpointError("only http(s) URLs with a host are allowed")
    try:
        parts.port
    except ValueError:
        raise EndpointError("the URL's port is not valid") from None
    return parts


def check_literal(url: str, allow_loopback: Optional[bool] = None) -> None:
    """At save time: refuse a URL whose host is an IP literal flows may not call."""
    host = check_url(url).hostname
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return
    why = address_refusal(ip, loopback_allowed() if allow_loopback is None else allow_loopback)
    if why:
        raise RefusedAddress(f"{host} is {why}")


def resolve_checked(host: str, port: int, allow_loopback: bool,
                    resolver: Resolver = system_resolver) -> str:
    """The address to connect to: every resolved address must pass; the first is used."""
    try:
        addrs = [ipaddress.ip_address(host)]
    except ValueError:
        addrs = [ipaddress.ip_address(str(a).split("%", 1)[0]) for a in resolver(host, port)]
    if not addrs:
        raise EndpointError(f"{host!r} has no address")
    for ip in addrs:
        why = address_refusal(ip, allow_loopback)
        if why:
            raise RefusedAddress(f"{host} resolves to {ip}, {why}")
    return str(addrs[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _request(url: str, method: str, data: Optional[bytes], headers: dict, timeout: float,
             allow_loopback: bool, resolver: Resolver):
    """One hop: (status, location header, body)."""
    parts = check_url(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    ip = resolve_checked(parts.hostname, port, allow_loopback, resolver)
    conn_cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = conn_cls(parts.hostname, port, ip, timeout)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        body = resp.read(MAX_RESPONSE + 1)
        return resp.status, resp.getheader("Location"), body
    finally:
        conn.close()


def call(url: str, payload: dict, timeout: float = 5.0, *,
         allow_loopback: Optional[bool] = None, resolver: Resolver = system_resolver) -> dict:
    check_url(url)
    allow_loopback = loopback_allowed() if allow_loopback is None else allow_loopback
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
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            status, location, body = _request(url, method, data, headers, timeout,
                                              allow_loopback, resolver)
        except EndpointError:
            raise
        except Exception as exc:  # OSError, timeouts, TLS failures, connection resets
            raise EndpointError(f"endpoint unreachable: {exc!r}") from None
        if status in REDIRECT_CODES and location:
            url = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
                raise EndpointError("redirect to a non-http(s) URL refused")
            if status in (301, 302, 303) and method == "POST":
                method, data = "GET", None
                headers.pop("Content-Type", None)
            continue
        break
    else:
        raise EndpointError(f"more than {MAX_REDIRECTS} redirects")
    if status >= 300:
        raise EndpointError(f"endpoint answered HTTP {status}")
    if len(body) > MAX_RESPONSE:
        raise EndpointError("endpoint response too large")
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EndpointError("endpoint response is not JSON") from None
    if not isinstance(doc, dict):
        raise EndpointError("endpoint response is not a JSON object")
    return doc


def logged_call(conversation_id: Optional[str]):
    """``call`` for one conversation's flow: a failure is logged with its reason (a refused
    address at WARNING, naming the host, never the payload) and re-raised for the engine."""
    from chalicelib import log

    def run(url: str, payload: dict, timeout: float = 5.0) -> dict:
        try:
            return call(url, payload, timeout)
        except RefusedAddress as exc:
            log.warning("flow_endpoint_refused", conversation_id=conversation_id,
                        reason=str(exc))
            raise
        except EndpointError as exc:
            log.warning("flow_endpoint_failed", conversation_id=conversation_id,
                        host=urllib.parse.urlsplit(url).hostname, reason=str(exc)[:200])
            raise
    return run

"""CORS: agent and admin routes answer the configured console origin only; visitor routes
stay open to every site that embeds the widget (chalicelib/api/cors.py, app.py).

tests/conftest.py sets PARLEY_CONSOLE_ORIGIN=https://console.parley.test before app.py is
imported. No AWS: the requests checked here are refused before any adapter is used."""
from __future__ import annotations

import pytest
from chalice.test import Client

from app import app
from chalicelib.api import cors

CONSOLE = "https://console.parley.test"
EVIL = "https://evil.example"


def routes():
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            yield path, method, entry


def test_every_agent_and_admin_route_allows_only_the_console_origin():
    checked = 0
    for path, method, entry in routes():
        if path.startswith(("/v1/agent", "/v1/admin")):
            assert entry.cors is not None and entry.cors.allow_origin == CONSOLE, (method, path)
            checked += 1
    assert checked > 30


def test_visitor_routes_stay_open():
    checked = 0
    for path, method, entry in routes():
        if path.startswith("/v1/visitor") or path == "/v1/health":
            assert entry.cors is not None and entry.cors.allow_origin == "*", (method, path)
            checked += 1
    assert checked > 5
    assert {p for p, _, _ in routes()} <= {p for p, _, _ in routes()
                                           if p.startswith(("/v1/visitor", "/v1/agent",
                                                            "/v1/admin", "/v1/health",
                                                            "/v1/channels"))}


def test_channel_webhooks_answer_no_browser_origin():
    """WeChat's servers and businesses' systems call /v1/channels; no browser should."""
    checked = 0
    for path, method, entry in routes():
        if path.startswith("/v1/channels"):
            assert not entry.cors, (method, path)
            checked += 1
    assert checked == 3


@pytest.fixture(scope="module")
def client():
    with Client(app) as c:
        yield c


def preflight(path, origin, method) -> dict:
    """An OPTIONS preflight as API Gateway answers it (chalice.test.Client cannot send one)."""
    from chalice.config import Config
    from chalice.local import LocalGateway
    resp = LocalGateway(app, Config()).handle_request(
        "OPTIONS", path, {"origin": origin, "access-control-request-method": method,
                          "access-control-request-headers": "authorization"}, None)
    return {k.lower(): v for k, v in resp["headers"].items()}


def headers(resp):
    return {k.lower(): v for k, v in resp.headers.items()}


@pytest.mark.parametrize("path", ["/v1/agent/me", "/v1/admin/agents", "/v1/admin/kb/flows"])
def test_admin_answers_name_the_console_never_a_wildcard(client, path):
    pre = preflight(path, EVIL, "GET")
    assert pre["access-control-allow-origin"] == CONSOLE
    resp = client.http.get(path, headers={"Origin": EVIL})
    assert resp.status_code == 401
    h = headers(resp)
    assert h["access-control-allow-origin"] == CONSOLE       # a browser at EVIL is refused
    assert "authorization" in h["access-control-allow-headers"].lower()


def test_visitor_answers_are_open_to_embedding_sites(client):
    pre = preflight("/v1/visitor/sessions", "https://shop.example", "POST")
    assert pre["access-control-allow-origin"] == "*"
    resp = client.http.get("/v1/visitor/conversations/c_1/messages",
                           headers={"Origin": "https://shop.example"})
    assert resp.status_code == 401
    assert headers(resp)["access-control-allow-origin"] == "*"
    assert "retry-after" in headers(resp)["access-control-expose-headers"].lower()


def test_without_a_console_origin_admin_routes_send_no_cors_headers():
    assert cors.console_cors("") is False
    c = cors.console_cors("https://c.example")
    assert c.allow_origin == "https://c.example" and "Authorization" in c.allow_headers

"""Bot flow endpoints: no server-side request forgery (chalicelib/adapters/http_endpoint.py).

No AWS, no DNS: names resolve through a fake resolver; the only server is a stub on 127.0.0.1,
reachable only where a test allows loopback (as the local runtime does)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from chalicelib.adapters import http_endpoint as he
from chalicelib.domain.bot import FlowEngine
from chalicelib.errors import ValidationError

REFUSED = ["10.0.0.1", "10.255.1.2", "172.16.0.1", "192.168.1.1", "127.0.0.1", "127.8.9.10",
           "169.254.169.254", "169.254.0.1", "0.0.0.0", "224.0.0.1", "100.64.0.1",
           "240.0.0.1", "::1", "::", "fd00::1", "fc00::5", "fe80::1", "fec0::1", "ff02::1",
           "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
           "2002:a00:1::", "64:ff9b::a9fe:a9fe"]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


class Stub(BaseHTTPRequestHandler):
    """Answers JSON, or redirects to ?to=... ; records every request it gets."""
    seen: list = []
    redirect_to: str | None = None

    def _answer(self):
        Stub.seen.append((self.command, self.path, self.headers.get("Host")))
        if Stub.redirect_to:
            self.send_response(302)
            self.send_header("Location", Stub.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps({"ok": True, "status": "shipped"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    Stub.seen, Stub.redirect_to = [], None
    server = HTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def connections(monkeypatch):
    """Every TCP connection the adapter opens (host, port)."""
    opened = []
    real = socket.create_connection

    def record(addr, *args, **kwargs):
        opened.append(addr)
        return real(addr, *args, **kwargs)
    monkeypatch.setattr(he.socket, "create_connection", record)
    return opened


def resolver(table):
    calls = []

    def resolve(host, port):
        calls.append(host)
        return list(table[host])
    resolve.calls = calls
    return resolve


@pytest.mark.parametrize("ip", REFUSED)
def test_internal_addresses_are_refused(ip):
    assert he.address_refusal(ip) is not None


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_pass(ip):
    assert he.address_refusal(ip) is None


def test_loopback_only_with_the_local_flag():
    assert he.address_refusal("127.0.0.1", allow_loopback=True) is None
    assert he.address_refusal("::1", allow_loopback=True) is None
    assert he.address_refusal("::ffff:127.0.0.1", allow_loopback=True) is None
    for ip in ("10.0.0.1", "169.254.169.254", "fd00::1", "::ffff:192.168.0.1"):
        assert he.address_refusal(ip, allow_loopback=True) is not None


@pytest.mark.parametrize("url", ["http://10.0.0.1/orders", "http://127.0.0.1:9/x",
                                 "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]/x", "http://[fd00::1]/x",
                                 "http://[::ffff:10.0.0.1]/x", "https://0.0.0.0/x"])
def test_literal_targets_are_refused_and_nothing_is_sent(url, connections):
    with pytest.raises(he.RefusedAddress):
        he.call(url, {"order_id": "AB123456"}, 1, allow_loopback=False)
    assert connections == []


def test_a_name_resolving_to_a_private_address_is_refused(connections):
    r = resolver({"orders.example.com": ["10.1.2.3"],
                  "mixed.example.com": ["93.184.216.34", "192.168.0.7"],
                  "metadata.example.com": ["169.254.169.254"],
                  "v6.example.com": ["fd12:3456::1"]})
    for host in ("orders", "mixed", "metadata", "v6"):
        with pytest.raises(he.RefusedAddress) as err:
            he.call(f"https://{host}.example.com/status", {}, 1, allow_loopback=False,
                    resolver=r)
        assert f"{host}.example.com resolves to" in str(err.value)
    assert connections == []


def test_loopback_is_refused_without_the_flag(stub, connections):
    with pytest.raises(he.RefusedAddress):
        he.call(f"http://127.0.0.1:{stub}/orders", {"order_id": "AB1"}, 2, allow_loopback=False)
    assert Stub.seen == [] and connections == []


def test_the_connection_goes_to_the_checked_address(stub, connections):
    """Resolved once, connected to that address: a second lookup (DNS rebinding) is never
    made; the Host header still names the host."""
    r = resolver({"orders.example.com": ["127.0.0.1"]})
    doc = he.call(f"http://orders.example.com:{stub}/status", {"order_id": "AB1"}, 2,
                  allow_loopback=True, resolver=r)
    assert doc["status"] == "shipped"
    assert r.calls == ["orders.example.com"]
    assert connections == [("127.0.0.1", stub)]
    assert Stub.seen == [("POST", "/status", f"orders.example.com:{stub}")]


@pytest.mark.parametrize("target", ["http://10.0.0.1/x", "http://169.254.169.254/latest/",
                                    "http://[fd00::1]/x", "http://internal.example.com/x"])
def test_a_redirect_to_an_internal_target_is_refused(stub, connections, target):
    Stub.redirect_to = target
    r = resolver({"internal.example.com": ["192.168.10.10"]})
    with pytest.raises(he.RefusedAddress):
        he.call(f"http://127.0.0.1:{stub}/start", {"order_id": "AB1"}, 2, allow_loopback=True,
                resolver=r)
    assert connections == [("127.0.0.1", stub)]          # only the first hop was made
    assert len(Stub.seen) == 1


def test_redirects_to_other_schemes_and_loops_are_refused(stub):
    Stub.redirect_to = "file:///etc/passwd"
    with pytest.raises(he.EndpointError, match="non-http"):
        he.call(f"http://127.0.0.1:{stub}/a", {}, 2, allow_loopback=True)
    Stub.redirect_to = f"http://127.0.0.1:{stub}/again"
    with pytest.raises(he.EndpointError, match="redirects"):
        he.call(f"http://127.0.0.1:{stub}/a", {}, 2, allow_loopback=True)
    assert len(Stub.seen) == 1 + he.MAX_REDIRECTS + 1


FLOW = {"id": "order", "triggers": ["order status"],
        "slots": [{"name": "order_id", "kind": "order", "pattern": "[A-Z]{2}\\d{6}",
                   "prompt": "Order number?"}],
        "action": {"url": "http://169.254.169.254/latest/meta-data/iam", "method": "GET"},
        "answers": {"success": "Order {order_id}: {status}", "failure": "Sorry, cannot look."}}


def test_a_flow_aimed_at_the_metadata_service_fails_politely_and_logs_why(monkeypatch,
                                                                          connections):
    monkeypatch.setenv("PARLEY_ALLOW_LOOPBACK_ENDPOINTS", "0")
    logged = []
    monkeypatch.setattr("chalicelib.log.warning", lambda event, **f: logged.append((event, f)))
    reply, state = FlowEngine([FLOW]).step(None, "order status AB123456", {},
                                           he.logged_call("c_1"), lang="en")
    assert (reply.status, reply.text, state) == ("failed", "Sorry, cannot look.", {})
    assert connections == []
    assert logged == [("flow_endpoint_refused", {
        "conversation_id": "c_1",
        "reason": "169.254.169.254 resolves to 169.254.169.254, a link-local address "
                  "(such as the metadata service)"})]


def test_saving_a_flow_with_an_internal_literal_url_is_refused(monkeypatch):
    from chalicelib.services.bot import validate_flow
    monkeypatch.setenv("PARLEY_ALLOW_LOOPBACK_ENDPOINTS", "0")
    for url in ("http://10.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/"):
        with pytest.raises(ValidationError) as err:
            validate_flow({**FLOW, "action": {"url": url}})
        assert err.value.code == "private_url"
        assert err.value.details == {"field": "flow.action.url"}
    assert validate_flow({**FLOW, "action": {"url": "https://api.example.com/o"}})["id"] == "order"

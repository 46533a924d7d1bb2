"""The console's Channels page (web/console/channels.js) in Chromium against the local
runtime: an admin creates an API key (shown once, then only its prefix) and revokes it; adds a
webhook endpoint to a receiver on loopback by keyboard and checkboxes, sees its secret once,
a visitor's message reaches the receiver signed, and the delivery log shows the response
code; in both languages, at phone width."""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.console_fixtures import (RestVisitor, console,  # noqa: F401
                                            rest)

pytestmark = pytest.mark.timeout(180)
XSS = "<img src=x onerror=\"window.__pwned=1\">"


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


@pytest.fixture
def receiver():
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.append({"headers": dict(self.headers), "body": body})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    server.shutdown()
    server.server_close()


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def test_api_key_is_shown_once_and_revoked(console, runtime, rest):
    page = console(admin_creds(runtime), online=False)
    page.locator("#pages [data-page=channels]").focus()
    page.keyboard.press("Enter")
    page.locator("#ch-key-name").fill(XSS)
    page.locator("#ch-key-scope").select_option("read-only")
    page.locator("#ch-key-name").press("Enter")
    key = page.locator("#ch-key-value").input_value(timeout=10000)
    assert key.startswith("pk_live_")
    status_ok = rest.call("GET", "/admin/agents", None, key)      # the key works
    assert "agents" in status_ok
    row = page.locator("#ch-key-rows tr", has_text="pk_live_")
    row.first.wait_for(timeout=10000)
    assert XSS in row.first.inner_text()                          # the name stays text
    # leave and come back: only the prefix remains, never the key
    page.locator("#pages [data-page=audit]").click()
    page.locator("#pages [data-page=channels]").click()
    page.locator("#ch-key-rows tr").first.wait_for(timeout=10000)
    assert page.locator("#ch-key-value").count() == 0
    assert key not in page.locator("#page-channels").inner_text()
    # revoke with the confirmation accepted: the key answers 401 at once
    page.evaluate("() => { window.confirm = () => true; }")
    key_id = key.split("_")[2]
    page.locator(f"#ch-key-rows tr[data-key='{key_id}'] button").click()
    page.locator(f"#ch-key-rows tr[data-key='{key_id}']", has_text="Revoked").wait_for(
        timeout=10000)
    rest.call("GET", "/admin/agents", None, key, expect=(401,))
    # the list pages (50 a page): with more keys than that, "More keys" shows the rest
    token = rest.call("POST", "/agent/login", {"email": admin_creds(runtime)["email"],
                                               "password": admin_creds(runtime)["password"]})
    for i in range(51):
        rest.call("POST", "/admin/api-keys", {"name": f"bulk {i}", "scope": "read-only"},
                  token["token"])
    total = 0
    cursor = ""
    while True:
        got = rest.call("GET", "/admin/api-keys" + (f"?cursor={cursor}" if cursor else ""),
                        None, token["token"])
        total += len(got["api_keys"])
        cursor = got["cursor"]
        if not cursor:
            break
    page.locator("#pages [data-page=audit]").click()
    page.locator("#pages [data-page=channels]").click()
    page.locator("#ch-keys-more").wait_for(timeout=10000)
    assert page.locator("#ch-key-rows tr").count() == 50
    page.locator("#ch-keys-more").click()
    page.wait_for_function(f"() => document.querySelectorAll('#ch-key-rows tr').length === {total}",
                           timeout=10000)
    assert page.locator("#ch-keys-more").is_hidden()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_webhook_created_in_the_console_delivers_and_logs(console, runtime, rest, receiver,
                                                          artifacts_dir):
    url, got = receiver
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    page.evaluate("() => document.querySelector('#pages [data-page=channels]').click()")
    page.locator("#ch-site option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#ch-site").select_option("demo")
    page.locator("#ch-hook-add").click()
    page.locator("#ch-hook-url").fill(url)
    page.locator("#ch-hook-desc").fill("CRM sync")
    page.locator("input[name=ch-event][value='conversation.closed']").check()
    page.locator("#ch-hook-desc").press("Enter")                 # Enter submits the form
    secret = page.locator("#ch-hook-secret").input_value(timeout=10000)
    assert secret.startswith("whsec_")
    hook = page.locator("#ch-hook-list li.hook", has_text=url)
    hook.wait_for(timeout=10000)
    assert "message.created" in hook.inner_text() and "conversation.closed" in hook.inner_text()
    # a visitor writes: the event reaches the receiver through the stream, signed
    visitor = RestVisitor(rest, "Webhook visitor")
    visitor.say("hello from the widget")
    deadline = time.time() + 30
    while time.time() < deadline and not any(
            r["headers"].get("Parley-Event-Type") == "message.created" for r in got):
        time.sleep(0.25)
    delivered = [r for r in got if r["headers"].get("Parley-Event-Type") == "message.created"]
    assert delivered, "the receiver got no message.created"
    assert verify(secret, delivered[0]["headers"]["Parley-Signature"], delivered[0]["body"])
    # the delivery log shows it with the receiver's 200
    hook.locator("button", has_text="Delivery log").click()
    row = page.locator("#ch-dl-rows tr[data-status=succeeded]").first
    row.wait_for(timeout=10000)
    assert "200" in row.locator("td.code").inner_text()
    # the page fits a phone: nothing wider than the viewport but the scrolling tables
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390 + 1, wide
    page.screenshot(path=str(artifacts_dir / "console-channels.png"), full_page=True)
    # redeliver from the log, by keyboard
    page.locator("#ch-dl-rows tr[data-status=succeeded] button").first.focus()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Redelivery queued").wait_for(timeout=10000)
    # zh-CN
    page.locator("header .lang-toggle").click()
    page.locator("#page-channels h2", has_text="渠道").wait_for()
    page.locator("#ch-hooks-h", has_text="Webhook").wait_for()
    page.locator("header .lang-toggle").click()
    assert not page.parley_log.errors, page.parley_log.errors

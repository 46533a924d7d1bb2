"""The Channels page's "API channels" section (web/console/api_channels.js) in Chromium
against the local runtime: an admin creates an API channel by keyboard, reads its signing
secret shown once, the test posts a message signed with it (Python hmac) to the inbound URL
the page shows, and the conversation appears in the inbox with an API badge; the curl
example names the URL; rotating shows a new secret once; delete asks first. The WeChat setup
renders inside the same page. In both languages, at phone width, names rendered as text. A
channel API key made in the console (scope channel, a site) posts without a signature; a
read-only key gets 403."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(180)
XSS = "<img src=x onerror=\"window.__pwned=1\">"


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def post_signed(url: str, secret: str, body: dict) -> tuple[int, dict]:
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(secret.encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Parley-Timestamp": ts,
        "X-Parley-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_api_channel_created_in_the_console_receives_a_signed_message(console, runtime,
                                                                      artifacts_dir):
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    page.locator("#pages [data-page=channels]").focus()
    page.keyboard.press("Enter")
    page.locator("#ac-site option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#ac-site").select_option("demo")
    name = f"App {uuid.uuid4().hex[:6]} {XSS}"
    page.locator("#ac-name").fill(name)
    page.locator("#ac-name").press("Enter")                      # Enter submits the form
    secret = page.locator("#ac-secret").input_value(timeout=10000)
    assert secret.startswith("whsec_")
    channel_id = page.locator("#ac-once .once").get_attribute("data-channel")
    card = page.locator(f"#ac-list li.ac-channel[data-channel='{channel_id}']")
    card.wait_for(timeout=10000)
    assert name in card.inner_text()                              # the name stays text
    url = card.locator(".ac-url").inner_text()
    assert url.startswith("http") and url.endswith(f"/v1/channels/{channel_id}/messages")
    assert url in card.locator(".ac-curl").inner_text()
    assert "X-Parley-Signature" in card.locator(".ac-curl").inner_text()
    # the WeChat setup is a section of the same page
    page.locator("#page-channels #ch-wechat .wx-checklist").wait_for(timeout=10000)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width                      # no sideways scrolling on a phone
    page.screenshot(path=str(artifacts_dir / "console-api-channels.png"), full_page=True)

    # the business's system posts a message signed with the secret shown once
    text = f"Where is my order {uuid.uuid4().hex[:6]}?"
    status, out = post_signed(url, secret, {"user": {"id": f"u-{uuid.uuid4().hex[:8]}",
                                                     "name": "Li Lei"},
                                            "text": text, "client_message_id": "m-1"})
    assert status == 201, out
    conv_id = out["conversation_id"]
    # a wrong secret is refused
    assert post_signed(url, "whsec_wrong", {"user": {"id": "u-x"}, "text": "x",
                                            "client_message_id": "m-2"})[0] == 401

    # the conversation is in the inbox (open with the bot, or queued) with an API badge
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("#pages [data-page=inbox]").click()
    page.wait_for_function("() => ParleyConsole.state().loadedLists.includes('open')",
                           timeout=10000)
    item = page.locator(f"#conv-list li.conv[data-cid='{conv_id}']")
    for tab in ("open", "queue", "open", "queue"):
        page.locator(f"[data-tab={tab}]").click()
        try:
            item.wait_for(timeout=5000)
            break
        except Exception:
            continue
    item.wait_for(timeout=1000)
    assert item.locator(".channel-badge.ch-api").inner_text() == "API"

    # rotate: a new secret shown once, and it signs; delete asks first
    page.locator("#pages [data-page=channels]").click()
    card.wait_for(timeout=10000)
    page.evaluate("() => { window.confirm = () => true; }")
    card.locator("button.ac-rotate").click()
    page.wait_for_function(f"() => document.querySelector('#ac-secret') && "
                           f"document.querySelector('#ac-secret').value !== {json.dumps(secret)}",
                           timeout=10000)
    rotated = page.locator("#ac-secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret
    assert post_signed(url, rotated, {"user": {"id": "u-r"}, "text": "after rotation",
                                      "client_message_id": "m-3"})[0] == 201
    page.locator("header .lang-toggle").click()
    page.locator("#ch-api h3", has_text="API 渠道").wait_for(timeout=10000)
    page.locator("#ch-wechat h3", has_text="微信公众号 / 小程序").wait_for(timeout=10000)
    page.evaluate("() => { window.confirm = () => false; }")
    card.locator("button.ac-delete").click()
    assert card.count() == 1                                      # declined: still there
    page.evaluate("() => { window.confirm = () => true; }")
    card.locator("button.ac-delete").click()
    card.wait_for(state="detached", timeout=10000)
    assert post_signed(url, rotated, {"user": {"id": "u-r"}, "text": "gone",
                                      "client_message_id": "m-4"})[0] == 404
    page.locator("header .lang-toggle").click()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_a_channel_key_made_in_the_console_posts_to_its_sites_channel(console, runtime,
                                                                     rest, admin_token):
    page = console(admin_creds(runtime), online=False)
    page.locator("#pages [data-page=channels]").focus()
    page.keyboard.press("Enter")
    page.locator("#ch-key-scope").select_option("read-only")
    assert page.locator("#ch-key-site").is_hidden()              # only channel keys name a site
    page.locator("#ch-key-scope").select_option("channel")
    page.locator("#ch-key-site option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#ch-key-site").select_option("demo")
    page.locator("#ch-key-name").fill("Our app")
    page.locator("#ch-key-name").press("Enter")
    key = page.locator("#ch-key-value").input_value(timeout=10000)
    key_id = key.split("_")[2]
    row = page.locator(f"#ch-key-rows tr[data-key='{key_id}']")
    row.wait_for(timeout=10000)
    assert "demo" in row.inner_text()
    # create the channel in the section, then post with the key instead of a signature
    page.locator("#ac-site option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#ac-site").select_option("demo")      # other tests add sites before it
    page.locator("#ac-name").fill(f"Keyed {uuid.uuid4().hex[:6]}")
    page.locator("#ac-name").press("Enter")
    page.locator("#ac-secret").wait_for(timeout=10000)
    channel_id = page.locator("#ac-once .once").get_attribute("data-channel")
    url = page.locator(f"li.ac-channel[data-channel='{channel_id}'] .ac-url").inner_text()
    raw = json.dumps({"user": {"id": "u-key"}, "text": "by key",
                      "client_message_id": "k-1"}).encode()
    req = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=15) as resp:
        assert resp.status == 201 and json.loads(resp.read())["created"] is True
    # a read-only key may not post there: 403 key_scope
    read = rest.call("POST", "/admin/api-keys", {"name": "BI", "scope": "read-only"},
                     admin_token)["key"]
    req = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {read}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=15)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["error"]["code"] == "key_scope"
    assert not page.parley_log.errors, page.parley_log.errors

"""The visitor chat widget in a real browser (Chromium) against the local runtime.

The agent side is driven through the REST API; the visitor side only through the page.
"""
from __future__ import annotations

import gzip
import json
import socket
import struct
import time
import urllib.error
import urllib.request
import uuid
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

WEB = Path(__file__).resolve().parents[2] / "web"
BUDGET = 20 * 1024
XSS = ["<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>"]


# ------------------------------------------------------------------ helpers
def http(method, url, body=None, token=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


class Agent:
    """The agent side, through REST only."""

    def __init__(self, rt):
        self.rt = rt
        c = rt.credentials
        status, data = http("POST", f"{rt.api_url}/agent/login",
                            {"email": c.get("admin_email", "admin@demo.parley"),
                             "password": c["admin_password"]})
        assert status == 200, data
        self.token = data["token"]

    def call(self, method, path, body=None, expect=(200, 201)):
        status, data = http(method, f"{self.rt.api_url}/agent{path}", body, self.token)
        assert status in expect, (method, path, status, data)
        return data

    def join(self, cid):
        return self.call("POST", f"/conversations/{cid}/join", {})

    def say(self, cid, text):
        return self.call("POST", f"/conversations/{cid}/messages",
                         {"client_message_id": uuid.uuid4().hex, "text": text})["message"]

    def history(self, cid):
        return self.call("GET", f"/conversations/{cid}/messages?after=0&limit=200")["messages"]

    def texts(self, cid, sender="visitor"):
        return [m.get("text") for m in self.history(cid) if m["sender"]["type"] == sender]

    def wait_text(self, cid, text, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.texts(cid):
                return
            time.sleep(0.2)
        raise AssertionError(f"agent never saw {text!r}: {self.texts(cid)}")


def wait_ready(page, transport=None, timeout=20000):
    page.wait_for_function("() => window.Parley && Parley.state().ready", timeout=timeout)
    cond = "Parley.state().connection === 'online'"
    if transport:
        cond += f" && Parley.state().transport === '{transport}'"
    page.wait_for_function(f"() => {cond}", timeout=timeout)
    return page.evaluate("Parley.state()")


def open_widget(page):
    page.locator(".p-launcher").click()
    page.locator(".p-panel[role=dialog]").wait_for(state="visible")


def type_and_send(page, text):
    page.locator(".p-input").fill(text)
    page.locator(".p-input").press("Enter")


def bubbles(page, who=None):
    sel = ".p-log .p-msg[data-seq]" + (f".p-{who}" if who else "") + " .p-bubble"
    return page.locator(sel).all_inner_texts()


def wait_bubble(page, text, timeout=10000):
    page.locator(".p-log .p-msg[data-seq] .p-bubble", has_text=text).first.wait_for(
        timeout=timeout)


def seqs(page):
    return page.evaluate("""() => [...document.querySelector('#parley-widget').shadowRoot
        .querySelectorAll('.p-log .p-msg[data-seq]')].map(e => +e.dataset.seq)""")


def assert_gapless_once(page):
    s = seqs(page)
    assert s == sorted(s) and len(set(s)) == len(s), s
    assert s == list(range(s[0], s[0] + len(s))), f"gap in {s}"


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def with_script_attrs(page, rt, path, attrs):
    """Serve the demo page with extra attributes on the widget's script tag (as a customer
    would write them). Note: Chromium treats a page fulfilled by page.route as non-local, so
    its Local Network Access checks block ws://127.0.0.1 from it: use only for long-poll."""
    html = (WEB / "demo" / "index.html").read_text()
    tag = '<script async src="/widget/parley.js" data-site-key="demo"'
    assert tag in html
    html = html.replace(tag, tag + "".join(f' {k}="{v}"' for k, v in attrs.items()))
    page.route(rt.base_url + path, lambda route: route.fulfill(
        status=200, content_type="text/html", body=html))
    page.goto(rt.base_url + path)


def tiny_png(w=8, h=8, rgb=(37, 99, 235)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ------------------------------------------------------------------ tests
def test_visitor_and_agent_chat_over_websocket(new_page, runtime):
    page = new_page("/demo/")
    state = wait_ready(page, transport="ws")
    ready_ms = page.evaluate("Parley.readyMs")
    mark = page.evaluate("performance.getEntriesByName('parley-ready')[0].startTime")
    print(f"\n[widget] page load -> widget ready: {ready_ms} ms after the script ran, "
          f"{mark:.0f} ms after navigation start")
    assert ready_ms < 5000

    # ARIA and focus handling
    assert page.locator(".p-launcher").get_attribute("aria-expanded") == "false"
    page.locator(".p-launcher").focus()
    page.keyboard.press("Enter")
    assert page.locator("[role=dialog]").is_visible()
    assert page.locator("[role=log]").get_attribute("aria-live") == "polite"
    assert page.evaluate("document.querySelector('#parley-widget').shadowRoot"
                         ".activeElement.className") == "p-input"
    assert "How can we help" in page.locator(".p-greeting").inner_text()

    cid = state["conversation_id"]
    type_and_send(page, "Hello from the browser")
    wait_bubble(page, "Hello from the browser")
    agent = Agent(runtime)
    agent.wait_text(cid, "Hello from the browser")
    agent.join(cid)
    page.locator(".p-title", has_text="Demo Admin").wait_for()
    assert page.locator(".p-avatar").inner_text() == "DA"

    # typing both ways
    agent.call("POST", f"/conversations/{cid}/typing", {"state": True})
    page.locator(".p-typing", has_text="typing").wait_for()
    page.locator(".p-input").type("I am typ")
    deadline = time.time() + 10
    while "visitor" not in agent.call("GET", f"/conversations/{cid}/poll?after=999&wait=0"
                                      ).get("conversation", {}).get("typing", []):
        assert time.time() < deadline, "the agent never saw the visitor typing"
        time.sleep(0.2)
    page.locator(".p-input").fill("")

    agent.say(cid, "Hi, I am Ada. How can I help? See https://example.com/help")
    wait_bubble(page, "Hi, I am Ada")
    assert page.locator(".p-typing").is_hidden()
    link = page.locator(".p-them .p-bubble a").last
    assert link.get_attribute("href") == "https://example.com/help"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"

    # read receipts: the widget marked the agent's message read; the agent's read shows "Seen"
    last = agent.history(cid)[-1]["seq"]
    deadline = time.time() + 10
    while agent.call("GET", f"/conversations/{cid}")["conversation"]["reads"].get("visitor") != last:
        assert time.time() < deadline, "the visitor's read receipt never arrived"
        time.sleep(0.2)
    type_and_send(page, "My order is late")
    agent.wait_text(cid, "My order is late")
    mine = agent.history(cid)[-1]["seq"]
    agent.call("POST", f"/conversations/{cid}/read", {"seq": mine})
    page.locator(".p-me .p-seen", has_text="Seen").wait_for()

    assert page.evaluate("Parley.state().transport") == "ws"
    assert_gapless_once(page)
    assert agent.texts(cid) == ["Hello from the browser", "My order is late"]

    # Escape closes and focus returns to the launcher
    page.locator(".p-input").press("Escape")
    assert page.locator("[role=dialog]").is_hidden()
    assert page.evaluate("document.querySelector('#parley-widget').shadowRoot"
                         ".activeElement.className") == "p-launcher"

    # unread badge while minimised; cleared on open
    agent.say(cid, "Are you still there?")
    page.locator(".p-badge", has_text="1").wait_for()
    page.locator(".p-launcher").click()
    page.locator(".p-badge").wait_for(state="hidden")

    # history survives a reload (same visitor, same conversation, nothing doubled)
    page.reload()
    again = wait_ready(page)
    assert again["conversation_id"] == cid and again["visitor_id"] == state["visitor_id"]
    wait_bubble(page, "Are you still there?")
    assert bubbles(page, "me") == ["Hello from the browser", "My order is late"]
    assert_gapless_once(page)
    assert not page.parley_log.errors


def test_long_poll_fallback_when_websocket_cannot_open(new_page, runtime):
    page = new_page(goto=False)
    with_script_attrs(page, runtime, "/demo/longpoll.html",
                      {"data-ws": f"ws://127.0.0.1:{closed_port()}/ws"})
    state = wait_ready(page, transport="poll")
    cid = state["conversation_id"]
    open_widget(page)
    type_and_send(page, "Hello over long-poll")
    agent = Agent(runtime)
    agent.wait_text(cid, "Hello over long-poll")
    agent.join(cid)

    agent.call("POST", f"/conversations/{cid}/typing", {"state": True})
    page.locator(".p-typing", has_text="typing").wait_for()
    agent.say(cid, "Reply delivered by long-poll")
    wait_bubble(page, "Reply delivered by long-poll")

    page.locator(".p-input").type("typing via REST")
    deadline = time.time() + 10
    while "visitor" not in agent.call("GET", f"/conversations/{cid}/poll?after=999&wait=0"
                                      ).get("conversation", {}).get("typing", []):
        assert time.time() < deadline, "the agent never saw the visitor typing"
        time.sleep(0.2)
    page.locator(".p-input").fill("")

    type_and_send(page, "Second message by REST")
    agent.wait_text(cid, "Second message by REST")
    mine = agent.history(cid)[-1]["seq"]
    agent.call("POST", f"/conversations/{cid}/read", {"seq": mine})
    page.locator(".p-me .p-seen").wait_for()
    assert agent.call("GET", f"/conversations/{cid}")["conversation"]["reads"].get("visitor")

    assert page.evaluate("Parley.state().transport") == "poll"
    assert agent.texts(cid) == ["Hello over long-poll", "Second message by REST"]
    assert_gapless_once(page)


@pytest.mark.parametrize("transport", ["ws", "poll"])
def test_network_drop_loses_and_repeats_nothing(new_page, runtime, transport):
    page = new_page(goto=False)
    if transport == "ws":
        page.goto(runtime.base_url + "/demo/")
    else:
        with_script_attrs(page, runtime, "/demo/drop.html",
                          {"data-ws": f"ws://127.0.0.1:{closed_port()}/ws"})
    state = wait_ready(page, transport=transport)
    cid = state["conversation_id"]
    open_widget(page)
    type_and_send(page, "before the drop")
    agent = Agent(runtime)
    agent.wait_text(cid, "before the drop")
    agent.join(cid)
    agent.say(cid, "agent before")
    wait_bubble(page, "agent before")

    page.context.set_offline(True)
    page.wait_for_function("() => Parley.state().connection === 'offline'", timeout=10000)
    assert page.locator(".p-status").inner_text() == "Offline"
    agent.say(cid, "agent while offline 1")
    agent.say(cid, "agent while offline 2")
    type_and_send(page, "typed while offline")
    page.locator(".p-pending", has_text="typed while offline").wait_for()
    assert page.evaluate("Parley.state().outbox") == 1
    stored = page.evaluate("localStorage.getItem('parley:demo:outbox')")
    assert "typed while offline" in stored

    page.context.set_offline(False)
    wait_ready(page, transport=transport)
    wait_bubble(page, "agent while offline 2")
    wait_bubble(page, "typed while offline")
    page.wait_for_function("() => Parley.state().outbox === 0")
    agent.wait_text(cid, "typed while offline")
    time.sleep(1.0)  # anything duplicated would have arrived by now

    assert agent.texts(cid) == ["before the drop", "typed while offline"]
    assert bubbles(page, "me") == ["before the drop", "typed while offline"]
    theirs = bubbles(page, "them")
    for text in ("agent before", "agent while offline 1", "agent while offline 2"):
        assert theirs.count(text) == 1, theirs
    assert page.locator(".p-pending").count() == 0
    assert_gapless_once(page)
    history = agent.history(cid)
    assert seqs(page) == [m["seq"] for m in history]


def test_same_visitor_in_two_tabs(new_page, runtime):
    first = new_page("/demo/")
    state = wait_ready(first)
    second = new_page("/demo/", context=first.context)
    assert wait_ready(second)["conversation_id"] == state["conversation_id"]
    open_widget(first)
    open_widget(second)
    type_and_send(first, "sent from tab one")
    wait_bubble(second, "sent from tab one")
    agent = Agent(runtime)
    agent.join(state["conversation_id"])
    agent.say(state["conversation_id"], "to both tabs")
    wait_bubble(first, "to both tabs")
    wait_bubble(second, "to both tabs")
    assert seqs(first) == seqs(second)
    assert_gapless_once(second)


def test_attachment_round_trip_and_client_side_limits(new_page, runtime):
    page = new_page("/demo/")
    state = wait_ready(page)
    cid = state["conversation_id"]
    open_widget(page)
    png = tiny_png()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png}])
    page.locator(".p-msg[data-seq] img.p-img").wait_for(timeout=15000)
    agent = Agent(runtime)
    msgs = [m for m in agent.history(cid) if m.get("attachment")]
    assert len(msgs) == 1 and msgs[0]["sender"]["type"] == "visitor"
    att = msgs[0]["attachment"]
    assert att["name"] == "photo.png" and att["content_type"] == "image/png"
    assert att["size"] == len(png)
    with urllib.request.urlopen(att["url"], timeout=10) as resp:
        assert resp.read() == png
    # the image really rendered in the page (natural size of the uploaded PNG)
    assert page.locator(".p-msg[data-seq] img.p-img").evaluate("i => i.naturalWidth") == 8

    # limits are checked before anything is uploaded, with clear messages
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}])
    page.locator(".p-error", has_text="setup.exe").wait_for()
    assert "cannot be sent" in page.locator(".p-error").inner_text()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "huge.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF" + b"0" * (10 * 1024 * 1024)}])
    page.locator(".p-error", has_text="larger than 10 MB").wait_for()
    assert len([m for m in agent.history(cid) if m.get("attachment")]) == 1


def test_html_and_script_payloads_render_as_text(new_page, runtime):
    page = new_page("/demo/")
    state = wait_ready(page)
    cid = state["conversation_id"]
    open_widget(page)
    for payload in XSS:
        type_and_send(page, payload)
        wait_bubble(page, payload)
    agent = Agent(runtime)
    agent.join(cid)
    agent.say(cid, "agent says <img src=x onerror=alert(2)> and <b>bold</b> javascript:alert(3)")
    wait_bubble(page, "agent says")
    time.sleep(0.5)
    assert bubbles(page, "me") == XSS
    assert "<b>bold</b>" in bubbles(page, "them")[-1]
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".p-log img").count() == 0
    assert page.locator(".p-log script").count() == 0
    assert page.locator(".p-log b").count() == 0
    assert page.locator(".p-log a").count() == 0  # javascript: is never linked
    assert page.parley_log.dialogs == []
    assert page.parley_log.errors == []


def test_size_budget(runtime):
    total = 0
    for name in ("parley.js", "parley.css"):
        with urllib.request.urlopen(f"{runtime.base_url}/widget/{name}", timeout=10) as resp:
            body = resp.read()
        assert body == (WEB / "widget" / name).read_bytes()  # what is committed is served
        size = len(gzip.compress(body, compresslevel=9))
        print(f"\n[widget] {name}: {len(body)} bytes, {size} bytes gzipped")
        total += size
    print(f"[widget] JS+CSS gzipped: {total} bytes (budget {BUDGET})")
    assert total <= BUDGET


def test_strict_csp_page_works_without_violations(new_page, runtime):
    page = new_page(goto=False)
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI), true);""")
    page.goto(runtime.base_url + "/demo/csp.html")
    wait_ready(page, transport="ws")
    open_widget(page)
    type_and_send(page, "hello under CSP")
    wait_bubble(page, "hello under CSP")
    # the stylesheet really applied inside the shadow root
    assert page.locator(".p-launcher").evaluate("b => getComputedStyle(b).borderRadius") == "50%"
    assert page.evaluate("window.__violations") == []
    csp_errors = [e for e in page.parley_log.console_errors()
                  if "Content Security Policy" in e or "Refused" in e]
    assert csp_errors == []
    assert page.parley_log.errors == []


@pytest.mark.parametrize("name,viewport", [("phone", {"width": 390, "height": 844}),
                                           ("desktop", {"width": 1280, "height": 800})])
def test_screenshots(new_page, runtime, artifacts_dir, name, viewport):
    page = new_page("/demo/", viewport=viewport)
    state = wait_ready(page)
    open_widget(page)
    type_and_send(page, "Hi! Where is my order #1234?")
    agent = Agent(runtime)
    agent.join(state["conversation_id"])
    agent.say(state["conversation_id"], "Hello! Let me check that for you.")
    wait_bubble(page, "Let me check")
    box = page.locator(".p-panel").bounding_box()
    if viewport["width"] <= 480:
        assert box["width"] == viewport["width"] and box["height"] == viewport["height"]
    else:
        assert box["width"] < 500
    path = artifacts_dir / f"widget-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 1000
    print(f"\n[widget] screenshot: {path}")


def test_bot_suggestions_queue_handoff_offline_form_and_rating(new_page, runtime):
    """The queue/bot endpoints are being built elsewhere: their contract is served here by
    page.route (handoff, offline-message, rating, and bot/queue/closed data in the long-poll
    reply); everything else is the real runtime."""
    page = new_page(goto=False)
    injected, posted = [], {}
    base_conv = {"status": "open", "last_seq": 1000, "rev": 5, "reads": {}, "typing": [],
                 "agent_id": None}

    def poll(route):
        if injected:
            body = injected.pop(0)
            return route.fulfill(status=200, content_type="application/json",
                                 body=json.dumps(body))
        route.continue_(url=route.request.url.replace("wait=20", "wait=1"))

    def capture(name, reply):
        def handler(route):
            posted[name] = json.loads(route.request.post_data or "{}")
            route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))
        return handler

    def poll_reply(seq, message, **conv):
        message.update({"seq": seq, "id": f"m{seq}", "client_message_id": None,
                        "created_at": int(time.time() * 1000)})
        return {"messages": [message], "cursor": seq, "rev": 5, "timed_out": False,
                "conversation": {**base_conv, "last_seq": seq, **conv}}

    injected.append(poll_reply(1000, {
        "type": "text", "sender": {"type": "bot", "id": "bot", "name": "Bot"},
        "text": "I am not sure. Did you mean:",
        "extra": {"suggestions": [{"id": "k1", "question": "How do I track my order?"}],
                  "handoff_offered": True}}, queue_position=2, estimated_wait=180))
    page.route("**/v1/visitor/conversations/*/poll*", poll)
    page.route("**/v1/visitor/conversations/*/handoff", capture(
        "handoff", {"conversation": {**base_conv, "status": "queued"}, "offline": True}))
    page.route("**/v1/visitor/conversations/*/offline-message", capture("offline", {"ok": True}))
    page.route("**/v1/visitor/conversations/*/rating", capture("rating", {"ok": True}))
    with_script_attrs(page, runtime, "/demo/bot.html",
                      {"data-ws": f"ws://127.0.0.1:{closed_port()}/ws"})
    state = wait_ready(page, transport="poll")
    open_widget(page)

    chip = page.locator(".p-chip", has_text="How do I track my order?")
    chip.wait_for()
    assert page.locator(".p-them .p-name").last.inner_text() == "Assistant"
    assert page.locator(".p-queue").inner_text() == \
        "You are number 2 in the queue · about 3 min"
    chip.click()
    Agent(runtime).wait_text(state["conversation_id"], "How do I track my order?")

    page.locator(".p-chip-human").click()
    page.locator(".p-offline").wait_for()
    assert posted["handoff"] == {}
    page.locator(".p-offline input[name=email]").fill("vera@example.com")
    page.locator(".p-offline textarea[name=text]").fill("Please call me back")
    page.locator(".p-offline button[type=submit]").click()
    page.locator(".p-done", has_text="Message received").wait_for()
    assert posted["offline"] == {"email": "vera@example.com", "text": "Please call me back"}

    injected.append(poll_reply(1001, {
        "type": "event", "sender": {"type": "system", "id": None, "name": None},
        "event": {"kind": "closed"}}, status="closed"))
    page.locator(".p-rating").wait_for(timeout=10000)
    assert page.locator(".p-note", has_text="The chat was closed").is_visible()
    page.locator(".p-star").nth(3).click()
    score = int(page.locator(".p-rating input[name=score]:checked").get_attribute("value"))
    assert score == 4
    colours = page.locator(".p-star").evaluate_all(
        "ls => ls.map(l => getComputedStyle(l).color)")
    assert len(set(colours[:4])) == 1 and colours[4] != colours[0]
    page.locator(".p-rating textarea[name=comment]").fill("Quick and helpful")
    page.locator(".p-rating button[type=submit]").click()
    page.locator(".p-done", has_text="Thank you").wait_for()
    assert posted["rating"] == {"score": score, "comment": "Quick and helpful"}
    page.locator(".p-newchat").wait_for()
    assert page.parley_log.errors == []


def test_chinese_page(new_page):
    page = new_page("/demo/zh.html")
    assert wait_ready(page)["locale"] == "zh"
    open_widget(page)
    assert page.locator(".p-greeting").inner_text() == "您好!请问有什么可以帮您?"
    assert page.locator(".p-send").inner_text() == "发送"
    assert page.locator(".p-status").inner_text() == "在线"

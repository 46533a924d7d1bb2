"""The visitor chat widget in a real browser (Chromium) against the local runtime.

The agent side is driven through the REST API; the visitor side only through the page.
"""
from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import socket
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from pathlib import Path

import pytest
from tests.helpers.http import http

pytestmark = pytest.mark.timeout(120)

WEB = Path(__file__).resolve().parents[2] / "web"
BUDGET = 20 * 1024
XSS = ["<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>"]


# ------------------------------------------------------------------ helpers
class Agent:
    """The agent side, through REST only."""

    def __init__(self, rt, email=None, password=None):
        """The demo admin, or the agent with this email and password."""
        self.rt = rt
        c = rt.credentials
        status, data = http("POST", f"{rt.api_url}/agent/login",
                            {"email": email or c.get("admin_email", "admin@demo.parley"),
                             "password": password or c["admin_password"]})
        assert status == 200, data
        self.token = data["token"]
        self.id = data["agent"]["agent_id"]

    def admin(self, method, path, body=None, expect=(200, 201)):
        status, data = http(method, f"{self.rt.api_url}/admin{path}", body, self.token)
        assert status in expect, (method, path, status, data)
        return data

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


def wait_agent_sees_typing(agent, cid, timeout=10):
    """Poll the conversation's state (as the agent) until the visitor shows as typing."""
    deadline = time.time() + timeout
    while "visitor" not in agent.call("GET", f"/conversations/{cid}/poll?after=999&wait=0"
                                      ).get("conversation", {}).get("typing", []):
        assert time.time() < deadline, "the agent never saw the visitor typing"
        time.sleep(0.2)


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
    wait_agent_sees_typing(agent, cid)
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
    wait_agent_sees_typing(agent, cid)
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
    # What follows the agent's message (the bot's or the system's) may reach one
    # tab a moment before the other: both must settle on the server's history.
    cid = state["conversation_id"]
    wait_until(lambda: seqs(first) == seqs(second) == [m["seq"] for m in agent.history(cid)],
               "both tabs to show the whole history")
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
    # the agent's bubble (the demo bot may also have answered the payloads meanwhile)
    said = [b for b in bubbles(page, "them") if b.startswith("agent says")]
    assert len(said) == 1 and "<b>bold</b>" in said[0]
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


# ------------------------------------------------------------------ the real bot, queue, handoff
# Each test below that needs other site settings creates its own site (and team, agent) with
# unique names through the admin API and loads /demo/site.html?site=KEY: the runtime is shared
# by the whole session (console tests too), so the demo site's settings are never changed.
def uniq(prefix="w"):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def make_site(admin, **settings):
    key = uniq("wt-")
    admin.admin("POST", "/sites", {"site_key": key, "name": f"Widget test {key}",
                                   "settings": settings})
    return key


def wait_until(fn, what, timeout=15):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def row_with(page, text):
    return page.locator(".p-log .p-msg[data-seq]", has_text=text).last


def test_bot_answers_suggests_and_falls_back(new_page, runtime):
    """The demo site's bot on the seeded FAQ (infra/local/demo_kb.csv)."""
    page = new_page("/demo/")
    state = wait_ready(page, transport="ws")
    open_widget(page)

    # a FAQ question: the en-price answer, from the Assistant
    type_and_send(page, "How much does it cost?")
    answer = row_with(page, "Personal is $3/month")
    answer.wait_for(timeout=15000)
    assert answer.locator(".p-name").inner_text() == "Assistant"
    assert "p-them" in answer.get_attribute("class")

    # a question its best entry alone matches is answered (calibration.SOLE)
    type_and_send(page, "upload limit for videos from a phone")
    row_with(page, "Single files up to 50 GB").wait_for(timeout=15000)
    # middle band, two entries in play: a button per suggestion, and a human
    type_and_send(page, "limit for sharing files from phone")
    suggest = row_with(page, "Did you mean")
    suggest.wait_for(timeout=15000)
    chip = suggest.locator(".p-chip:not(.p-chip-human)", has_text="What is the maximum file size?")
    assert chip.count() == 1
    assert suggest.locator(".p-chip-human").inner_text() == "Talk to a human"
    chip.click()
    wait_bubble(page, "What is the maximum file size?")          # sent as the visitor
    page.locator(".p-log .p-msg[data-seq]").filter(has_text="Single files up to 50 GB").nth(1) \
        .wait_for(timeout=15000)
    assert bubbles(page, "me")[-1] == "What is the maximum file size?"

    # an unknown question: the fallback, with a "talk to a human" button
    type_and_send(page, "What is the weather on Mars?")
    fallback = row_with(page, "Could you rephrase")
    fallback.wait_for(timeout=15000)
    assert fallback.locator(".p-chip-human").is_visible()
    assert fallback.locator(".p-chip-human").inner_text() == "Talk to a human"

    agent = Agent(runtime)
    cid = state["conversation_id"]
    assert agent.texts(cid) == ["How much does it cost?", "upload limit for videos from a phone",
                                "limit for sharing files from phone",
                                "What is the maximum file size?",
                                "What is the weather on Mars?"]
    kinds = [m["extra"]["kind"] for m in agent.history(cid) if m["sender"]["type"] == "bot"]
    assert kinds == ["answer", "answer", "suggest", "answer", "fallback"]
    assert agent.call("GET", f"/conversations/{cid}")["conversation"]["status"] in ("new", "open")
    assert_gapless_once(page)
    assert page.parley_log.errors == []


def test_handoff_queue_assignment_reply_close_and_rating(new_page, runtime):
    admin = Agent(runtime)
    team = uniq("wt")
    admin.admin("POST", "/teams", {"id": team, "name": f"Widget test {team}"})
    site = make_site(admin, team=team)   # its own queue: no other agent serves it
    page = new_page(f"/demo/site.html?site={site}")
    state = wait_ready(page, transport="ws")
    cid = state["conversation_id"]
    open_widget(page)

    type_and_send(page, "My sync keeps failing")
    fallback = row_with(page, "Could you rephrase")      # this site's KB is empty
    fallback.wait_for(timeout=15000)
    fallback.locator(".p-chip-human").click()
    queue = page.locator(".p-queue")
    queue.wait_for(timeout=10000)
    # nobody of the team online: 1st in line, 1 × 240 s average handling time
    assert queue.inner_text() == "You are next in line · about 4 min"
    page.locator(".p-head .p-human").wait_for(state="hidden")   # queued: no second request
    page.locator(".p-note", has_text="Waiting for an agent").wait_for()
    waiting = admin.call("GET", "/queue")["conversations"]
    assert [c["queue_key"] for c in waiting if c["conversation_id"] == cid] == [team]

    email, password = f"{team}@agents.example.com", "widget-agent-pw"
    admin.admin("POST", "/agents", {"email": email, "name": "Wanda Widget", "password": password,
                                    "teams": [team], "capacity": 100})
    # every agent also serves the general queue, where other tests may have left chats
    # waiting: a large capacity keeps those from crowding ours out; offline again at the end
    agent = Agent(runtime, email, password)
    try:
        t0 = time.time()
        agent.call("PUT", "/status", {"status": "online"})
        # assignment: SQS "assign" message -> the runtime's event source -> push to the widget
        page.locator(".p-title", has_text="Wanda Widget").wait_for(timeout=20000)
        print(f"\n[widget] online -> agent shown in the widget: {time.time() - t0:.1f} s")
        assert page.locator(".p-avatar").inner_text() == "WW"
        assert queue.is_hidden()
        page.locator(".p-note", has_text="Wanda Widget will help you").wait_for()
        conv = admin.call("GET", f"/conversations/{cid}")["conversation"]
        assert conv["status"] == "assigned" and conv["agent_id"] == agent.id

        agent.say(cid, "Hi, Wanda here. Let me look at your sync.")
        wait_bubble(page, "Wanda here")
        assert row_with(page, "Wanda here").locator(".p-name").inner_text() == "Wanda Widget"
        type_and_send(page, "Thanks!")
        agent.wait_text(cid, "Thanks!")

        agent.call("POST", f"/conversations/{cid}/close", {})
        rating = page.locator(".p-rating")
        rating.wait_for(timeout=10000)
        page.locator(".p-note", has_text="The chat was closed").wait_for()
        assert page.locator(".p-input").is_disabled()
        page.locator(".p-star").nth(3).click()
        assert rating.locator("input[name=score]:checked").get_attribute("value") == "4"
        colours = page.locator(".p-star").evaluate_all(
            "ls => ls.map(l => getComputedStyle(l).color)")
        assert len(set(colours[:4])) == 1 and colours[4] != colours[0]
        rating.locator("textarea[name=comment]").fill("Quick and helpful")
        rating.locator("button[type=submit]").click()
        page.locator(".p-done", has_text="Thank you").wait_for()
        page.locator(".p-newchat").wait_for()
        stored = admin.call("GET", f"/conversations/{cid}")["conversation"]
        assert stored["status"] == "closed"
        assert stored["attrs"]["rating"]["score"] == 4
        assert stored["attrs"]["rating"]["comment"] == "Quick and helpful"
        # the visitor's comment is not echoed back as a system note
        assert page.locator(".p-note", has_text="Quick and helpful").count() == 0

        # a new chat after rating: a fresh conversation, the composer usable again
        page.locator(".p-newchat").click()
        page.wait_for_function(f"() => Parley.state().conversation_id !== '{cid}'")
        assert page.locator(".p-input").is_enabled()
        assert page.locator(".p-rating").count() == 0
    finally:
        agent.call("PUT", "/status", {"status": "offline"})
    assert page.parley_log.errors == []


def test_closed_business_hours_offer_leave_a_message(new_page, runtime):
    admin = Agent(runtime)
    site = make_site(admin, business_hours={"tz": "UTC", "days": {}})   # never open
    page = new_page(f"/demo/site.html?site={site}")
    state = wait_ready(page, transport="ws")
    cid = state["conversation_id"]
    open_widget(page)
    page.locator(".p-head .p-human").click()
    form = page.locator(".p-offline")
    form.wait_for(timeout=10000)
    assert "Leave a message" in form.locator(".p-card-title").inner_text()
    assert form.locator("input[name=email]").evaluate("e => e.required")
    form.locator("input[name=name]").fill("Vera Visitor")
    form.locator("input[name=email]").fill("vera@example.com")
    form.locator("textarea[name=text]").fill("Please call me back about my invoice")
    form.locator("button[type=submit]").click()
    page.locator(".p-done", has_text="Message received").wait_for()

    offline = wait_until(lambda: [c for c in admin.call("GET", "/conversations?status=offline")
                                  ["conversations"] if c["conversation_id"] == cid],
                         "the conversation in the offline list")
    assert offline[0]["status"] == "offline"
    assert offline[0]["attrs"]["offline"]["email"] == "vera@example.com"
    detail = admin.call("GET", f"/conversations/{cid}")
    assert detail["visitor"]["email"] == "vera@example.com"
    assert detail["visitor"]["name"] == "Vera Visitor"
    assert "Please call me back about my invoice" in admin.texts(cid)
    wait_bubble(page, "Please call me back about my invoice")
    assert page.parley_log.errors == []


def test_no_bot_site_out_of_hours_offers_the_form_once_and_after_a_reload(new_page, runtime):
    """No bot, never open: the first message brings the leave-a-message form (not a silent
    queue), further messages do not repeat the offer, and a reload shows it again."""
    admin = Agent(runtime)
    site = make_site(admin, bot_enabled=False, business_hours={"tz": "UTC", "days": {}})
    page = new_page(f"/demo/site.html?site={site}")
    state = wait_ready(page, transport="ws")
    cid = state["conversation_id"]
    open_widget(page)
    type_and_send(page, "hello, anyone?")
    page.locator(".p-offline").wait_for(timeout=10000)
    type_and_send(page, "still there?")
    admin_texts = lambda: admin.texts(cid)  # noqa: E731
    wait_until(lambda: "still there?" in admin_texts(), "the second message stored")
    events = [m for m in admin.history(cid) if (m.get("event") or {}).get("kind") == "offline"]
    assert len(events) == 1, events
    assert page.locator(".p-offline").count() == 1

    page.reload()
    wait_ready(page, transport="ws")
    if page.locator(".p-panel").is_hidden():      # the widget remembers it was open
        open_widget(page)
    page.locator(".p-offline").wait_for(timeout=10000)
    assert page.parley_log.errors == []


def test_a_reopened_chat_drops_the_rating_form(new_page, runtime):
    admin = Agent(runtime)
    team = uniq("ro")
    admin.admin("POST", "/teams", {"id": team, "name": f"Reopen {team}"})
    site = make_site(admin, team=team, bot_enabled=False)
    email, password = f"{team}@agents.example.com", "reopen-agent-pw"
    admin.admin("POST", "/agents", {"email": email, "name": "Rita Reopen", "password": password,
                                    "teams": [team], "capacity": 100})
    agent = Agent(runtime, email, password)
    agent.call("PUT", "/status", {"status": "online"})
    try:
        page = new_page(f"/demo/site.html?site={site}")
        cid = wait_ready(page, transport="ws")["conversation_id"]
        open_widget(page)
        type_and_send(page, "I need help")
        page.locator(".p-title", has_text="Rita Reopen").wait_for(timeout=20000)
        agent.call("POST", f"/conversations/{cid}/close", {})
        page.locator(".p-rating").wait_for(timeout=10000)
        assert page.locator(".p-input").is_disabled()
        agent.call("POST", f"/conversations/{cid}/reopen", {})
        page.locator(".p-rating").wait_for(state="detached", timeout=10000)
        assert page.locator(".p-input").is_enabled()
        agent.say(cid, "Back again")
        wait_bubble(page, "Back again")
    finally:
        agent.call("PUT", "/status", {"status": "offline"})
    assert page.parley_log.errors == []


def test_identified_user_history_follows_and_a_wrong_hash_is_refused(new_page, runtime):
    admin = Agent(runtime)
    site = make_site(admin)
    secret = admin.admin("POST", f"/sites/{site}/identity-secret")["identity_secret"]
    user_id = uniq("user-")
    digest = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    who = {"user_id": user_id, "hash": digest, "name": "Ida Identified",
           "email": "ida@example.com"}

    first = new_page(f"/demo/site.html?site={site}")
    anon = wait_ready(first)
    first.evaluate("who => Parley.identify(who)", who)
    ident = wait_ready(first)
    open_widget(first)
    type_and_send(first, "Remember me across devices")
    wait_bubble(first, "Remember me across devices")
    cid = ident["conversation_id"]
    admin.wait_text(cid, "Remember me across devices")
    detail = admin.call("GET", f"/conversations/{cid}")
    assert detail["visitor"]["name"] == "Ida Identified"
    assert detail["visitor"]["email"] == "ida@example.com"
    # the anonymous visitor of this browser became the user (same visitor, same conversation)
    assert ident["visitor_id"] == anon["visitor_id"] == detail["visitor"]["visitor_id"]
    assert cid == anon["conversation_id"]

    # another browser (fresh storage): anonymous first, then the same user with history
    second = new_page(f"/demo/site.html?site={site}")
    other = wait_ready(second)
    assert other["visitor_id"] != ident["visitor_id"]
    second.evaluate("who => Parley.identify(who)", who)
    second.wait_for_function(f"() => Parley.state().visitor_id === '{ident['visitor_id']}'")
    assert wait_ready(second)["conversation_id"] == cid
    open_widget(second)
    wait_bubble(second, "Remember me across devices")
    assert bubbles(second, "me") == ["Remember me across devices"]

    # a wrong hash: identify() rejects, nothing is stored, the visitor stays who they were
    third = new_page(f"/demo/site.html?site={site}")
    before = wait_ready(third)
    result = third.evaluate("""who => {
        const seen = []; Parley.on('error', e => seen.push(e.code));
        return Parley.identify(who).then(() => 'accepted', e => [e.code, seen]); }""",
                            {**who, "hash": "0" * 64})
    assert result == ["invalid_identity", ["invalid_identity"]]
    after = third.evaluate("Parley.state()")
    assert after["visitor_id"] == before["visitor_id"]
    assert after["conversation_id"] == before["conversation_id"]
    assert third.evaluate(f"localStorage.getItem('parley:{site}:identity')") is None
    open_widget(third)
    assert bubbles(third) == []            # nobody else's history
    assert third.parley_log.errors == []


def test_prechat_form_before_the_first_message(new_page, runtime):
    admin = Agent(runtime)
    site = make_site(admin, prechat_fields=[{"name": "email", "label": "Email",
                                             "type": "email", "required": True}])
    page = new_page(f"/demo/site.html?site={site}")
    state = wait_ready(page)
    open_widget(page)
    form = page.locator(".p-prechat")
    form.wait_for()
    assert page.locator(".p-compose").is_hidden()
    assert form.locator("label").inner_text() == "Email *"
    email = form.locator("input[name=email]")
    assert email.get_attribute("type") == "email" and email.evaluate("e => e.required")
    # the browser's own validation keeps an empty or malformed address from going out
    form.locator("button[type=submit]").click()
    assert form.is_visible() and email.evaluate("e => !e.validity.valid")
    email.fill("pat@example.com")
    form.locator("button[type=submit]").click()
    page.locator(".p-compose").wait_for()
    assert page.locator(".p-prechat").count() == 0
    assert page.evaluate("document.querySelector('#parley-widget').shadowRoot"
                         ".activeElement.className") == "p-input"
    type_and_send(page, "Hello after the form")
    cid = page.evaluate("Parley.state().conversation_id")
    assert cid == state["conversation_id"]
    admin.wait_text(cid, "Hello after the form")
    assert admin.call("GET", f"/conversations/{cid}")["visitor"]["email"] == "pat@example.com"

    page.reload()          # answered once: not asked again (the panel reopens by itself)
    wait_ready(page)
    page.locator(".p-panel[role=dialog]").wait_for(state="visible")
    wait_bubble(page, "Hello after the form")
    assert page.locator(".p-prechat").count() == 0 and page.locator(".p-compose").is_visible()


DROP_JS = """([name, type, bytes, how]) => {
    const root = document.querySelector('#parley-widget').shadowRoot;
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, {type}));
    if (how === 'paste') {
        const input = root.querySelector('.p-input');
        input.focus();
        return input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt,
            bubbles: true, cancelable: true}));
    }
    const panel = root.querySelector('.p-panel');
    const ev = (kind, target) => target.dispatchEvent(new DragEvent(kind, {dataTransfer: dt,
        bubbles: true, cancelable: true}));
    ev('dragenter', panel.querySelector('.p-log'));
    ev('dragover', panel.querySelector('.p-log'));
    const shown = !root.querySelector('.p-drop').hidden;
    ev('drop', panel.querySelector('.p-log'));
    return shown;
}"""


def test_attachments_by_drag_and_drop_and_paste(new_page, runtime):
    page = new_page("/demo/")
    state = wait_ready(page, transport="ws")
    cid = state["conversation_id"]
    open_widget(page)
    png = tiny_png(6, 4, (200, 30, 30))
    pdf = b"%PDF-1.4\n% widget test\n"
    assert page.evaluate(DROP_JS, ["dropped.pdf", "application/pdf", list(pdf), "drop"]) is True
    assert page.locator(".p-drop").is_hidden()
    page.locator(".p-msg[data-seq] .p-file", has_text="dropped.pdf").wait_for(timeout=15000)
    page.evaluate(DROP_JS, ["pasted.png", "image/png", list(png), "paste"])
    page.locator(".p-msg[data-seq] img.p-img").wait_for(timeout=15000)
    assert page.locator(".p-msg[data-seq] img.p-img").evaluate("i => i.naturalWidth") == 6

    agent = Agent(runtime)
    got = wait_until(lambda: [m for m in agent.history(cid) if m.get("attachment")]
                     if len([m for m in agent.history(cid) if m.get("attachment")]) == 2 else None,
                     "both attachments at the agent")
    by_name = {m["attachment"]["name"]: m for m in got}
    assert set(by_name) == {"dropped.pdf", "pasted.png"}
    for name, body, ctype in (("dropped.pdf", pdf, "application/pdf"),
                              ("pasted.png", png, "image/png")):
        att = by_name[name]["attachment"]
        assert by_name[name]["sender"]["type"] == "visitor"
        assert att["content_type"] == ctype and att["size"] == len(body)
        with urllib.request.urlopen(att["url"], timeout=10) as resp:
            assert resp.read() == body
    link = page.locator(".p-msg[data-seq] .p-file", has_text="dropped.pdf")
    assert link.get_attribute("href").startswith("http")
    assert page.locator(".p-error").is_hidden()
    assert page.parley_log.errors == []


def test_chinese_page(new_page):
    page = new_page("/demo/zh.html")
    assert wait_ready(page)["locale"] == "zh"
    open_widget(page)
    assert page.locator(".p-greeting").inner_text() == "您好!请问有什么可以帮您?"
    assert page.locator(".p-send").inner_text() == "发送"
    assert page.locator(".p-status").inner_text() == "在线"


# ------------------------------------------------------------------ timers and notifications
# Playwright's clock (page.clock.install() before navigation; time then flows, and
# fast_forward() jumps it, firing each due timer once) drives the widget's ping, max-life
# and backoff timers. WS_LOG records every WebSocket the page creates, with the page clock's
# time of creation, open and close and every frame the page sent (window.__ws); the real
# frames are also observed from outside through page.on("websocket") (watch_sockets).
# window.__dropPings = true makes the page swallow its pings (a connection that went dead).
WS_LOG = """(() => {
  const Native = window.WebSocket, log = window.__ws = [];
  function Logged(url, protocols) {
    const s = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const rec = {url: String(url), created: Date.now(), opened: null, closed: null, sent: [],
                 got: []};
    log.push(rec);
    s.addEventListener('message', (e) => {
      try { rec.got.push(JSON.parse(e.data).type); } catch (x) { rec.got.push(null); }
    });
    s.addEventListener('open', () => { rec.opened = Date.now(); });
    s.addEventListener('close', () => { rec.closed = Date.now(); });
    const send = s.send.bind(s);
    s.send = (d) => {
      rec.sent.push([Date.now(), String(d)]);
      if (window.__dropPings && JSON.parse(d).action === 'ping') return;
      return send(d);
    };
    return s;
  }
  Logged.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Logged[k] = Native[k];
  window.WebSocket = Logged;
})();"""

# AudioContext stand-in that counts oscillator start() calls (window.__audio).
AUDIO_STUB = """(() => {
  const audio = window.__audio = {contexts: 0, starts: 0};
  function Node() {}
  Node.prototype.connect = function () {};
  function Ctx() { audio.contexts++; this.currentTime = 0; this.state = 'running'; this.destination = new Node(); }
  Ctx.prototype.createOscillator = function () {
    const o = new Node(); o.frequency = {value: 0};
    o.start = () => { audio.starts++; }; o.stop = () => {};
    return o;
  };
  Ctx.prototype.createGain = function () { const g = new Node(); g.gain = {value: 1}; return g; };
  Ctx.prototype.resume = function () { return Promise.resolve(); };
  window.AudioContext = window.webkitAudioContext = Ctx;
})();"""


def watch_sockets(page):
    """The page's WebSockets as Playwright sees them: [{"ws", "sent", "received"}] (frames
    parsed as JSON)."""
    socks = []

    def on_ws(ws):
        rec = {"ws": ws, "sent": [], "received": []}
        ws.on("framesent", lambda p: rec["sent"].append(json.loads(p)))
        ws.on("framereceived", lambda p: rec["received"].append(json.loads(p)))
        socks.append(rec)
    page.on("websocket", on_ws)
    return socks


def clocked_page(new_page, runtime, path, *init_scripts):
    page = new_page(goto=False)
    for s in (WS_LOG, *init_scripts):
        page.add_init_script(s)
    page.clock.install()
    socks = watch_sockets(page)
    page.goto(runtime.base_url + path)
    return page, socks


def pump_until(page, fn, what, timeout=15):
    """Wait for a condition on Python-side state fed by Playwright events (which are only
    delivered while Playwright runs, hence wait_for_timeout, not time.sleep)."""
    deadline = time.time() + timeout
    while not fn():
        assert time.time() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def pings(page, i=0):
    return page.evaluate(f"__ws[{i}].sent.filter(f => JSON.parse(f[1]).action === 'ping')"
                         ".map(f => f[0])")


def test_heartbeat_pings_every_4_minutes_and_a_dead_socket_is_replaced(new_page, runtime):
    page, socks = clocked_page(new_page, runtime, "/demo/")
    wait_ready(page, transport="ws")
    opened = page.evaluate("__ws[0].opened")
    assert len(socks) == 1
    sock = socks[0]

    # 3 min 50 s of silence: no ping yet (the interval is 4 min)
    page.clock.fast_forward("03:50")
    assert pings(page) == []
    page.clock.fast_forward("00:20")
    first = pings(page)
    assert len(first) == 1 and 230_000 <= first[0] - opened <= 250_000 + 20_000, (first, opened)
    pump_until(page, lambda: {"action": "ping"} in sock["sent"]
               and any(f.get("type") == "pong" for f in sock["received"]), "ping and pong")
    # the pong arrived, so the 10 s pong deadline passes without a reconnect
    page.clock.fast_forward("00:15")
    page.clock.fast_forward("03:50")
    second = pings(page)
    assert len(second) == 2 and second[1] - second[0] < 10 * 60_000, second
    pump_until(page, lambda: sum(f.get("type") == "pong" for f in sock["received"]) == 2,
               "the second pong")
    assert page.evaluate("__ws.length") == 1 and not sock["ws"].is_closed()
    assert page.evaluate("Parley.state().connection") == "online"

    # a connection that stopped answering: no pong within 10 s -> closed and replaced
    page.evaluate("window.__dropPings = true")
    page.clock.fast_forward("04:00")
    assert len(pings(page)) == 3
    page.clock.fast_forward("00:11")
    page.wait_for_function("() => __ws.length === 2 && __ws[0].closed && __ws[1].opened")
    wait_ready(page, transport="ws")
    pump_until(page, lambda: len(socks) == 2 and sock["ws"].is_closed(), "the socket switch")
    assert any(f.get("action") == "sync" for f in socks[1]["sent"])
    assert not page.parley_log.errors


def test_proactive_reconnect_before_the_2_hour_limit(new_page, runtime):
    agent = Agent(runtime)
    site = make_site(agent, bot_enabled=False)
    page, socks = clocked_page(new_page, runtime, f"/demo/site.html?site={site}")
    cid = wait_ready(page, transport="ws")["conversation_id"]
    open_widget(page)
    type_and_send(page, "before the switch")
    agent.wait_text(cid, "before the switch")
    agent.join(cid)
    agent.say(cid, "agent before the switch")
    wait_bubble(page, "agent before the switch")
    page.evaluate("window.__conn = []; Parley.on('connection', e => __conn.push(e.state))")

    page.clock.fast_forward("01:49:00")
    assert page.evaluate("__ws.length") == 1           # not yet (renewal at 110 min)
    page.clock.fast_forward("01:30")
    agent.say(cid, "agent during the switch")           # while the new socket connects
    page.wait_for_function("() => __ws.length === 2 && __ws[1].opened && __ws[0].closed")
    old, new = page.evaluate("__ws")
    # make before break: the new socket was open before the old one was closed
    assert old["created"] < new["created"] <= new["opened"] <= old["closed"], (old, new)
    assert 110 * 60_000 <= new["created"] - old["opened"] < 111 * 60_000
    pump_until(page, lambda: len(socks) == 2 and socks[0]["ws"].is_closed(), "old socket closed")
    assert not socks[1]["ws"].is_closed()

    agent.say(cid, "agent after the switch")
    type_and_send(page, "visitor after the switch")
    wait_bubble(page, "agent during the switch")
    wait_bubble(page, "agent after the switch")
    agent.wait_text(cid, "visitor after the switch")
    page.wait_for_function("() => Parley.state().outbox === 0")
    # both ways over the new socket
    pump_until(page, lambda: any(f.get("type") == "message"
                                 and f["message"].get("text") == "agent after the switch"
                                 for f in socks[1]["received"]), "the push on the new socket")
    assert any(f.get("action") == "send" and f["data"].get("text") == "visitor after the switch"
               for f in socks[1]["sent"])
    assert page.evaluate("__conn") == []                 # stayed online throughout
    assert page.locator(".p-status").inner_text() == "Online"

    assert agent.texts(cid) == ["before the switch", "visitor after the switch"]
    theirs = bubbles(page, "them")
    for text in ("agent before the switch", "agent during the switch", "agent after the switch"):
        assert theirs.count(text) == 1, theirs
    assert_gapless_once(page)
    assert seqs(page) == [m["seq"] for m in agent.history(cid)]
    assert not page.parley_log.errors


@pytest.mark.parametrize("endpoint", ["refused", "silent"])
def test_reconnect_backoff_then_long_poll(new_page, runtime, endpoint):
    """refused: nothing listens on the port; silent: a TCP listener that never answers the
    WebSocket handshake, so each attempt ends by the widget's 8 s open timeout."""
    agent = Agent(runtime)
    site = make_site(agent, bot_enabled=False)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        port = silent.getsockname()[1] if endpoint == "silent" else closed_port()
        dead = urllib.parse.quote(f"ws://127.0.0.1:{port}/ws", safe="")
        page, socks = clocked_page(new_page, runtime, f"/demo/site.html?site={site}&ws={dead}")
        if endpoint == "silent":
            for n in range(1, 4):
                page.wait_for_function(f"() => __ws.length === {n}")
                assert page.evaluate(f"__ws[{n - 1}].closed") is None
                page.clock.fast_forward(8000)
                page.wait_for_function(f"() => __ws[{n - 1}].closed")
        cid = wait_ready(page, transport="poll")["conversation_id"]
    finally:
        silent.close()
    attempts = page.evaluate("__ws")
    assert len(attempts) == 3, attempts
    assert all(a["opened"] is None and a["closed"] is not None for a in attempts), attempts
    # the wait between a failure and the next attempt: 250-500 ms, then 500-1000 ms
    gaps = [attempts[i + 1]["created"] - attempts[i]["closed"] for i in range(2)]
    print(f"\n[widget] reconnect backoff gaps ({endpoint}): {gaps} ms, then long-poll")
    assert 250 <= gaps[0] <= 600 and 500 <= gaps[1] <= 1100 and gaps[1] > gaps[0], gaps

    # long-poll for the rest of the page's life: no further socket attempts
    # (few REST calls at once on purpose: see "Known issue" in docs/widget.md; the message
    # flow over long-poll is test_long_poll_fallback_when_websocket_cannot_open's subject)
    page.clock.fast_forward("05:00")
    wait_ready(page, transport="poll")
    page.evaluate("Parley.send('over long-poll after the backoff')")
    agent.wait_text(cid, "over long-poll after the backoff")
    agent.join(cid)
    last = agent.history(cid)[-1]["seq"]
    page.wait_for_function(f"() => Parley.state().last_seq >= {last}")
    assert page.evaluate("__ws.length") == 3 and len(socks) <= 3
    assert page.evaluate("Parley.state().transport") == "poll"


def test_unread_badge_title_and_sound_while_minimised(new_page, runtime):
    agent = Agent(runtime)
    site = make_site(agent, bot_enabled=False)
    page, _ = clocked_page(new_page, runtime, f"/demo/site.html?site={site}", AUDIO_STUB)
    cid = wait_ready(page, transport="ws")["conversation_id"]
    base = page.title()
    assert base == "Parley demo: any site"
    page.evaluate("Parley.send('hello')")            # not an interaction with the page
    agent.wait_text(cid, "hello")
    agent.join(cid)
    badge = page.locator(".p-badge")

    # before any interaction: badge and title, but no sound
    agent.say(cid, "first while minimised")
    badge.filter(has_text="1").wait_for()
    page.wait_for_function("() => document.title.startsWith('(1) ')")
    assert page.evaluate("__audio") == {"contexts": 0, "starts": 0}
    assert page.evaluate("Parley.state().unread") == 1

    # after a click in the page: the next message beeps
    page.locator("h1").click()
    agent.say(cid, "second while minimised")
    badge.filter(has_text="2").wait_for()
    assert page.evaluate("__audio.starts") == 1
    assert page.title() == "(2) New message"
    page.clock.fast_forward(1300)                      # the title blinks, keeping the count
    assert page.title() == f"(2) {base}"
    page.clock.fast_forward(1200)
    assert page.title() == "(2) New message"
    assert page.locator(".p-launcher").get_attribute("aria-label") == "Open chat (2)"

    # opening clears the badge and restores the title, and the blinking stops
    page.locator(".p-launcher").click()
    badge.wait_for(state="hidden")
    assert page.title() == base
    page.clock.fast_forward(5000)
    assert page.title() == base

    # while open and visible: no badge, no sound
    agent.say(cid, "while open")
    wait_bubble(page, "while open")
    assert badge.is_hidden() and page.title() == base
    assert page.evaluate("__audio.starts") == 1

    # minimised again: beeps again (the interaction is remembered)
    page.locator(".p-close").click()
    agent.say(cid, "third while minimised")
    badge.filter(has_text="1").wait_for()
    assert page.evaluate("__audio") == {"contexts": 1, "starts": 2}
    page.locator(".p-launcher").click()
    badge.wait_for(state="hidden")
    assert page.title() == base
    assert not page.parley_log.errors

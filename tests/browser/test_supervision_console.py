"""Live supervision in the console (web/console/supervise.js) with the real widget: a
supervisor watches a chat live, whispers to the agent (shown to the agent as a whisper, not a
note) and takes the chat over; the visitor's widget never shows the whisper and is told of
the take-over."""
from __future__ import annotations

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            rest)
from tests.browser.test_console import assert_no_errors, item, wait_log_text
from tests.browser.test_widget import bubbles, open_widget, type_and_send, wait_bubble, wait_ready

pytestmark = pytest.mark.timeout(180)

WHISPER = "Whisper: offer the 10% refund"


def test_watch_whisper_and_take_over(new_page, console, make_agent, rest, artifacts_dir):
    widget = new_page("/demo/")
    state = wait_ready(widget)
    cid = state["conversation_id"]
    open_widget(widget)
    type_and_send(widget, "Hello, my parcel is lost")
    wait_bubble(widget, "Hello, my parcel is lost")

    a1 = make_agent(name="Ada Agent")
    sup = make_agent(role="supervisor", name="Sue Supervisor")
    p1 = console(a1)
    tok1 = rest.call("POST", "/agent/login", {"email": a1["email"], "password": a1["password"]})["token"]
    rest.call("POST", f"/agent/conversations/{cid}/accept", {}, tok1)
    p1.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{cid}')", timeout=20000)
    item(p1, cid).click()

    ps = console(sup)
    ps.locator("#tabs [data-tab=all]").click()
    item(ps, cid).wait_for(timeout=20000)
    item(ps, cid).click()
    # live view: the visitor's next message reaches the supervisor's open log by push
    ps.locator(".sv-watch").click()
    ps.locator(".sv-live").wait_for(timeout=10000)
    assert ps.locator(".sv-watch").get_attribute("aria-pressed") == "true"
    type_and_send(widget, "Are you still there?")
    wait_log_text(ps, "Are you still there?")

    # the whisper, typed and sent from the keyboard
    ps.locator(".sv-whisper-input").fill(WHISPER)
    ps.locator(".sv-whisper-input").press("Enter")
    whisper = p1.locator("#log li.whisper", has_text=WHISPER)
    whisper.wait_for(timeout=15000)
    assert "Sue Supervisor" in whisper.locator(".whisper-badge").inner_text()
    assert p1.locator("#log li.note", has_text=WHISPER).count() == 0
    wait_log_text(ps, WHISPER)

    # the agent answers in public; the visitor gets that and never the whisper
    rest.call("POST", f"/agent/conversations/{cid}/messages",
              {"client_message_id": "reply-1", "text": "Let me check your parcel"}, tok1)
    wait_bubble(widget, "Let me check your parcel")
    assert not any(WHISPER in b for b in bubbles(widget))
    assert WHISPER not in widget.evaluate(
        "document.querySelector('#parley-widget').shadowRoot.textContent")
    widget.reload()                                 # history after a reload: still absent
    wait_ready(widget)
    if not widget.locator(".p-panel[role=dialog]").is_visible():   # it may reopen by itself
        open_widget(widget)
    wait_bubble(widget, "Let me check your parcel")
    assert not any(WHISPER in b for b in bubbles(widget))

    # take-over: the supervisor holds the chat, the widget says so
    ps.evaluate("window.confirm = () => true")
    ps.locator(".sv-barge").click()
    ps.wait_for_function(f"() => (ParleyConsole.state().lists.mine || []).includes('{cid}')",
                         timeout=20000)
    widget.locator(".p-log", has_text="Sue Supervisor").first.wait_for(timeout=15000)
    ps.set_viewport_size({"width": 390, "height": 800})
    ps.screenshot(path=str(artifacts_dir / "console-supervision-phone.png"))
    for page in (p1, ps):
        assert_no_errors(page)

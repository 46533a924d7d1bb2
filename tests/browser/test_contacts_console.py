"""The Contacts and Leads pages and the inbox side panel (web/console/contacts.js) in
Chromium against the local runtime: a visitor's pre-chat details make a contact and a lead;
an agent sees the contact beside the chat, claims the lead and moves it through the pipeline
by keyboard, then opens the contact with its timeline, in both languages and at phone width."""
from __future__ import annotations

import time

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            rest, visitor)

pytestmark = pytest.mark.timeout(240)

XSS = "<img src=x onerror=\"window.__pwned=1\">"


def test_side_panel_claim_a_lead_move_it_and_open_the_contact(console, make_agent, visitor,
                                                             rest, artifacts_dir):
    agent = make_agent(name="Sally Sales")
    page = console(agent)
    v = visitor(XSS)                                   # pre-chat name and e-mail
    v.say("How much is the pro plan?")
    v.handoff()
    page.wait_for_function(f"() => ParleyConsole.state().lists.mine.indexOf('{v.cid}') >= 0"
                           " || ParleyConsole.state().lists.queue.indexOf('{v.cid}') >= 0",
                           timeout=20000)
    state = page.evaluate("() => ParleyConsole.state().lists")
    if v.cid not in state["mine"]:
        page.locator("#tabs [data-tab=queue]").click()
    page.locator(f"#conv-list li[data-cid='{v.cid}']").click()
    # the inbox side panel shows the contact, the name as text
    page.locator("#ct-panel-name").wait_for(timeout=15000)
    assert page.locator("#ct-panel-name").inner_text() == XSS
    assert "New" in page.locator("#ct-panel-facts").inner_text()

    # the Leads page, reached with the keyboard: the lead is in the pool
    page.locator("#pages [data-page=leads]").focus()
    page.keyboard.press("Enter")
    page.locator("#ct-site").fill("demo")
    page.locator("#ct-site").dispatch_event("change")
    contact = rest.call("GET", f"/agent/contacts/by-visitor/{v.visitor_id}", None,
                        _token(rest, agent))["contact"]
    lead = page.locator(f"#ld-list li[data-contact='{contact['contact_id']}']")
    lead.wait_for(timeout=15000)
    lead.locator(".ld-claim").focus()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Claimed").wait_for(timeout=10000)
    page.locator("#ld-tabs [data-bucket=mine]").click()
    mine = page.locator(f"#ld-list li[data-contact='{contact['contact_id']}']")
    mine.locator(".ld-status").wait_for(timeout=10000)
    mine.locator(".ld-status").select_option("contacted")
    mine.locator(".ld-note").fill("Called, wants a quote")
    mine.locator(".ld-note").press("Enter")
    page.locator(".toast", has_text="Saved").wait_for(timeout=10000)
    stored = rest.call("GET", f"/agent/contacts/{contact['contact_id']}", None,
                       _token(rest, agent))["contact"]
    assert stored["lead"]["status"] == "contacted"
    assert stored["lead"]["owner_id"] == agent["agent_id"]
    page.screenshot(path=str(artifacts_dir / "console-leads.png"), full_page=True)

    # the contact itself, with its timeline; then zh-CN
    mine.locator("button", has_text="Open contact").click()
    page.locator("#ct-title").wait_for(timeout=10000)
    assert page.locator("#ct-title").inner_text() == XSS
    page.locator("#ct-timeline li[data-kind=lead_moved]").wait_for(timeout=10000)
    page.locator("#ct-timeline li[data-kind=lead_claimed]").wait_for(timeout=10000)
    page.locator("#ct-tags").fill("报价, vip")
    page.locator("#ct-form button[type=submit]").click()
    # the pipeline move's "Saved" toast may still be up: wait for the tags themselves
    token = _token(rest, agent)
    deadline = time.monotonic() + 10
    while "报价" not in rest.call("GET", f"/agent/contacts/{contact['contact_id']}", None,
                                 token)["contact"]["tags"]:
        assert time.monotonic() < deadline, "the tags were never saved"
        time.sleep(0.2)
    page.locator("#ct-back").focus()
    page.keyboard.press("Enter")
    page.locator("header .lang-toggle").click()
    page.locator("#page-contacts h2", has_text="客户").wait_for(timeout=10000)
    page.locator("#ct-rows tr", has_text="报价").first.wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_contacts_page_fits_a_phone(console, make_agent, visitor, rest):
    agent = make_agent()
    v = visitor("手机 访客")
    page = console(agent, online=False, viewport={"width": 390, "height": 844})
    page.evaluate("() => document.querySelector('#pages [data-page=contacts]').click()")
    page.locator("#ct-site").fill("demo")
    page.locator("#ct-site").dispatch_event("change")
    page.locator("#ct-rows tr", has_text="手机 访客").first.wait_for(timeout=15000)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    assert v.visitor_id


def _token(rest, agent):
    return rest.call("POST", "/agent/login", {"email": agent["email"],
                                              "password": agent["password"]})["token"]

"""The Tickets page (web/console/tickets.js) in Chromium against the local runtime: a left
message becomes a ticket; an agent opens the chat, clicks "Create ticket" (the same ticket),
replies publicly and adds an internal note by keyboard, moves the status; the requester's
API shows the public reply only; zh-CN; phone width. Values stay text."""
from __future__ import annotations

import email
import email.policy
import json
import time
import urllib.request
import uuid

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            rest, visitor)

pytestmark = pytest.mark.timeout(180)

XSS = "<img src=x onerror=\"window.__pwned=1\">"


def leave_message(v, tag, text):
    v.rest.call("POST", f"/visitor/conversations/{v.cid}/offline-message",
                {"email": f"t-{tag}@example.com", "name": f"Tess {tag}", "text": text}, v.token)


def ses_mails(moto_url, address, containing, timeout=30):
    """The mails moto's SES recorded for `address` whose text contains `containing` (moto's
    model dump: what the local runtime's SES "sent"), waiting for one to appear."""
    deadline = time.time() + timeout
    while True:
        with urllib.request.urlopen(f"{moto_url}/moto-api/data.json", timeout=30) as resp:
            ses = json.loads(resp.read()).get("ses") or {}
        got = [email.message_from_string(m["raw_data"], policy=email.policy.default)
               for m in ses.get("RawMessage") or []
               if address in (m.get("destinations") or [])]
        got = [m for m in got if containing in m.get_body(("plain",)).get_content()]
        if got or time.time() > deadline:
            return got
        time.sleep(1)


def test_chat_to_ticket_reply_note_status_and_requester_view(console, make_agent, visitor,
                                                            rest, runtime, artifacts_dir):
    tag = uuid.uuid4().hex[:6]
    v = visitor(f"Tess {tag}")
    leave_message(v, tag, f"Broken charger {tag} {XSS}")
    page = console(make_agent(name=f"Tina {tag}"))
    page.locator("#tabs [data-tab=offline]").click()
    found = page.locator(f"#conv-list li[data-cid='{v.cid}']")
    found.wait_for(timeout=15000)
    found.click()
    # one click in the conversation header: the ticket the left message made is opened
    page.locator("#create-ticket").click()
    page.locator("#tk-title", has_text=f"Broken charger {tag}").wait_for(timeout=15000)
    title = page.locator("#tk-title").inner_text()
    assert XSS in title and page.locator("#page-tickets img").count() == 0
    number = title.split()[0]
    assert number.startswith("#")
    assert f"t-{tag}@example.com" in page.locator("#tk-requester-line").inner_text()
    # a public reply by keyboard
    page.locator("#tk-reply").fill("We are sending a new charger")
    page.locator("#tk-public").focus()
    page.keyboard.press("Space")
    page.locator("#tk-send").focus()
    page.keyboard.press("Enter")
    page.locator("#tk-comments li.public", has_text="We are sending a new charger").wait_for(
        timeout=15000)
    # the reply went out by email through (moto's) SES, threaded to the ticket
    mails = ses_mails(runtime.moto_url, f"t-{tag}@example.com", "We are sending a new charger")
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert number in mails[0]["Subject"] and mails[0]["Message-ID"]
    assert mails[0].get_body(("html",)) is not None
    # an internal note
    page.locator("#tk-reply").fill(f"internal {tag}")
    page.locator("#tk-send").click()
    page.locator("#tk-comments li.internal", has_text=f"internal {tag}").wait_for(timeout=15000)
    # status: pending customer (the SLA clock pauses)
    page.locator("#tk-f-status").select_option("pending")
    page.locator("#tk-save").click()
    page.locator("#tk-sla", has_text="paused").wait_for(timeout=15000)
    page.locator("#tk-history summary").click()
    page.locator("#tk-history li", has_text="Pending customer").first.wait_for(timeout=10000)
    page.screenshot(path=str(artifacts_dir / "console-ticket.png"), full_page=True)
    # the list, by requester, shows it; the same chat's button does not make a second one
    page.locator("#tk-back").click()
    page.locator("#tk-view").select_option("requester")
    page.locator("#tk-requester").fill(v.visitor_id)
    page.locator("#tk-show").click()
    rows = page.locator("#tk-list li")
    rows.first.wait_for(timeout=10000)
    assert rows.count() == 1 and number in rows.first.inner_text()
    # the requester sees the public reply, never the note
    mine = rest.call("GET", "/visitor/tickets", None, v.token)["tickets"]
    assert [t["subject"] for t in mine] == [f"Broken charger {tag} {XSS}"]
    thread = rest.call("GET", f"/visitor/tickets/{mine[0]['ticket_id']}", None, v.token)
    assert [c["body"] for c in thread["comments"]] == ["We are sending a new charger"]
    # zh-CN
    page.locator("header .lang-toggle").click()
    page.locator("#page-tickets h2", has_text="工单").wait_for()
    page.locator("#tk-list li", has_text="等待客户").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_tickets_page_pages_and_fits_a_phone(console, make_agent, rest, admin_token):
    tag = uuid.uuid4().hex[:6]
    for i in range(27):
        rest.call("POST", "/agent/tickets", {"site_key": "demo", "subject": f"Phone {tag} {i}",
                                              "requester": {"email": f"p-{tag}@example.com"}},
                  admin_token)
    page = console(make_agent(), online=False, viewport={"width": 390, "height": 844})
    page.evaluate("() => document.querySelector('#pages [data-page=tickets]').click()")
    page.locator("#tk-site").fill("demo")
    page.locator("#tk-view").select_option("requester")
    page.locator("#tk-requester").fill(f"p-{tag}@example.com")
    page.locator("#tk-requester").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#tk-list li').length === 25",
                           timeout=15000)
    more = page.locator("#tk-more")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#tk-list li').length === 27",
                           timeout=15000)
    assert page.locator("#tk-more").is_hidden()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 392, width
    # bulk: pick two by keyboard, close them
    picks = page.locator("#tk-list .tk-pick")
    for i in range(2):
        picks.nth(i).focus()
        page.keyboard.press("Space")
    page.locator("#tk-bulk-close").click()
    page.locator(".toast", has_text="2 changed, 0 refused").wait_for(timeout=15000)
    page.locator("#tk-list li", has_text="Closed").nth(1).wait_for(timeout=15000)
    assert page.locator("#tk-list li", has_text="Closed").count() == 2
    # a new ticket from the form, by keyboard
    page.locator("#tk-new").click()
    page.locator("#tkn-subject").fill(f"From the form {tag}")
    page.locator("#tkn-email").fill(f"f-{tag}@example.com")
    page.locator("#tkn-email").press("Enter")
    page.locator("#tk-title", has_text=f"From the form {tag}").wait_for(timeout=15000)
    assert not page.parley_log.errors, page.parley_log.errors


def test_returning_visitor_sees_their_ticket_replies_in_the_widget(new_page, rest, admin_token):
    import json
    import time
    page = new_page("/demo/")
    page.wait_for_function("() => window.Parley && Parley.state().ready", timeout=20000)
    token = json.loads(page.evaluate("() => localStorage.getItem('parley:demo:token')"))
    cid = page.evaluate("() => Parley.state().conversation_id")
    tag = uuid.uuid4().hex[:6]
    rest.call("POST", f"/visitor/conversations/{cid}/offline-message",
              {"email": f"w-{tag}@example.com", "text": f"Widget question {tag} {XSS}"}, token)
    deadline = time.time() + 20
    mine = []
    while not mine and time.time() < deadline:       # the left message becomes a ticket (SQS)
        mine = rest.call("GET", "/visitor/tickets", None, token)["tickets"]
        time.sleep(0.3)
    assert mine, "no ticket was made from the left message"
    tid = mine[0]["ticket_id"]
    rest.call("POST", f"/agent/tickets/{tid}/comments", {"body": f"internal {tag}"}, admin_token)
    rest.call("POST", f"/agent/tickets/{tid}/comments",
              {"body": f"Here is your answer {tag}", "public": True}, admin_token)
    page.reload()
    page.wait_for_function("() => window.Parley && Parley.state().ready", timeout=20000)
    page.locator(".p-launcher").click()
    summary = page.locator(".p-tickets summary")
    summary.wait_for(timeout=10000)
    assert "(1)" in summary.inner_text()
    summary.focus()
    page.keyboard.press("Enter")
    head = page.locator(".p-ticket-head")
    assert f"Widget question {tag}" in head.inner_text() and XSS in head.inner_text()
    head.focus()
    page.keyboard.press("Enter")
    page.locator(".p-ticket-reply", has_text=f"Here is your answer {tag}").wait_for(timeout=10000)
    thread = page.locator(".p-ticket-thread").inner_text()
    assert f"internal {tag}" not in thread
    assert page.evaluate("() => window.__pwned") is None


def eventually(fetch, check, timeout=15):
    """Poll the REST API until check(fetch()) holds (the console saves asynchronously)."""
    import time
    deadline = time.time() + timeout
    while True:
        value = fetch()
        if check(value) or time.time() > deadline:
            return value
        time.sleep(0.25)


def test_admin_sets_sla_targets_and_custom_fields_on_the_sites_page(console, runtime, rest,
                                                                   admin_token):
    c = runtime.credentials
    page = console({"email": c.get("admin_email", "admin@demo.parley"),
                    "password": c["admin_password"]}, online=False)
    page.locator("#pages [data-page=sites]").click()
    page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option("demo")
    page.locator("#tks-urgent-first").wait_for(timeout=10000)
    page.locator("#tks-urgent-first").fill("30")
    page.locator("#tks-save-sla").click()
    page.locator(".toast", has_text="Saved").first.wait_for(timeout=10000)
    page.locator("#tks-add-field").click()
    row = page.locator("#tks-fields .tks-field").last
    page.keyboard.type("plan")                         # the new row's key has the focus
    row.locator(".tks-kind").select_option("select")
    row.locator(".tks-label").fill(XSS)
    row.locator(".tks-options").fill("free, pro")
    page.locator("#tks-save-fields").click()
    got = eventually(lambda: rest.call("GET", "/agent/tickets/settings/demo", None, admin_token),
                     lambda g: g["fields"] and g["sla"]["targets"]["urgent"][
                         "first_reply_minutes"] == 30)
    assert got["sla"]["targets"]["urgent"]["first_reply_minutes"] == 30
    assert got["fields"][-1] == {"key": "plan", "kind": "select", "label": XSS,
                                 "options": ["free", "pro"], "required": False}
    # a bad field is refused with its reason, nothing saved
    page.locator("#tks-add-field").click()
    page.keyboard.type("Bad Key")
    page.locator("#tks-save-fields").click()
    page.locator("#tks-fields-form .error", has_text="key").wait_for(timeout=10000)
    assert rest.call("GET", "/agent/tickets/settings/demo", None, admin_token)["fields"] == \
        got["fields"]
    # the field is on the ticket view: choose, save, stored
    tag = uuid.uuid4().hex[:6]
    made = rest.call("POST", "/agent/tickets", {"site_key": "demo", "subject": f"Plan {tag}",
                                                 "requester": {"email": f"c-{tag}@example.com"}},
                     admin_token)["ticket"]
    page.locator("#pages [data-page=tickets]").click()
    page.locator("#tk-site").fill("demo")
    page.locator("#tk-view").select_option("requester")
    page.locator("#tk-requester").fill(f"c-{tag}@example.com")
    page.locator("#tk-show").click()
    page.locator("#tk-list li button").first.click()
    page.locator("#tk-cf-plan").select_option("pro")
    page.locator("#tk-save").click()
    stored = eventually(lambda: rest.call("GET", f"/agent/tickets/{made['ticket_id']}", None,
                                          admin_token),
                        lambda g: g["ticket"]["custom_fields"])
    assert stored["ticket"]["custom_fields"] == {"plan": "pro"}
    rest.call("PUT", "/admin/tickets/settings/demo/fields", {"fields": []}, admin_token)
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors

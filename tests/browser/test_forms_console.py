"""The Forms page (web/console/forms.js) and in-chat forms in the inbox (form_inbox.js) in
Chromium against the local runtime: an admin designs a form by keyboard (the API's 4xx next
to the control it names, nothing saved), saves it and sees it listed, in both languages and
at phone width; an agent sends it into a chat with "Send form", and the visitor's answers
show in the transcript (as text) and on the contact."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)

pytestmark = pytest.mark.timeout(240)

XSS = "<img src=x onerror=\"window.__pwned=1\">"


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def _drop_forms(rest, token, run):
    for f in rest.call("GET", "/admin/forms?site_key=demo&limit=100", None, token)["forms"]:
        if run in f["name"]:
            rest.call("DELETE", f"/admin/forms/{f['form_id']}?site_key=demo", None, token)


def _open_forms(page):
    page.locator("#pages [data-page=forms]").focus()
    page.keyboard.press("Enter")
    page.locator("#fm-site").fill("demo")
    page.locator("#fm-site").press("Enter")
    page.locator("#fm-new:not([disabled])").wait_for(timeout=10000)


def test_an_admin_designs_a_form_in_both_languages(console, runtime, rest, admin_token,
                                                   artifacts_dir):
    run = uuid.uuid4().hex[:6]
    try:
        page = console(admin_creds(runtime), online=False)
        _open_forms(page)
        page.locator("#fm-new").focus()
        page.keyboard.press("Enter")
        page.locator("#fm-name").wait_for(timeout=5000)
        assert page.evaluate("() => document.activeElement.id") == "fm-name"
        page.keyboard.type(f"{XSS} {run}")
        page.locator("#fm-0-key").fill("who")
        page.locator("#fm-0-label_en").fill("Your name")
        page.locator("#fm-0-label_zh").fill("您的姓名")
        page.locator("#fm-0-maps_to").select_option("name")
        page.locator("#fm-0-required").check()
        page.locator("#fm-add-field").click()
        page.locator("#fm-1-key").fill("plan")
        page.locator("#fm-1-type").select_option("select")
        page.locator("#fm-1-label_en").fill("Plan")
        page.locator("#fm-1-label_zh").fill("套餐")
        page.locator("#fm-save").click()                # a select without options
        page.locator("#fm-1-options-error", has_text="distinct options").wait_for(timeout=10000)
        assert page.locator("#fm-1-options").get_attribute("aria-invalid") == "true"
        listed = rest.call("GET", "/admin/forms?site_key=demo&limit=100", None, admin_token)
        assert not [f for f in listed["forms"] if run in f["name"]]       # nothing saved
        page.locator("#fm-1-options").fill("basic | Basic | 基础版\npro | Pro | 专业版")
        page.locator("#fm-1-options").press("Tab")
        page.locator("#fm-save").focus()
        page.keyboard.press("Enter")
        page.locator(".toast", has_text="Form saved").wait_for(timeout=10000)
        row = page.locator("#fm-list tr", has_text=run)
        row.wait_for(timeout=10000)
        assert row.locator(".fm-list-name").inner_text() == f"{XSS} {run}"
        saved = [f for f in rest.call("GET", "/admin/forms?site_key=demo&limit=100", None,
                                      admin_token)["forms"] if run in f["name"]][0]
        assert saved["kind"] == "inchat" and saved["fields"][1]["options"][1] == {
            "value": "pro", "label": {"en": "Pro", "zh": "专业版"}}
        assert saved["fields"][0]["maps_to"] == "name" and saved["fields"][0]["required"]
        # edit it: the designer opens with the saved values
        row.locator(".fm-edit").click()
        assert page.locator("#fm-1-options").input_value().startswith("basic | Basic | 基础版")
        page.locator("#fm-cancel").click()
        page.locator("header .lang-toggle").click()
        page.locator("#page-forms h2", has_text="表单").wait_for(timeout=10000)
        page.locator("#fm-list tr", has_text="会话内表单").first.wait_for(timeout=10000)
        page.screenshot(path=str(artifacts_dir / "console-forms-zh.png"), full_page=True)
        page.locator("header .lang-toggle").click()
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("#fm-list .fm-edit").first.click()
        page.locator("#fm-editor").wait_for(timeout=5000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, width
        assert page.evaluate("() => window.__pwned") is None
        assert not page.parley_log.errors, page.parley_log.errors
    finally:
        _drop_forms(rest, admin_token, run)


def test_an_agent_sends_a_form_and_sees_the_answers(console, make_agent, make_team, visitor,
                                                    rest, admin_token, artifacts_dir):
    run = uuid.uuid4().hex[:6]
    form = rest.call("POST", "/admin/forms?site_key=demo", {
        "name": f"Quote {run}", "kind": "inchat", "fields": [
            {"key": "who", "label": {"en": "Name", "zh": "姓名"}, "type": "text",
             "required": True, "maps_to": "name"},
            {"key": "mail", "label": {"en": "E-mail", "zh": "邮箱"}, "type": "email",
             "maps_to": "email"}]}, admin_token)["form"]
    try:
        team = make_team()              # its own line: earlier tests' chats are not ahead
        agent = make_agent(name="Fiona Forms", teams=[team])
        page = console(agent)
        v = visitor("Form visitor")
        v.say("I want a quote")
        v.handoff(team)
        page.wait_for_function(f"() => ParleyConsole.state().lists.mine.indexOf('{v.cid}') >= 0"
                               " || ParleyConsole.state().lists.queue.indexOf('{v.cid}') >= 0",
                               timeout=20000)
        if v.cid not in page.evaluate("() => ParleyConsole.state().lists")["mine"]:
            page.locator("#tabs [data-tab=queue]").click()
        page.locator(f"#conv-list li[data-cid='{v.cid}']").click()
        accept = page.locator("#conv-actions [data-act=accept]")
        if accept.is_visible():
            accept.click()
            page.wait_for_function(f"() => ParleyConsole.state().lists.mine.indexOf('{v.cid}') >= 0",
                                   timeout=15000)
        page.locator(f"#fi-form option[value='{form['form_id']}']").wait_for(
            state="attached", timeout=15000)
        page.locator("#fi-form").select_option(form["form_id"])
        page.locator("#fi-send").focus()
        # a change of the chat (here a tag) redraws the header: the form picker keeps its
        # choice and the keyboard's focus stays on the button
        rest.call("POST", f"/agent/conversations/{v.cid}/tags", {"add": [f"f{run}"]},
                  admin_token)
        page.locator("#conv-tags .chip.tag", has_text=f"f{run}").wait_for(timeout=15000)
        assert page.evaluate("document.activeElement && document.activeElement.id") == "fi-send"
        assert page.locator("#fi-form").input_value() == form["form_id"]
        page.keyboard.press("Enter")
        page.locator(".toast", has_text="Form sent").wait_for(timeout=10000)
        page.locator("#log li.form-msg", has_text=f"Quote {run}").wait_for(timeout=15000)
        sent = [m for m in v.messages() if m["type"] == "form"][-1]
        rest.call("POST", f"/visitor/conversations/{v.cid}/forms/{sent['seq']}",
                  {"answers": {"who": XSS, "mail": f"{run}@forms.example"}}, v.token)
        answered = page.locator("#log li[data-kind=form_answered]")
        answered.wait_for(timeout=15000)
        assert "The visitor answered" in answered.inner_text()
        assert answered.locator("dd").first.inner_text() == XSS
        page.screenshot(path=str(artifacts_dir / "console-form-answered.png"), full_page=True)
        token = rest.call("POST", "/agent/login", {"email": agent["email"],
                                                   "password": agent["password"]})["token"]
        contact = rest.call("GET", f"/agent/contacts/by-visitor/{v.visitor_id}", None,
                            token)["contact"]
        assert f"{run}@forms.example" in contact["emails"]
        assert page.evaluate("() => window.__pwned") is None
        assert not page.parley_log.errors, page.parley_log.errors
    finally:
        _drop_forms(rest, admin_token, run)


def test_an_admin_lands_on_the_first_sites_forms(console, runtime):
    """No site typed yet: the page starts on the admin's first site (as Reports and Chat
    records do) and lists its forms, or says there are none."""
    page = console(admin_creds(runtime), online=False)
    page.locator("#pages [data-page=forms]").click()
    page.locator("#fm-new:not([disabled])").wait_for(timeout=10000)
    assert page.locator("#fm-site").input_value() != ""
    assert page.locator("#fm-table tbody tr").count() >= 1      # forms, or "No forms yet."
    assert not page.parley_log.errors

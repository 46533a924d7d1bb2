"""Departments in the widget, in Chromium against the local runtime: the visitor of a site
with departments chooses one in the pre-chat form before chatting (labels in the widget's
language, a typed name shown as text), then the department's bot answers from its own
entries and the site's, and the chat carries the department and its team; the agent of that
team gets it and sees the department in the visitor panel."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest)
from tests.browser.test_console import item
from tests.browser.test_widget import (Agent, make_site, open_widget, type_and_send,
                                       wait_ready)

pytestmark = pytest.mark.timeout(180)
XSS = "<b>Bold</b> & co"


def departed_site(admin):
    team = f"dt{uuid.uuid4().hex[:8]}"
    admin.admin("POST", "/teams", {"id": team, "name": "Sales team"})
    site = make_site(admin, bot_enabled=True, departments=[
        {"id": "sales", "name": {"en": "Sales", "zh": "销售"}, "team": team},
        {"id": "support", "name": {"en": XSS, "zh": XSS}}])
    for key, question, answer in (
            (site, "What are your opening hours?", "We open 9 to 6, Monday to Friday."),
            (f"{site}/sales", "Do you give volume discounts?", "Yes: 10% off from 50 seats."),
            (f"{site}/support", "How do I reset my password?", "Use 'Forgot password'.")):
        admin.admin("POST", "/kb", {"site_key": key, "question": question, "answer": answer})
    return site, team


def open_form(new_page, runtime, locale):
    """A new visitor of a site with departments, the widget open on its pre-chat form."""
    admin = Agent(runtime)
    site, team = departed_site(admin)
    page = new_page(f"/demo/site.html?site={site}&locale={locale}")
    wait_ready(page)
    open_widget(page)
    form = page.locator(".p-prechat")
    form.wait_for(timeout=10000)
    return admin, team, page, form


def bot_bubble(page, text):
    page.locator(".p-log .p-msg.p-them .p-bubble", has_text=text).wait_for(timeout=20000)


def test_the_visitor_chooses_a_department_and_its_bot_answers(new_page, runtime):
    admin, team, page, form = open_form(new_page, runtime, "en")
    assert page.locator(".p-compose").is_hidden()          # no chat before the choice
    assert form.locator("label").first.inner_text() == "Department *"
    options = form.locator("select option").all_inner_texts()
    assert options[1:] == ["Sales", XSS]                    # typed markup stays text
    assert form.locator("select b").count() == 0
    form.locator("button[type=submit]").click()            # required: not sent without one
    form.locator(".p-ferr", has_text="Please fill this in").wait_for(timeout=5000)
    form.locator("select").select_option("sales")
    form.locator("button[type=submit]").press("Enter")     # by keyboard
    page.locator(".p-compose").wait_for(timeout=10000)

    type_and_send(page, "Do you give volume discounts?")
    bot_bubble(page, "10% off from 50 seats")              # the department's own entry
    type_and_send(page, "What are your opening hours?")
    bot_bubble(page, "We open 9 to 6")                     # the site's, inherited
    cid = page.evaluate("Parley.state().conversation_id")
    conv = admin.call("GET", f"/conversations/{cid}")["conversation"]
    assert conv["attrs"]["department"] == "sales" and conv["team"] == team
    assert page.parley_log.errors == []


def test_the_department_choice_in_chinese(new_page, runtime):
    _admin, _team, page, form = open_form(new_page, runtime, "zh")
    assert form.locator("label").first.inner_text() == "咨询部门 *"
    assert form.locator("select option").all_inner_texts()[1:] == ["销售", XSS]
    form.locator("select").select_option("support")
    form.locator("button[type=submit]").click()
    page.locator(".p-compose").wait_for(timeout=10000)
    type_and_send(page, "How do I reset my password?")
    bot_bubble(page, "Forgot password")
    assert page.parley_log.errors == []


def test_the_agent_of_the_departments_team_sees_the_department(new_page, runtime, console,
                                                                make_agent, rest):
    admin = Agent(runtime)
    site, team = departed_site(admin)
    agent = make_agent(teams=[team], name="Dee Department")
    page = console(agent)
    v = rest.call("POST", "/visitor/sessions", {"site_key": site, "name": "Vic",
                                                "attributes": {"department": "sales"}})
    rest.call("POST", f"/visitor/conversations/{v['conversation_id']}/handoff", {}, v["token"])
    cid = v["conversation_id"]
    page.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{cid}')",
                           timeout=20000)
    item(page, cid).click()
    panel = page.locator("#visitor-panel")
    row = panel.locator(".kv").filter(has=page.locator("dt", has_text=re.compile("^Department$")))
    row.locator("dd", has_text=re.compile("^Sales$")).wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    panel.locator(".kv", has_text="咨询部门").filter(has_text="销售").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    assert page.parley_log.errors == []

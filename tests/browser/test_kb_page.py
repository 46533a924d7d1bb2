"""The console's Knowledge base page in Chromium: a KB of 60 entries lists 50, "Load more"
adds the rest with the focus on the first new row, search narrows the list, a new entry's
typed markup stays text, and the labels follow the language switch."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(120)
ROWS = "#kb-list tbody tr"


def _admin(console, runtime):
    c = runtime.credentials
    return console({"email": c.get("admin_email", "admin@demo.parley"),
                    "password": c["admin_password"]}, online=False)


def test_a_long_kb_pages_and_searches(console, rest, admin_token, runtime):
    key = f"kbp-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "KB pages"}, admin_token)
    csv = "id,question,similar,answer\n" + "".join(
        f"e{n:02d},How does feature {n:02d} work?,,Feature {n:02d} works well.\n"
        for n in range(60))
    rest.call("POST", "/admin/kb/import", {"site_key": key, "csv": csv}, admin_token)

    page = _admin(console, runtime)
    page.locator("#pages [data-page=kb]").click()
    page.locator("#kb-site").select_option(key)
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === 50 && "
                           "document.querySelector('#kb-list input').value.includes('00')")
    more = page.locator("#kb-more")
    assert more.inner_text() == "Load more"
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === 60")
    assert more.is_hidden()
    assert page.evaluate("document.activeElement.value") == "How does feature 50 work?"

    page.locator("#kb-q").fill("e57")                    # by id
    page.wait_for_function(f"() => (document.querySelector('{ROWS} input') || {{}}).value === "
                           "'How does feature 57 work?'")

    page.locator("#kb-new-q").fill("<b>bold</b> question?")
    page.locator("#kb-new-a").fill("An answer.")
    page.locator("#kb-new-q").press("Enter")
    page.locator("#kb-q").fill("bold")
    page.wait_for_function(f"() => (document.querySelector('{ROWS} input') || {{}}).value === "
                           "'<b>bold</b> question?'")
    assert page.locator("#kb-list b").count() == 0

    page.locator("header .lang-toggle").click()
    page.locator("#page-kb h2", has_text="知识库").wait_for(timeout=10000)
    page.locator("#kb-site").select_option(key)
    page.locator("#kb-q").fill("")
    page.locator("#kb-more", has_text="加载更多").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    assert not page.parley_log.errors, page.parley_log.errors

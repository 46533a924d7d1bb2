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


def test_questions_learned_from_chats_are_said_under_the_similar_ones_and_kept_on_save(
        console, rest, admin_token, runtime):
    """A similar question approved from the learning queue is marked as learned (an example
    for the matcher: docs/bot.md "Learning"); the page says which, as text, in both languages,
    and its Save (which does not send the marks) keeps them."""
    key = f"kbl-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "KB learned"}, admin_token)
    chat = "<i>moving</i> next month, will it still come"
    rest.call("POST", "/admin/kb", {"site_key": key, "id": "intl",
                                    "question": "Do you ship abroad?",
                                    "similar": ["overseas shipping"], "answer": "US and Canada."},
              admin_token)
    rest.call("POST", "/admin/kb/labels", {"site_key": key, "text": chat, "entry_id": "intl"},
              admin_token)
    page = _admin(console, runtime)
    page.set_viewport_size({"width": 390, "height": 844})           # phone width
    page.locator("#pages [data-page=kb]").click()
    page.locator("#kb-site").select_option(key)
    note = page.locator(f"{ROWS} .kb-learned")
    note.wait_for(timeout=15000)
    assert note.inner_text() == f"Learned from chats (1), used as examples: {chat}"
    assert page.locator("#kb-list i").count() == 0                  # text, not markup
    row = page.locator(ROWS).first
    row.locator("textarea").nth(1).fill("US, Canada and Mexico.")   # the answer
    row.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for(timeout=10000)
    entry = rest.call("GET", f"/admin/kb?site_key={key}", None, admin_token)["entries"][0]
    assert entry["answer"] == "US, Canada and Mexico." and entry["learned"] == [chat]
    page.locator("header .lang-toggle").click()
    page.locator("#kb-site").select_option(key)
    page.locator(f"{ROWS} .kb-learned", has_text="其中 1 条学自对话").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    assert not page.parley_log.errors, page.parley_log.errors

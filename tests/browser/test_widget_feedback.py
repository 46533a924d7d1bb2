"""The widget's "was this helpful?" under a bot answer (web/widget/parley.js) in Chromium:
the answer reaches the site's learning queue; other bot replies have no such buttons."""
from __future__ import annotations

import pytest

from tests.browser.test_widget import Agent, open_widget, row_with, type_and_send, wait_ready

pytestmark = pytest.mark.timeout(120)


def test_helpful_buttons_label_the_question(new_page, runtime):
    page = new_page("/demo/")
    state = wait_ready(page, transport="ws")
    open_widget(page)
    type_and_send(page, "Is my data encrypted at rest and in transit?")
    answer = row_with(page, "AES-256")
    answer.wait_for(timeout=15000)
    box = answer.locator(".p-helpful")
    assert box.inner_text().startswith("Was this helpful?")
    box.get_by_role("button", name="No").click()
    answer.locator(".p-helpful", has_text="Thanks for your feedback").wait_for(timeout=10000)
    agent = Agent(runtime)
    labels = agent.admin("GET", "/kb/labels?site_key=demo")["labels"]
    mine = [x for x in labels if x["conversation_id"] == state["conversation_id"]]
    assert [(x["text"], x["entry_id"], x["source"]) for x in mine] == [
        ("Is my data encrypted at rest and in transit?", "en-security", "helpful_no")]
    agent.admin("DELETE", f"/kb/labels/{mine[0]['id']}?site_key=demo")   # leave the queue clean
    # a fallback has no "helpful?" buttons
    type_and_send(page, "What is the weather on Mars?")
    fallback = row_with(page, "Could you rephrase")
    fallback.wait_for(timeout=15000)
    assert fallback.locator(".p-helpful").count() == 0
    assert page.parley_log.errors == []

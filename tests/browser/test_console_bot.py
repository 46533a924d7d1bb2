"""Bot management in the console (web/console/bot.js) in Chromium against the local runtime:
the learning queue (a visitor's "not helpful" answer, rejected by the admin), XSS-safe
rendering, the flows editor's template preview, the synonyms editor, keyboard use, zh-CN and
phone width."""
from __future__ import annotations

import time

import pytest

from tests.browser.console_fixtures import admin_token, console, rest, visitor  # noqa: F401

pytestmark = pytest.mark.timeout(180)

XSS = "<b>套餐多少钱</b>"   # markup typed by a visitor must show as text


def _admin(console, runtime, **kw):
    return console({"email": runtime.credentials.get("admin_email", "admin@demo.parley"),
                    "password": runtime.credentials["admin_password"]}, online=False, **kw)


def _bot_answer(v, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for m in v.messages():
            if m["sender"]["type"] == "bot" and (m.get("extra") or {}).get("kind") == "answer":
                return m
        time.sleep(0.25)
    raise AssertionError("the bot never answered")


def test_learning_queue_flows_synonyms_keyboard_and_languages(console, runtime, visitor, rest,
                                                               admin_token, artifacts_dir):
    v = visitor("Feedback Visitor")
    v.say(XSS)
    answer = _bot_answer(v)
    rest.call("POST", f"/visitor/conversations/{v.cid}/bot-feedback",
              {"seq": answer["seq"], "helpful": False}, v.token)

    admin = _admin(console, runtime)
    admin.locator("#pages [data-page=bot]").click()
    admin.locator("#bot-site").select_option("demo")
    row = admin.locator("#bot-labels tr", has_text="套餐多少钱")
    row.wait_for(timeout=30000)
    assert row.locator("td").first.text_content() == XSS       # shown as text
    assert row.locator("td b").count() == 0
    assert row.locator("select").input_value() == ""           # "not helpful": out of scope
    admin.screenshot(path=str(artifacts_dir / "console-bot-learning.png"), full_page=True)
    row.get_by_role("button", name="Reject").click()
    row.wait_for(state="detached", timeout=30000)
    labels = rest.call("GET", "/admin/kb/labels?site_key=demo", None, admin_token)["labels"]
    assert all(x["text"] != XSS for x in labels)

    # keyboard: arrow keys move between the sections
    admin.locator("#bot-tab-learning").focus()
    admin.keyboard.press("ArrowRight")
    assert admin.locator("#bot-tab-synonyms").get_attribute("aria-selected") == "true"
    admin.locator("#bot-synonyms").wait_for()
    admin.keyboard.press("ArrowRight")
    admin.locator("#bot-flows .bot-flow").first.wait_for(timeout=30000)
    flow = admin.locator("#bot-flows .bot-flow").first
    assert flow.locator(".bot-flow-id").input_value() == "order-status"   # the demo flow
    flow.locator("summary").click()
    flow.get_by_role("button", name="Preview the template").click()
    preview = flow.locator("output").first.text_content()
    assert "processing" in preview and "en:" in preview
    # a test run against the demo's order endpoint (an even last digit: shipped)
    flow.locator("textarea").last.fill("查订单\nAB123456\n13912345678")
    flow.get_by_role("button", name="Run with the endpoint").click()
    run = flow.locator("output.bot-run")
    run.filter(has_text="已发货").wait_for(timeout=30000)
    assert "[done]" in run.text_content()
    admin.locator("#bot-tab-duplicates").click()
    admin.locator("#bot-duplicates").wait_for(timeout=30000)

    # zh-CN
    admin.locator(".topbar .lang-toggle").click()
    admin.locator("#bot-tab-learning", has_text="学习队列").wait_for(timeout=30000)
    admin.locator("#bot-tab-synonyms", has_text="同义词").wait_for()
    assert admin.evaluate("document.documentElement.lang") == "zh-CN"
    admin.locator(".topbar .lang-toggle").click()   # back to English for other tests

    # phone width: the page fits, the sections are reachable
    phone = _admin(console, runtime, viewport={"width": 390, "height": 800})
    phone.locator("#pages [data-page=bot]").click()
    phone.locator("#bot-tab-flows").click()
    phone.locator("#bot-flows").wait_for(timeout=30000)
    width = phone.evaluate("document.getElementById('page-bot').scrollWidth")
    assert width <= 400, width
    phone.screenshot(path=str(artifacts_dir / "console-bot-phone.png"), full_page=True)
    assert not admin.parley_log.errors, admin.parley_log.errors
    assert not phone.parley_log.errors, phone.parley_log.errors

"""The Bot page's per-entry figures (web/console/bot.js "Figures") in Chromium against the
local runtime: a visitor's question answered by the bot and marked helpful travels the real
event stream (table stream -> relay -> topic -> reports consumer) into the entry's row;
keyboard, zh-CN, phone width and the shared base."""
from __future__ import annotations

import time

import pytest

from tests.browser.console_fixtures import admin_token, console, rest, visitor  # noqa: F401
from tests.browser.test_console_bot import _admin, _bot_answer

pytestmark = pytest.mark.timeout(180)


def _row(rest, token, entry_id):
    data = rest.call("GET", "/admin/kb/figures?site_key=demo&limit=100", None, token)
    return next(e for e in data["entries"] if e["id"] == entry_id)


def _counted(rest, token, entry_id, timeout=60):
    """The entry's row once this test's answer and feedback are counted and the counts have
    stopped moving (other tests' chats of the demo site may still be on the event stream)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        row = _row(rest, token, entry_id)
        if row["answered"] >= 1 and row["helpful"] >= 1:
            if row == last:
                return row
            last = row
            time.sleep(2)
            continue
        time.sleep(0.5)
    raise AssertionError("the answer and its feedback were never counted")


def test_figures_tab_shows_what_the_bot_did_per_entry(console, runtime, visitor, rest,
                                                      admin_token, artifacts_dir):
    v = visitor("Figures Visitor")
    v.say("How much does it cost?")
    answer = _bot_answer(v)
    assert answer["extra"]["entry_id"] == "en-price"
    rest.call("POST", f"/visitor/conversations/{v.cid}/bot-feedback",
              {"seq": answer["seq"], "helpful": True}, v.token)
    row = _counted(rest, admin_token, "en-price")

    admin = _admin(console, runtime)
    admin.locator("#pages [data-page=bot]").click()
    admin.locator("#bot-site").select_option("_common")
    admin.locator("#bot-tab-figures").click()
    admin.locator("#bot-fig-shared").wait_for(timeout=30000)   # the shared base: no figures
    admin.locator("#bot-site").select_option("demo")
    cell = admin.locator("#bot-figures tr", has=admin.locator("td[data-entry='en-price']"))
    cell.wait_for(timeout=30000)
    assert cell.locator("td[data-col=answered]").text_content() == str(row["answered"])
    assert cell.locator("td[data-col=helpful]").text_content().startswith(f"{row['helpful']} / ")
    assert "How much does it cost?" in cell.locator("td").first.text_content()
    # most asked first, a page of 20 with the pager
    asked = [int(x) for x in admin.locator("#bot-figures td[data-col=asked]").all_text_contents()]
    assert asked == sorted(asked, reverse=True) and 0 < len(asked) <= 20
    admin.locator("#bot-fig-days").select_option("7")
    admin.locator("#bot-figures td[data-entry='en-price']").wait_for(timeout=30000)
    admin.screenshot(path=str(artifacts_dir / "console-bot-figures.png"), full_page=True)

    # keyboard: from the first section, ArrowLeft wraps round to Figures
    admin.locator("#bot-tab-learning").click()
    admin.locator("#bot-tab-learning").focus()
    admin.keyboard.press("ArrowLeft")
    assert admin.locator("#bot-tab-figures").get_attribute("aria-selected") == "true"
    admin.locator("#bot-figures td[data-entry='en-price']").wait_for(timeout=30000)

    # zh-CN
    admin.locator(".topbar .lang-toggle").click()
    admin.locator("#bot-tab-figures", has_text="数据").wait_for(timeout=30000)
    admin.locator("#bot-figures th", has_text="直接回答").wait_for(timeout=30000)
    admin.locator(".topbar .lang-toggle").click()   # back to English for other tests

    # phone width: the rows stack, each number labelled, nothing wider than the screen
    phone = _admin(console, runtime, viewport={"width": 390, "height": 800})
    phone.locator("#pages [data-page=bot]").click()
    phone.locator("#bot-site").select_option("demo")
    phone.locator("#bot-tab-figures").click()
    phone.locator("#bot-figures td[data-entry='en-price']").wait_for(timeout=30000)
    width = phone.evaluate("document.getElementById('page-bot').scrollWidth")
    assert width <= 400, width
    label = phone.evaluate("""getComputedStyle(document.querySelector(
        "#bot-figures td[data-col=answered]"), "::before").content""")
    assert "Answered" in label
    phone.screenshot(path=str(artifacts_dir / "console-bot-figures-phone.png"), full_page=True)
    assert not admin.parley_log.errors, admin.parley_log.errors
    assert not phone.parley_log.errors, phone.parley_log.errors

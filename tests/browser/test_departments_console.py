"""A site's departments in the console (web/console/departments.js, a Sites page panel, and
the Bot page's department knowledge bases in web/console/bot.js), in Chromium against the
local runtime: two departments added from the keyboard (one with a team, one with the site's)
and kept over a reload; an id twice and a team deleted behind the page refused at their row
with nothing saved; zh-CN; a name with markup shown as text; an entry added on the Bot page
to a department's knowledge base lands there and not in the site's; phone width."""
from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from tests.browser.console_fixtures import (admin_token, console, delete_team,  # noqa: F401
                                             make_team, rest)
from tests.browser.test_widget import wait_until

pytestmark = pytest.mark.timeout(240)

PHONE = {"width": 390, "height": 844}
MARKUP = "<b>x</b>"          # a department name typed with markup must show as text


def _admin(console, runtime, **kw):
    c = runtime.credentials
    return console({"email": c.get("admin_email", "admin@demo.parley"),
                    "password": c["admin_password"]}, online=False, **kw)


def _departments(rest, token, key):
    return rest.call("GET", f"/admin/sites/{key}", None, token)["site"]["settings"].get(
        "departments") or []


def _open_site(page, key):
    page.locator("#pages [data-page=sites]").click()
    page.locator(f"#site-pick option[value='{key}']").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option(key)
    page.locator("form.site-form h3", has_text=key).wait_for(timeout=10000)
    page.locator("#s-dept-panel").wait_for(timeout=10000)


def _entries(rest, token, kb_key):
    return rest.call("GET", f"/admin/kb?site_key={quote(kb_key, safe='')}", None,
                     token)["entries"]


def test_departments_are_edited_kept_checked_and_get_their_own_bot(
        console, runtime, rest, admin_token, make_team, artifacts_dir):
    key = f"dep-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "Dept Shop"}, admin_token)
    team = make_team()
    # deleted later: made here, not by make_team (which names it in the demo site's settings)
    doomed = f"t-{uuid.uuid4().hex[:8]}"
    rest.call("POST", "/admin/teams", {"id": doomed, "name": f"Team {doomed}"}, admin_token)
    page = _admin(console, runtime)
    _open_site(page, key)
    assert page.locator("#s-dept-none").is_visible()
    assert "own bot" in page.locator("#s-dept-note").inner_text()

    # two departments from the keyboard: "Add" focuses the new row's id, Tab walks the row
    page.locator("#s-dept-add").focus()
    page.keyboard.press("Enter")
    first = page.locator(".dept-row").nth(0)
    assert page.evaluate("() => document.activeElement.classList.contains('dept-id')")
    page.keyboard.type("sales")
    page.keyboard.press("Tab")
    page.keyboard.type("Sales")
    page.keyboard.press("Tab")
    page.keyboard.type("销售")
    first.locator(".dept-team").select_option(team)
    assert first.locator("legend").inner_text() == "Department sales"
    page.locator("#s-dept-add").click()
    second = page.locator(".dept-row").nth(1)
    page.keyboard.type("after-sales")
    page.keyboard.press("Tab")
    page.keyboard.type(MARKUP)
    page.keyboard.press("Tab")
    page.keyboard.type("售后")
    page.keyboard.press("Enter")                         # the form submits from the keyboard
    page.locator(".toast", has_text="Saved").first.wait_for(timeout=10000)
    saved = wait_until(lambda: _departments(rest, admin_token, key), "departments not saved")
    assert [(d["id"], d["name"], d.get("team")) for d in saved] == [
        ("sales", {"en": "Sales", "zh": "销售"}, team),
        ("after-sales", {"en": MARKUP, "zh": "售后"}, None)]
    assert second.locator(".dept-team").input_value() == ""          # the site's team
    # redrawn from what was saved, the focus still where the Enter was pressed
    assert page.evaluate("() => document.activeElement.value") == "售后"

    page.reload()
    page.wait_for_function("() => window.ParleyConsole && ParleyConsole.state().ws === 'online'",
                           timeout=20000)
    _open_site(page, key)
    rows = page.locator(".dept-row")
    assert rows.count() == 2
    assert rows.nth(0).locator(".dept-id").input_value() == "sales"
    assert rows.nth(0).locator(".dept-name-zh").input_value() == "销售"
    assert rows.nth(0).locator(".dept-team").input_value() == team
    assert rows.nth(1).locator(".dept-id").input_value() == "after-sales"
    assert rows.nth(1).locator(".dept-name-en").input_value() == MARKUP
    assert page.locator("#s-dept-panel b").count() == 0
    page.locator("#s-dept-panel").screenshot(path=str(artifacts_dir / "console-departments.png"))

    # an id twice: said at the row, focus on it, nothing sent
    page.locator("#s-dept-add").click()
    dup = rows.nth(2)
    page.keyboard.type("sales")
    dup.locator(".dept-name-en").fill("Sales again")
    page.locator("#s-dept-save").click()
    dup.locator(".dept-error", has_text="used by another department").wait_for(timeout=10000)
    assert dup.locator(".dept-id").get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.classList.contains('dept-id')")
    assert rows.nth(0).locator(".dept-error").inner_text() == ""
    assert len(_departments(rest, admin_token, key)) == 2
    # an id without a name: said at the row too
    dup.locator(".dept-id").fill("returns")
    dup.locator(".dept-name-en").fill("")
    page.locator("#s-dept-save").click()
    dup.locator(".dept-error", has_text="name in English or Chinese").wait_for(timeout=10000)
    dup.locator(".dept-remove").click()      # the focus moves to the row before, not lost
    assert rows.count() == 2
    assert page.evaluate("() => document.activeElement.value") == "after-sales"

    # a team deleted behind the page: the API's unknown_team at the row, nothing saved
    rows.nth(1).locator(".dept-team").select_option(doomed)
    delete_team(rest, admin_token, doomed)
    page.locator("#s-dept-save").click()
    rows.nth(1).locator(".dept-error", has_text="no longer exists").wait_for(timeout=10000)
    assert rows.nth(1).locator(".dept-team").get_attribute("aria-invalid") == "true"
    assert _departments(rest, admin_token, key)[1].get("team") is None
    rows.nth(1).locator(".dept-team").select_option("")

    # zh-CN
    page.locator("header .lang-toggle").click()
    _open_site(page, key)
    page.locator("#s-dept-title", has_text="咨询部门").wait_for(timeout=10000)
    assert page.locator("#s-dept-add").inner_text() == "添加部门"
    assert page.locator("#s-dept-save").inner_text() == "保存部门"
    assert "名称(英文)" in page.locator(".dept-row").first.inner_text()
    assert "机器人" in page.locator("#s-dept-note").inner_text()
    assert page.locator(".dept-row").first.locator(".dept-team option").first.text_content() \
        .startswith("站点的团队")
    page.locator("header .lang-toggle").click()        # back to English

    # the Bot page: each department's knowledge base after its site
    page.locator("#pages [data-page=bot]").click()
    sales, after = f"{key}/sales", f"{key}/after-sales"
    page.locator(f"#bot-site option[value='{after}']").wait_for(state="attached", timeout=10000)
    values = page.eval_on_selector_all("#bot-site option", "os => os.map(o => o.value)")
    assert values[values.index(key):values.index(key) + 3] == [key, sales, after]
    assert page.locator(f"#bot-site option[value='{sales}']").inner_text() == \
        f"Dept Shop · Sales ({sales})"
    assert page.locator(f"#bot-site option[value='{after}']").inner_text() == \
        f"Dept Shop · {MARKUP} ({after})"                    # markup shown as text
    assert page.locator("#bot-site b").count() == 0
    page.locator("#bot-site").select_option(key)
    assert page.locator("#bot-dept-note").is_hidden()
    page.locator("#bot-site").select_option(sales)
    page.locator("#bot-dept-note", has_text="inherits the site's entries").wait_for()
    # its entries: the Knowledge base page, opened on the department's knowledge base
    page.locator("#bot-edit-entries").click()
    page.locator("#kb-new-q").wait_for(timeout=10000)
    page.wait_for_function("k => document.getElementById('kb-site').value === k", arg=sales,
                           timeout=10000)
    question = f"Do sales ship abroad {uuid.uuid4().hex[:4]}?"
    page.locator("#kb-new-q").fill(question)
    page.locator("#kb-new-similar").fill("Shipping abroad?\nInternational orders?")
    page.locator("#kb-new-a").fill("Yes, to 40 countries.")
    page.locator("#kb-new-tags").fill("shipping，abroad")        # a Chinese comma splits too
    page.locator("#kb-new-a").press("Tab")
    page.locator("#kb-new button[type=submit]").click()
    row = page.locator("#kb-list tbody tr").first
    page.wait_for_function("q => [...document.querySelectorAll('#kb-list tbody tr')].some("
                           "r => r.querySelector('input').value === q)", arg=question,
                           timeout=10000)
    dept_entries = _entries(rest, admin_token, sales)
    assert [e["question"] for e in dept_entries] == [question]
    assert dept_entries[0]["similar"] == ["Shipping abroad?", "International orders?"]
    assert dept_entries[0]["tags"] == ["shipping", "abroad"]
    assert all(e["question"] != question for e in _entries(rest, admin_token, key))
    assert not _entries(rest, admin_token, after)
    # edited in its row: the department's entry changes (not a copy in the site's)
    row.locator("textarea").nth(1).fill("Yes, to 41 countries.")
    row.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").first.wait_for(timeout=10000)
    assert wait_until(lambda: _entries(rest, admin_token, sales)[0]["answer"]
                      == "Yes, to 41 countries.", "the entry was not updated")
    assert all(e["question"] != question for e in _entries(rest, admin_token, key))
    # the shared base every site inherits is on the page too
    assert page.locator("#kb-site option[value=_common]").inner_text().startswith("Shared base")
    page.locator("#pages [data-page=bot]").click()
    page.locator("#bot-site").select_option(sales)
    page.screenshot(path=str(artifacts_dir / "console-departments-bot.png"), full_page=True)
    # zh-CN on the Bot page: the note and the department's name in Chinese
    page.locator("header .lang-toggle").click()
    page.locator("#bot-dept-note", has_text="继承站点的条目").wait_for(timeout=10000)
    assert page.locator(f"#bot-site option[value='{sales}']").inner_text() == \
        f"Dept Shop · 销售 ({sales})"
    page.locator("header .lang-toggle").click()        # back to English for later tests
    # the Knowledge base page (search, CSV import/export) lists the department's KB too; the
    # site's list, asked for first, answers late and must not replace it
    page.locator("#pages [data-page=kb]").click()
    page.locator("#kb-site").select_option(sales)
    page.wait_for_function("q => [...document.querySelectorAll('#kb-list tbody tr')].map("
                           "r => r.querySelector('input').value).join('|') === q",
                           arg=question, timeout=10000)            # its own entry only
    assert not page.parley_log.errors, page.parley_log.errors

    # phone width: the departments fit, no sideways scrolling
    phone = _admin(console, runtime, viewport=PHONE)
    _open_site(phone, key)
    phone.locator("#s-dept-panel").scroll_into_view_if_needed()
    overflow = phone.evaluate("() => { const p = document.getElementById('s-dept-panel');"
                              " return p.scrollWidth - p.clientWidth; }")
    assert overflow <= 1, overflow
    right = phone.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'#s-dept-panel input, #s-dept-panel select, #s-dept-panel button')]"
                           ".map(n => n.getBoundingClientRect().right))")
    assert right <= PHONE["width"], right
    phone.locator("#s-dept-panel").screenshot(
        path=str(artifacts_dir / "console-departments-phone.png"))
    phone.screenshot(path=str(artifacts_dir / "console-departments-phone-page.png"),
                     full_page=True)
    assert not phone.parley_log.errors, phone.parley_log.errors

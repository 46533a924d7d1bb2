"""The console's audit log page and identity-secret panel (web/console/audit.js) in Chromium
against the local runtime: an admin performs listed actions in the console and finds them on
the Audit page, by keyboard, in both languages, paged, at phone width."""
from __future__ import annotations

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            rest)

pytestmark = pytest.mark.timeout(180)

XSS = "<img src=x onerror=\"window.__pwned=1\">"


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def test_actions_done_in_the_console_show_on_the_audit_page(console, runtime, rest,
                                                            admin_token, make_agent,
                                                            artifacts_dir):
    victim = make_agent(name=XSS)                    # a name that must stay text
    page = console(admin_creds(runtime), online=False)
    # 1. reveal the demo site's identity secret (recorded as a view)
    page.locator("#pages [data-page=sites]").click()
    page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option("demo")
    page.locator("form.site-form h3", has_text="· demo").wait_for(timeout=10000)
    page.locator("#s-secret-reveal").click()
    secret = page.locator("#s-secret").inner_text(timeout=10000)
    assert len(secret) == 64
    # 2. sign the new agent out everywhere from the Agents page
    page.locator("#pages [data-page=agents]").click()
    row = page.locator(f"#page-agents tr[data-agent='{victim['agent_id']}']")
    row.locator("button", has_text="Sign out everywhere").click()
    page.locator(".toast", has_text="signed out").wait_for(timeout=10000)
    # 3. the Audit page, reached with the keyboard, shows both, newest first
    page.locator("#pages [data-page=audit]").focus()
    page.keyboard.press("Enter")
    rows = page.locator("#audit-rows tr")
    signed_out = rows.filter(has_text="Sessions signed out").filter(has_text=victim["agent_id"])
    signed_out.first.wait_for(timeout=10000)
    texts = rows.all_inner_texts()       # newest first (other work may log in between)
    first = next(i for i, x in enumerate(texts)
                 if "Sessions signed out" in x and victim["agent_id"] in x)
    second = next(i for i, x in enumerate(texts)
                  if "Identity secret viewed" in x and "site demo" in x)
    assert first < second, texts[:5]
    assert secret not in page.locator("#page-audit").inner_text()    # never the secret itself
    # filter by action with the keyboard: choose, then Enter submits
    page.locator("#audit-action").select_option("site.secret_viewed")
    page.locator("#audit-from").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('#audit-rows tr')]"
                           ".every(r => r.dataset.action === 'site.secret_viewed')", timeout=10000)
    page.screenshot(path=str(artifacts_dir / "console-audit.png"), full_page=True)
    # zh-CN: labels follow the language, the rows stay
    page.locator("header .lang-toggle").click()
    page.locator("#page-audit h2", has_text="审计日志").wait_for()
    page.locator("#audit-rows tr", has_text="查看身份密钥").first.wait_for()
    page.locator("header .lang-toggle").click()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_audit_page_loads_more_and_fits_a_phone(console, runtime, rest, admin_token):
    me = rest.call("GET", "/agent/me", None, admin_token)
    for i in range(27):   # more than one page (25) of one action
        rest.call("PUT", "/admin/sites/demo", {"max_wait_seconds": 100 + i}, admin_token)
    rest.call("PUT", "/admin/sites/demo", {"max_wait_seconds": 120}, admin_token)
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    page.evaluate("() => document.querySelector('#pages [data-page=audit]').click()")
    page.locator("#audit-actor option", has_text=me["name"]).wait_for(state="attached",
                                                                   timeout=10000)
    page.locator("#audit-action").select_option("site.settings_changed")
    page.locator("#audit-actor").select_option(me["agent_id"])
    page.locator("#audit-filters button[type=submit]").click()
    page.wait_for_function("() => document.querySelectorAll('#audit-rows tr').length === 25",
                           timeout=10000)
    more = page.locator("#audit-more")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#audit-rows tr').length >= 28",
                           timeout=10000)
    # the table scrolls inside its box; the page itself does not scroll sideways
    overflow = page.evaluate("() => { const p = document.querySelector('#page-audit');"
                             " return p.scrollWidth - p.clientWidth; }")
    assert overflow <= 1, overflow
    assert not page.parley_log.errors, page.parley_log.errors

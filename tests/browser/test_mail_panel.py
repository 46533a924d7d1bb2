"""A site's email panel (web/console/mail.js) in Chromium against the local runtime: the
admin sees the site's inbound address, sets its own address by keyboard, gets a clear error
for a bad or taken one, in both languages, at phone width."""
from __future__ import annotations

import time

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(180)


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def open_panel(page):
    page.evaluate("() => document.querySelector('#pages [data-page=sites]').click()")
    page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option("demo")
    page.locator("#s-mail-panel").wait_for(timeout=10000)


def test_site_email_address_is_set_by_keyboard_with_clear_errors(console, runtime, rest,
                                                                 admin_token, artifacts_dir):
    rest.call("POST", "/admin/sites", {"site_key": "mailother", "name": "Other",
                                       "settings": {"mail_address": "taken@shop.example"}},
              admin_token, expect=(201, 200, 409))
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    open_panel(page)
    assert page.locator("#s-mail-inbox").inner_text() == "demo@inbound.parley.invalid"
    box = page.locator("#s-mail-address")
    box.fill("Help@Shop.Example")
    box.press("Enter")                                  # the form submits from the keyboard
    page.wait_for_function("() => document.querySelector('#s-mail-address').value"
                           " === 'help@shop.example'", timeout=10000)
    site = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]
    assert site["settings"]["mail_address"] == "help@shop.example"
    assert site["mail_inbox"] == "demo@inbound.parley.invalid"
    # a plus tag, then another site's address: clear messages, nothing saved
    box.fill("help+t_abcdef@shop.example")
    box.press("Enter")
    page.locator("#s-mail-error", has_text="plain email address").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    open_panel(page)
    page.locator("#s-mail-title", has_text="邮件").wait_for(timeout=10000)   # zh-CN
    page.locator("#s-mail-address").fill("taken@shop.example")
    page.locator("#s-mail-save").focus()
    page.keyboard.press("Enter")
    page.locator("#s-mail-error", has_text="已有其他站点").wait_for(timeout=10000)
    assert rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"][
        "mail_address"] == "help@shop.example"
    overflow = page.evaluate("() => { const p = document.querySelector('#s-mail-panel');"
                             " return p.scrollWidth - p.clientWidth; }")
    assert overflow <= 1, overflow
    page.screenshot(path=str(artifacts_dir / "console-mail-panel.png"), full_page=True)
    # empty clears it
    page.locator("#s-mail-address").fill("")
    page.locator("#s-mail-save").click()
    page.wait_for_function("() => document.querySelector('#s-mail-error').textContent === ''",
                           timeout=10000)
    # the save lands (a toast of an earlier save may still be showing: ask the API)
    deadline = time.time() + 15
    while rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"].get(
            "mail_address") is not None:
        assert time.time() < deadline, "clearing the address was never saved"
        time.sleep(0.3)
    page.locator(".toast").first.wait_for(timeout=10000)
    assert not page.parley_log.errors, page.parley_log.errors

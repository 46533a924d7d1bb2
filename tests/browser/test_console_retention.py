"""An admin sets a site's retention in the console (Sites page), in English and Chinese,
at phone width, and clears it again."""
from __future__ import annotations

import time
import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(120)


def settings(rest, token, key):
    return rest.call("GET", f"/admin/sites/{key}", None, token)["site"]["settings"]


def wait_for(fn, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(what)


def test_admin_sets_and_clears_retention_days(console, rest, admin_token, runtime):
    key = f"ret-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "Retention"}, admin_token)
    c = runtime.credentials
    page = console({"email": c.get("admin_email", "admin@demo.parley"),
                    "password": c["admin_password"]}, online=False,
                   viewport={"width": 390, "height": 844})
    page.locator("#pages [data-page=sites]").click()
    page.locator(f"#site-pick option[value='{key}']").wait_for(state="attached")
    page.locator("#site-pick").select_option(key)
    field = page.locator("#s-retention")
    field.wait_for()
    assert page.locator("label", has=field).inner_text().strip().startswith("Keep chats")
    field.fill("90")
    page.locator("form.site-form button[type=submit]").click()
    assert wait_for(lambda: settings(rest, admin_token, key).get("retention_days") == 90,
                    "retention_days was not saved")

    page.locator("#app .lang-toggle").click()                 # 中文
    page.locator("#pages [data-page=sites]").click()
    page.locator(f"#site-pick option[value='{key}']").wait_for(state="attached")
    page.locator("#site-pick").select_option(key)
    page.locator("#s-retention").wait_for()
    assert page.locator("#s-retention").input_value() == "90"
    assert "保留" in page.locator("label", has=page.locator("#s-retention")).inner_text()
    # a site has a name (名称), not a person's name (姓名)
    form = page.locator("#s-retention").locator("xpath=ancestor::form")
    assert "名称" in form.inner_text() and "姓名" not in form.inner_text()
    page.locator("#s-retention").fill("")
    page.locator("#s-retention").press("Enter")               # keyboard: submit the form
    assert wait_for(lambda: "retention_days" in settings(rest, admin_token, key)
                    and settings(rest, admin_token, key)["retention_days"] is None,
                    "retention_days was not cleared")
    assert page.parley_log.errors == []
    page.locator("#app .lang-toggle").click()                 # leave English for other tests

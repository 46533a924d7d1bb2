"""A channel's department in Chromium against the local runtime (web/console/
channel_department.js in the API channel and WeChat sections of the Channels page): an admin
creates an API channel of a department by keyboard, a message signed with its secret opens a
chat of that department; the card's picker changes it and saves at once; a department the
site dropped meanwhile is refused and said at the card; zh-CN and phone width; department
names the admin typed render as text."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401
from tests.browser.test_api_channels_page import XSS, admin_creds, post_signed
from tests.browser.test_widget import wait_until

pytestmark = pytest.mark.timeout(180)


def open_channels(page, key):
    page.locator("#pages [data-page=channels]").focus()
    page.keyboard.press("Enter")
    page.locator(f"#ac-site option[value={key}]").wait_for(state="attached", timeout=10000)
    page.locator("#ac-site").select_option(key)


def test_an_api_channel_of_a_department_opens_its_chats_there(console, runtime, rest,
                                                              admin_token, artifacts_dir):
    key = f"zchd{uuid.uuid4().hex[:6]}"   # after "demo": pickers default to the first site
    depts = [{"id": "returns", "name": {"en": f"Returns {XSS}", "zh": "退货"}},
             {"id": "sales", "name": {"en": "Sales", "zh": "销售"}}]
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "Dept shop",
                                       "settings": {"departments": depts}}, admin_token)
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    open_channels(page, key)
    pick = page.locator("#ac-dept")
    assert pick.locator("option").all_inner_texts() == [
        "None (the site's bot and team)", f"Returns {XSS}", "Sales"]        # names as text
    pick.select_option("returns")
    page.locator("#ac-name").fill("Returns app")
    page.locator("#ac-name").press("Enter")
    secret = page.locator("#ac-secret").input_value(timeout=10000)
    channel_id = page.locator("#ac-once .once").get_attribute("data-channel")
    card = page.locator(f"#ac-list li.ac-channel[data-channel='{channel_id}']")
    assert card.locator(".ch-dept").input_value(timeout=10000) == "returns"
    assert page.evaluate("() => window.__pwned") is None
    url = card.locator(".ac-url").inner_text()
    status, out = post_signed(url, secret, {"user": {"id": "u-1"}, "text": "send it back",
                                            "client_message_id": "m-1"})
    assert status == 201, out
    conv = rest.call("GET", f"/agent/conversations/{out['conversation_id']}", None,
                     admin_token)["conversation"]
    assert conv["attrs"]["department"] == "returns"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    page.screenshot(path=str(artifacts_dir / "console-channel-department.png"), full_page=True)

    # the card's picker saves at once; none is null (the site's bot and team)
    card.locator(".ch-dept").select_option("sales")
    assert wait_until(lambda: _dept(rest, admin_token, key, channel_id) == "sales", "saved")
    card.locator(".ch-dept").select_option("")
    assert wait_until(lambda: _dept(rest, admin_token, key, channel_id) is None, "unset")
    # the site drops a department behind the page: picking it is refused, said at the card
    rest.call("PUT", f"/admin/sites/{key}", {"departments": depts[1:]}, admin_token)
    card.locator(".ch-dept").select_option("returns")
    card.locator(".error", has_text="no longer has this department").wait_for(timeout=10000)
    assert card.locator(".ch-dept").input_value() == ""
    assert _dept(rest, admin_token, key, channel_id) is None

    # zh-CN: the labels and the department names in Chinese; the WeChat form has the picker
    page.locator("header .lang-toggle").click()
    open_channels(page, key)
    page.locator("#ac-form", has_text="咨询部门").wait_for(timeout=10000)
    assert page.locator("#ac-dept option").all_inner_texts() == ["无(站点的机器人和团队)", "销售"]
    page.locator("#wx-site").select_option(key)
    assert page.locator("#wx-dept option").all_inner_texts() == ["无(站点的机器人和团队)", "销售"]
    page.locator("header .lang-toggle").click()
    assert not page.parley_log.errors, page.parley_log.errors


def _dept(rest, token, key, channel_id):
    chans = rest.call("GET", f"/admin/channels?site_key={key}", None, token)["channels"]
    return [c for c in chans if c["id"] == channel_id][0]["department"]

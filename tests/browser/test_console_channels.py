"""Channels in the console (web/console/wechat.js) in Chromium against the local runtime: a
message posted as WeChat would post it shows in the inbox with a WeChat badge, the channel
filter names the channel, the header shows the 48-hour window (and, on a simulated clock 49
hours later, that it closed, with a composer warning), in both languages; the WeChat setup
(a section of the Channels page) lists the demo channel with its server URL and no secret, by
keyboard, at phone width."""
from __future__ import annotations

import uuid

import pytest

from infra.local import wechat_send
from tests.browser.console_fixtures import console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(180)


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def post_as_wechat(runtime, text: str) -> str:
    wx = runtime.credentials["wechat"]
    user = f"oBrowser{uuid.uuid4().hex[:20]}"
    query, body = wechat_send.signed_request(wechat_send.build_xml(user, text=text),
                                             token=wx["token"], aes_key=wx["encoding_aes_key"],
                                             app_id=wx["app_id"])
    assert wechat_send.post(runtime.base_url, wx["channel_id"], query, body) == (200, "success")
    return user


# a simulated clock for the page: Date.now() runs offset by window.__clockOffset (ms)
CLOCK = """(() => { const real = Date.now.bind(Date); window.__clockOffset = 0;
  Date.now = () => real() + window.__clockOffset; })();"""


def test_wechat_conversation_has_a_badge_and_the_48_hour_window(console, runtime, browser,
                                                                artifacts_dir):
    post_as_wechat(runtime, f"你好 {uuid.uuid4().hex[:6]}")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(CLOCK)
    try:
        _badge_and_window(console(admin_creds(runtime), online=False, context=context),
                          artifacts_dir)
    finally:
        context.close()


def _badge_and_window(page, artifacts_dir):
    # with the demo bot, or handed to the queue: the chat is in one of these two lists
    page.wait_for_function("() => ParleyConsole.state().loadedLists.includes('open')",
                           timeout=10000)
    item = page.locator("#conv-list li.conv", has=page.locator(".channel-badge.ch-wechat")).first
    for tab in ("open", "queue", "open", "queue"):
        page.locator(f"[data-tab={tab}]").click()
        try:
            item.wait_for(timeout=5000)
            break
        except Exception:
            continue
    item.wait_for(timeout=1000)
    assert item.locator(".channel-badge").inner_text() == "WeChat"
    # the channel filter names the channel
    page.wait_for_function("() => [...document.querySelectorAll('#f-channel option')]"
                           ".some(o => o.value === 'wechat' && o.textContent === 'WeChat')",
                           timeout=10000)
    item.focus()
    cid = item.get_attribute("data-cid")
    # a pushed change redraws the list: the keyboard's focus stays on the same chat
    page.evaluate("() => ParleyConsoleKit.renderList()")
    assert page.evaluate("() => document.activeElement.dataset.cid") == cid
    page.keyboard.press("Enter")
    window = page.locator("#conv-ext .wx-window")
    window.wait_for(timeout=10000)
    assert "left" in window.inner_text() and window.get_attribute("data-expired") == "0"
    assert page.locator("#conv-ext .channel-badge").inner_text() == "WeChat"
    assert page.locator("#wx-composer-warn").is_hidden()
    page.screenshot(path=str(artifacts_dir / "console-wechat-window.png"))
    # 49 hours later (simulated clock): closed, and the composer says replies will not arrive
    page.evaluate("() => { window.__clockOffset = 49 * 3600 * 1000; }")
    page.locator("header .lang-toggle").click()          # re-renders the header, in zh-CN
    page.locator("#conv-ext .wx-window[data-expired='1']", has_text="微信回复窗口已关闭").wait_for(
        timeout=10000)
    warn = page.locator("#wx-composer-warn")
    assert warn.is_visible() and "48 小时" in warn.inner_text()
    assert page.locator("#conv-ext .channel-badge").inner_text() == "微信公众号"
    page.locator("header .lang-toggle").click()
    page.locator("#conv-ext .wx-window", has_text="WeChat reply window closed").wait_for()


def test_wechat_setup_section_by_keyboard_at_phone_width(console, runtime, artifacts_dir):
    wx = runtime.credentials["wechat"]
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    assert page.locator("#pages [data-page=wechat]").count() == 0   # one Channels page
    page.locator("#pages [data-page=channels]").focus()
    page.keyboard.press("Enter")
    card = page.locator(f".wx-channel[data-channel='{wx['channel_id']}']")
    card.wait_for(timeout=10000)
    url = card.locator(".wx-url").inner_text()
    assert url.endswith(f"/v1/channels/wechat/{wx['channel_id']}") and url.startswith("http")
    assert page.locator("#page-channels #ch-wechat .wx-channel").count() >= 1
    text = page.locator("#ch-wechat").inner_text()
    assert wx["token"] not in text and wx["encoding_aes_key"] not in text
    assert page.locator(".wx-checklist li").count() == 4
    # the form's fields are reachable and labelled; Generate fills a 43-character key
    page.locator("#wx-aes").scroll_into_view_if_needed()
    page.locator("button[aria-label='Generate: wx-aes']").focus()
    page.keyboard.press("Enter")
    assert len(page.locator("#wx-aes").input_value()) == 43
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width                      # no sideways scrolling on a phone
    page.screenshot(path=str(artifacts_dir / "console-wechat-setup.png"), full_page=True)
    page.locator("header .lang-toggle").click()
    page.locator("#ch-wechat h3", has_text="微信公众号 / 小程序").wait_for()
    page.locator("header .lang-toggle").click()

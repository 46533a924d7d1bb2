"""The Tickets page's forms in Chromium against the local runtime: custom fields on the
new-ticket form and the ticket view (the API's 4xx shown next to the field), the SLA panel's
business hours (weekday controls and a time-zone select), attachments on a comment (the
chat's presigned upload; shown as links), the tag and subject filters; keyboard, zh-CN,
phone width. Values stay text."""
from __future__ import annotations

import urllib.request
import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401
from tests.browser.test_widget import tiny_png

pytestmark = pytest.mark.timeout(240)

XSS = "<img src=x onerror=\"window.__pwned=1\">"
FIELDS = [{"key": "plan", "kind": "select", "label": "Plan", "label_zh": "套餐",
           "options": ["free", "pro"], "required": True},
          {"key": "seats", "kind": "number", "label": "Seats"},
          {"key": "renewal", "kind": "date", "label": "Renewal"},
          {"key": "note", "kind": "text", "label": XSS}]


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def test_sla_business_hours_are_edited_with_weekday_controls(console, runtime, rest,
                                                             admin_token):
    before = rest.call("GET", "/agent/tickets/settings/demo", None, admin_token)["sla"]
    page = console(admin_creds(runtime), online=False)
    try:
        page.locator("#pages [data-page=sites]").click()
        page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
        page.locator("#site-pick").select_option("demo")
        page.locator("#tks-hours-mode").wait_for(timeout=10000)
        assert page.locator("#tks-hours").is_hidden()
        page.locator("#tks-hours-mode").select_option("custom")
        page.locator("#tks-tz").select_option("Asia/Shanghai")
        # Friday closed, Saturday open 10:00-14:00, Monday a second span: by keyboard
        page.locator("#tks-open-fri").focus()
        page.keyboard.press("Space")
        page.locator("#tks-open-sat").focus()
        page.keyboard.press("Space")
        sat = page.locator("#tks-hours [data-day=sat] .span").first
        sat.locator(".tkb-from").fill("10:00")
        sat.locator(".tkb-to").fill("14:00")
        page.locator("#tks-hours [data-day=mon] .spans .span .tkb-to").first.fill("12:00")
        page.locator("#tks-hours [data-day=mon] button", has_text="Add hours").click()
        page.locator("#tks-hours [data-day=mon] .span").nth(1).locator(".tkb-to").fill("18:00")
        # a span ending before it starts is refused in the form, nothing sent
        page.locator("#tks-hours [data-day=tue] .tkb-to").first.fill("08:00")
        page.locator("#tks-save-sla").click()
        page.locator("#tks-sla-form .error", has_text="Tuesday").wait_for(timeout=5000)
        page.locator("#tks-hours [data-day=tue] .tkb-to").first.fill("00:00")       # to midnight
        page.locator("#tks-save-sla").click()
        page.locator(".toast", has_text="Saved").first.wait_for(timeout=10000)
        sla = rest.call("GET", "/agent/tickets/settings/demo", None, admin_token)["sla"]
        assert sla["use_site_hours"] is False
        assert sla["business_hours"] == {"tz": "Asia/Shanghai", "days": {
            "mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "24:00"]],
            "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]], "sat": [["10:00", "14:00"]]}}
        # shown again as saved, in zh-CN
        page.locator("#pages [data-page=inbox]").click()
        page.locator("header .lang-toggle").click()
        page.locator("#pages [data-page=sites]").click()
        page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
        page.locator("#site-pick").select_option("demo")
        page.locator("#tks-hours-mode").wait_for(timeout=10000)
        assert page.locator("#tks-hours-mode").input_value() == "custom"
        assert page.locator("#tks-tz").input_value() == "Asia/Shanghai"
        assert page.locator("#tks-open-fri").is_checked() is False
        assert "周六" in page.locator("#tks-hours [data-day=sat]").inner_text()
        page.locator("header .lang-toggle").click()
        assert not page.parley_log.errors, page.parley_log.errors
    finally:
        rest.call("PUT", "/admin/tickets/settings/demo/sla", before, admin_token)


def test_custom_fields_attachments_and_filters(console, runtime, rest, admin_token,
                                               artifacts_dir):
    tag = uuid.uuid4().hex[:6]
    rest.call("PUT", "/admin/tickets/settings/demo/fields", {"fields": FIELDS}, admin_token)
    try:
        page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
        page.evaluate("() => document.querySelector('#pages [data-page=tickets]').click()")
        page.locator("#tk-site").fill("demo")
        page.locator("#tk-new").click()
        page.locator("#tkn-cf-plan").wait_for(timeout=10000)
        assert page.locator("#tk-new-form img").count() == 0     # the XSS label is text
        page.locator("#tkn-subject").fill(f"Upgrade {tag} {XSS}")
        page.locator("#tkn-email").fill(f"u-{tag}@example.com")
        page.locator("#tkn-tags").fill(f"t{tag}, vip")
        page.locator("#tkn-cf-seats").fill("12")
        page.locator("#tkn-cf-renewal").fill("2027-01-31")
        # the required select left empty: the API's 400 is shown next to it, nothing made
        page.locator("#tkn-email").press("Enter")
        err = page.locator("#tkn-cf-plan-err")
        err.wait_for(timeout=10000)
        assert "plan" in err.inner_text()
        assert page.locator("#tkn-cf-plan").get_attribute("aria-invalid") == "true"
        assert rest.call("GET", f"/agent/tickets?site_key=demo&view=requester&requester="
                                f"u-{tag}@example.com", None, admin_token)["tickets"] == []
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 392, width
        page.locator("#tkn-cf-plan").select_option("pro")
        page.locator("#tkn-create").focus()
        page.keyboard.press("Enter")
        page.locator("#tk-title", has_text=f"Upgrade {tag}").wait_for(timeout=15000)
        made = rest.call("GET", f"/agent/tickets?site_key=demo&view=requester&requester="
                                f"u-{tag}@example.com", None, admin_token)["tickets"]
        assert len(made) == 1
        tid = made[0]["ticket_id"]
        assert made[0]["custom_fields"] == {"plan": "pro", "seats": 12, "renewal": "2027-01-31"}
        assert sorted(made[0]["tags"]) == sorted([f"t{tag}", "vip"])

        # the ticket view edits them; a field the admin removed meanwhile is refused next to it
        assert page.locator("#tk-cf-seats").input_value() == "12"
        page.locator("#tk-cf-seats").fill("15")
        page.locator("#tk-cf-note").fill(f"note {XSS}")
        page.locator("#tk-save").click()
        page.locator(".toast", has_text="Saved").first.wait_for(timeout=10000)
        got = rest.call("GET", f"/agent/tickets/{tid}", None, admin_token)["ticket"]
        assert got["custom_fields"]["seats"] == 15 and got["custom_fields"]["note"] == f"note {XSS}"
        page.locator("#tk-cf-seats").wait_for(timeout=10000)
        rest.call("PUT", "/admin/tickets/settings/demo/fields",
                  {"fields": [f for f in FIELDS if f["key"] != "seats"]}, admin_token)
        page.locator("#tk-cf-seats").fill("20")
        page.locator("#tk-save").click()
        page.locator("#tk-cf-seats-err", has_text="seats").wait_for(timeout=10000)
        assert page.locator("#tk-cf-seats").get_attribute("aria-invalid") == "true"
        got = rest.call("GET", f"/agent/tickets/{tid}", None, admin_token)["ticket"]
        assert got["custom_fields"]["seats"] == 15

        # a comment with an attachment: the chat's upload flow, then a link on the comment
        page.locator("#tk-file").set_input_files(
            files=[{"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}])
        page.locator("#tk-reply-form .error", has_text="not accepted").wait_for(timeout=10000)
        png = tiny_png()
        page.locator("#tk-file").set_input_files(
            files=[{"name": f"shot-{tag}.png", "mimeType": "image/png", "buffer": png}])
        page.locator("#tk-uploads li", has_text=f"shot-{tag}.png").wait_for(timeout=15000)
        page.locator("#tk-reply").fill(f"See the screenshot {tag}")
        page.locator("#tk-send").click()
        link = page.locator("#tk-comments li", has_text=f"See the screenshot {tag}").locator(
            "a.tk-att")
        link.wait_for(timeout=15000)
        assert link.inner_text() == f"shot-{tag}.png"
        with urllib.request.urlopen(link.get_attribute("href"), timeout=10) as resp:
            assert resp.read() == png
        comments = rest.call("GET", f"/agent/tickets/{tid}/comments", None, admin_token)
        atts = [a for c in comments["comments"] for a in c["attachments"]]
        assert [(a["name"], a["content_type"], a["size"]) for a in atts] == \
            [(f"shot-{tag}.png", "image/png", len(png))]
        page.screenshot(path=str(artifacts_dir / "console-ticket-forms.png"), full_page=True)

        # the list filters: by tag and by subject text
        page.locator("#tk-back").click()
        page.locator("#tk-status").select_option("new")
        page.locator("#tk-tag").fill(f"T{tag}")
        page.locator("#tk-show").click()
        page.locator("#tk-list li", has_text=f"Upgrade {tag}").wait_for(timeout=10000)
        assert page.locator("#tk-list li").count() == 1
        assert page.locator("#tk-filtered").is_visible()
        page.locator("#tk-tag").fill("")
        page.locator("#tk-q").fill(f"upgrade {tag}")
        page.locator("#tk-q").press("Enter")
        page.locator("#tk-list li", has_text=f"Upgrade {tag}").wait_for(timeout=10000)
        assert page.locator("#tk-list li").count() == 1
        page.locator("header .lang-toggle").click()
        page.locator("#page-tickets label", has_text="主题包含").wait_for(timeout=5000)
        page.locator("header .lang-toggle").click()
        assert page.evaluate("() => window.__pwned") is None
        assert not page.parley_log.errors, page.parley_log.errors
    finally:
        rest.call("PUT", "/admin/tickets/settings/demo/fields", {"fields": []}, admin_token)

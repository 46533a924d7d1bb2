"""Console defects from issues 7 and 11: admin screens with controls (teams, roles, a site's
team, business hours) in both languages, the Teams page's pattern, the visitor panel's long
attribute names, the pre-chat name in the inbox list, a new visitor shown as new, and the
top bar at phone and laptop widths."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)
from tests.browser.test_console import item
from tests.helpers.http import http

pytestmark = pytest.mark.timeout(180)


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


TEXT_RECT = """e => { const r = document.createRange(); r.selectNodeContents(e);
  const b = r.getBoundingClientRect(); return {x: b.left, y: b.top, width: b.width, height: b.height}; }"""


def no_overlap(a, b):
    return (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_admin_screens_pick_teams_roles_and_hours_from_controls(console, runtime, rest,
                                                               admin_token, make_team):
    sales, support = make_team(), make_team()
    page = console(admin_creds(runtime), online=False)

    # agents: the role from a translated list, the teams by ticking them (keyboard only)
    page.locator("#pages [data-page=agents]").click()
    form = page.locator("#new-agent")
    form.wait_for()
    email = f"picked-{uuid.uuid4().hex[:8]}@agents.example"
    page.locator("#na-email").fill(email)
    page.locator("#na-name").fill("Picked Agent")
    page.locator("#na-password").fill("picked-pass-1")
    page.locator("#na-role").select_option(label="Supervisor")
    page.locator("#na-teams summary").focus()
    page.keyboard.press("Enter")                                   # opens the picker
    page.locator("#na-teams label", has_text=f"Team {sales}").locator("input").focus()
    page.keyboard.press("Space")
    assert page.locator("#na-teams summary").inner_text() == f"Team {sales}"
    form.locator("button[type=submit]").click()
    page.locator(f"#page-agents tr:has-text('{email}')").wait_for(timeout=10000)
    made = [a for a in rest.call("GET", "/admin/agents", None, admin_token)["agents"]
            if a["email"] == email][0]
    assert made["role"] == "supervisor" and made["teams"] == [sales]
    rest.call("PATCH", f"/admin/agents/{made['agent_id']}", {"disabled": True}, admin_token)

    # every label translated, role values too
    page.locator("#app .lang-toggle").click()
    page.locator("#page-agents th", has_text="角色").wait_for()
    page.locator("#na-role option", has_text="主管").wait_for(state="attached")   # re-rendered
    roles = page.locator("#na-role option").all_inner_texts()
    assert roles == ["客服", "主管", "管理员"], roles
    page.locator("#app .lang-toggle").click()

    # teams: the id pattern is a valid regular expression for Chromium, and enforced
    page.locator("#pages [data-page=teams]").click()
    tid = page.locator("#nt-id")
    tid.fill("Bad Id!")
    assert tid.evaluate("e => e.checkValidity()") is False
    tid.fill("t-ok-1")
    assert tid.evaluate("e => e.checkValidity()") is True
    assert not [t for _, t in page.parley_log.console if "pattern" in t.lower()]

    # sites: the team from a list, business hours from time inputs per day
    key = f"hours-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "Hours test"}, admin_token)
    page.locator("#pages [data-page=sites]").click()
    page.locator("#site-pick").select_option(key)
    page.locator("#s-team").wait_for()
    page.locator("#s-team").select_option(label=f"Team {support}")
    page.locator("#s-always").uncheck()
    page.locator("#s-tz").select_option("Asia/Shanghai")
    mon = page.locator("form.site-form .hours-days .day[data-day=mon]")
    mon.locator("input[type=checkbox]").check()
    mon.locator("button", has_text="Add hours").click()
    times = mon.locator("input[type=time]")
    for i, v in enumerate(["09:00", "12:00", "13:00", "18:00"]):
        times.nth(i).fill(v)
    page.locator("form.site-form .hours-days .day[data-day=fri] input[type=checkbox]").check()
    page.evaluate("document.querySelectorAll('.toast').forEach(n => n.remove())")
    page.locator("form.site-form button[type=submit]").click()
    page.locator(".toast", has_text="Saved").wait_for(timeout=10000)
    settings = rest.call("GET", f"/admin/sites/{key}", None, admin_token)["site"]["settings"]
    assert settings["team"] == support
    assert settings["business_hours"] == {"tz": "Asia/Shanghai", "days": {
        "mon": [["09:00", "12:00"], ["13:00", "18:00"]], "fri": [["09:00", "18:00"]]}}

    # an opening that ends before it starts is refused in the form; nothing is saved
    times.nth(1).fill("08:00")
    page.locator("form.site-form button[type=submit]").click()
    page.locator("form.site-form .error", has_text="Mon").wait_for()
    again = rest.call("GET", f"/admin/sites/{key}", None, admin_token)["site"]["settings"]
    assert again["business_hours"] == settings["business_hours"]
    assert not page.parley_log.errors


def test_prechat_name_in_the_list_new_visitor_and_long_attribute_names(console, runtime,
                                                                      make_agent, rest):
    long_name = "customer_lifetime_value_segment_identifier"
    first = rest.call("POST", "/visitor/sessions", {"site_key": "demo"})
    status, prechat = http("POST", f"{runtime.api_url}/visitor/sessions",
                           {"site_key": "demo", "name": "Pat Prechat",
                            "attributes": {long_name: "gold-tier-2026", "plan": "pro"}},
                           first["token"])
    assert status == 200 and prechat["conversation_id"] == first["conversation_id"]
    cid = first["conversation_id"]
    status, _ = http("POST", f"{runtime.api_url}/visitor/conversations/{cid}/messages",
                     {"client_message_id": uuid.uuid4().hex, "text": "hello bot"},
                     prechat["token"])
    assert status == 201

    page = console(make_agent(role="supervisor"), online=False)
    page.locator("#tabs [data-tab=open]").click()
    row = item(page, cid)
    row.wait_for(timeout=30000)
    assert "Pat Prechat" in row.inner_text()
    row.click()
    panel = page.locator("#visitor-panel")
    panel.locator("h2", has_text="Pat Prechat").wait_for(timeout=10000)
    assert panel.locator("p.muted").first.inner_text() == "New visitor"
    kv = panel.locator(".attrs .kv", has_text=long_name)
    # the rendered text, not the boxes: an unbreakable name spills out of a narrow box
    dt, dd = (kv.locator(x).evaluate(TEXT_RECT) for x in ("dt", "dd"))
    assert no_overlap(dt, dd), (dt, dd)
    box = panel.bounding_box()
    assert dt["x"] + dt["width"] <= box["x"] + box["width"] + 0.5
    assert not page.parley_log.errors


def _clipped(page, width):
    boxes = page.locator(".topbar button:visible, .topbar .brand").evaluate_all(
        "ns => ns.map(n => { const r = n.getBoundingClientRect(); "
        "return [n.textContent.trim(), r.left, r.right]; })")
    assert len(boxes) >= 20, boxes                   # an admin's pages plus the controls
    return [b for b in boxes if b[1] < 0 or b[2] > width]


def test_top_bar_fits_a_phone(console, runtime, artifacts_dir):
    page = console(admin_creds(runtime), online=False, viewport={"width": 390, "height": 844})
    assert _clipped(page, 390) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#pages [data-page=sites]").click()
    page.locator("#site-pick").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "console-phone.png"), full_page=True)
    assert not page.parley_log.errors


@pytest.mark.parametrize("width", [1280, 1024])
def test_an_admin_keeps_sign_out_and_language_in_view_on_a_laptop(console, runtime, width):
    """An admin's eighteen page buttons are wider than a 1280 px window: they wrap, and the
    controls at the end of the bar (language, help, sign out) stay on screen in English and
    in Chinese."""
    page = console(admin_creds(runtime), online=False, viewport={"width": width, "height": 800})
    for lang in ("en", "zh"):
        assert _clipped(page, width) == [], (lang, _clipped(page, width))
        for control in ("#signout", "#app .lang-toggle", "#help-btn", "#presence"):
            assert page.locator(control).is_visible(), (lang, control)
        page.locator("#app .lang-toggle").click()
    page.locator("#signout").click()
    page.locator("#login-form").wait_for()
    assert not page.parley_log.errors

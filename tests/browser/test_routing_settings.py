"""The routing settings in Chromium against the local runtime: a site's priorities and
reassign grace (web/console/routing_panel.js, Sites page) and a team's overflow (Teams page,
web/console/admin.js) are set by keyboard, kept across a reload, shown in zh-CN and en at
phone width; an overflow target that no longer exists shows the API's error."""
from __future__ import annotations

import pytest

from tests.browser.console_fixtures import (admin_token, console, delete_team,  # noqa: F401
                                             make_team, rest)
from tests.browser.test_widget import wait_until

pytestmark = pytest.mark.timeout(240)
PHONE = {"width": 390, "height": 844}


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def open_sites(page):
    page.evaluate("() => document.querySelector('#pages [data-page=sites]').click()")
    page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option("demo")
    page.locator("#s-routing-panel").wait_for(timeout=10000)


def open_teams(page, team):
    page.evaluate("() => document.querySelector('#pages [data-page=teams]').click()")
    page.locator(f"#ov-to-{team}").wait_for(timeout=10000)


def no_sideways_scroll(page, selector):
    return page.evaluate("(s) => { const p = document.querySelector(s);"
                         " return p.scrollWidth - p.clientWidth; }", selector) <= 1


def test_site_priorities_and_grace_are_set_and_kept(console, runtime, rest, admin_token,
                                                    artifacts_dir):
    rest.call("PUT", "/admin/sites/demo", {"priorities": None}, admin_token)
    page = console(admin_creds(runtime), online=False, viewport=PHONE)
    open_sites(page)
    page.locator("#s-prio-vip").fill("600")
    page.locator("#s-prio-returning").fill("60")
    page.locator("#s-prio-add").click()
    row = page.locator("#s-prio-channels tr").last
    page.keyboard.type("wechat")                       # the new row's name has the focus
    row.locator("input[type=number]").fill("30")
    page.locator("#s-reassign-grace").fill("300")
    page.locator("#s-reassign-grace").press("Enter")   # the form submits from the keyboard
    page.locator(".toast").first.wait_for(timeout=10000)
    settings = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"]
    assert settings["priorities"] == {"vip": 600, "returning": 60, "channels": {"wechat": 30}}
    assert settings["reassign_grace_seconds"] == 300
    page.reload()
    page.wait_for_function("() => window.ParleyConsole && ParleyConsole.state().ws === 'online'",
                           timeout=20000)
    open_sites(page)
    assert page.locator("#s-prio-vip").input_value() == "600"
    assert page.locator("#s-prio-returning").input_value() == "60"
    assert page.locator("#s-prio-channels tr input[type=text]").input_value() == "wechat"
    assert page.locator("#s-prio-channels tr input[type=number]").input_value() == "30"
    assert page.locator("#s-reassign-grace").input_value() == "300"
    assert no_sideways_scroll(page, "#s-routing-panel")
    # a channel row without a name: said plainly, nothing saved
    page.locator("#s-prio-add").click()
    page.locator("#s-prio-channels tr").last.locator("input[type=number]").fill("5")
    page.locator("#s-routing-save").click()
    page.locator("#s-routing-error", has_text="needs a name").wait_for(timeout=10000)
    page.locator("header .lang-toggle").click()
    open_sites(page)
    page.locator("#s-routing-title", has_text="分配规则").wait_for(timeout=10000)   # zh-CN
    assert page.locator("#s-routing-save").inner_text() == "保存分配规则"
    page.screenshot(path=str(artifacts_dir / "console-routing-panel.png"), full_page=True)
    assert rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"][
        "priorities"]["channels"] == {"wechat": 30}
    page.locator("header .lang-toggle").click()        # back to English for later tests
    assert not page.parley_log.errors, page.parley_log.errors


def test_team_overflow_is_set_kept_and_a_gone_target_shows_the_apis_error(
        console, runtime, rest, admin_token, make_team, artifacts_dir):
    source, target, doomed = make_team(), make_team(), make_team()
    page = console(admin_creds(runtime), online=False, viewport=PHONE)
    open_teams(page, source)
    assert page.locator(f"#ov-to-{source} option[value={source}]").count() == 0   # not itself
    assert page.locator(f"#ov-after-{source}").is_disabled()       # no target: no wait
    page.locator(f"#ov-to-{source}").select_option(target)
    page.locator(f"#ov-after-{source}").fill("180")
    page.locator(f"li[data-team={source}] button", has_text="Save").click()
    page.locator(".toast").first.wait_for(timeout=10000)
    team = [t for t in rest.call("GET", "/admin/teams", None, admin_token)["teams"]
            if t["id"] == source][0]
    assert team["overflow"] == {"after_seconds": 180, "to_team": target}
    page.reload()
    page.wait_for_function("() => window.ParleyConsole && ParleyConsole.state().ws === 'online'",
                           timeout=20000)
    open_teams(page, source)
    assert page.locator(f"#ov-to-{source}").input_value() == target
    assert page.locator(f"#ov-after-{source}").input_value() == "180"
    # the target is deleted behind the page: the API's unknown_team is shown, nothing saved
    delete_team(rest, admin_token, doomed)
    page.locator(f"#ov-to-{source}").select_option(doomed)
    save = page.locator(f"li[data-team={source}] button", has_text="Save")
    save.focus()
    page.keyboard.press("Enter")
    page.locator(f"li[data-team={source}] .error", has_text="no longer exists").wait_for(
        timeout=10000)
    # a wait below the minimum: the API's out_of_range, said in zh-CN
    page.locator("header .lang-toggle").click()
    open_teams(page, source)
    page.locator(f"#ov-to-{source}").select_option(target)
    page.locator(f"#ov-after-{source}").fill("60")
    page.locator(f"li[data-team={source}] button", has_text="保存").click()
    page.locator(f"li[data-team={source}] .error", has_text="120 到 86400").wait_for(
        timeout=10000)
    team = [t for t in rest.call("GET", "/admin/teams", None, admin_token)["teams"]
            if t["id"] == source][0]
    assert team["overflow"] == {"after_seconds": 180, "to_team": target}
    assert no_sideways_scroll(page, "#page-teams")
    page.screenshot(path=str(artifacts_dir / "console-team-overflow.png"), full_page=True)
    # no overflow: null is sent and the setting goes
    page.locator(f"#ov-to-{source}").select_option("")
    page.locator(f"li[data-team={source}] button", has_text="保存").click()
    assert wait_until(lambda: "overflow" not in [
        t for t in rest.call("GET", "/admin/teams", None, admin_token)["teams"]
        if t["id"] == source][0], "the overflow removed")
    assert page.locator(f"li[data-team={source}] .error").inner_text() == ""
    page.locator("header .lang-toggle").click()
    assert not page.parley_log.errors, page.parley_log.errors


def test_a_team_still_named_somewhere_is_not_deleted_and_the_page_says_where(
        console, runtime, rest, admin_token, make_team):
    used = make_team()                       # the demo site names it (visitors may pick it)
    page = console(admin_creds(runtime), online=False, viewport=PHONE)
    open_teams(page, used)
    page.evaluate("() => { window.confirm = () => true; }")     # "Delete this team?" yes
    row = page.locator(f"li[data-team={used}]")
    row.locator("button.danger").focus()
    page.keyboard.press("Enter")
    row.locator(".error", has_text="still used by: site demo (teams visitors may pick)").wait_for(
        timeout=10000)
    assert used in [t["id"] for t in rest.call("GET", "/admin/teams", None, admin_token)["teams"]]
    page.locator("header .lang-toggle").click()          # zh-CN
    open_teams(page, used)
    row.locator("button.danger").click()
    row.locator(".error", has_text="该团队仍被使用:站点 demo(访客可选团队)").wait_for(timeout=10000)
    assert no_sideways_scroll(page, "#page-teams")
    page.locator("header .lang-toggle").click()
    # once the site lets go of it, the same button deletes it and the list no longer shows it
    site = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]
    rest.call("PUT", "/admin/sites/demo", {"teams": [
        t for t in site["settings"]["teams"] if t != used]}, admin_token)
    open_teams(page, used)
    row.locator("button.danger").click()
    page.locator(f"li[data-team={used}]").wait_for(state="detached", timeout=10000)
    assert not page.parley_log.errors, page.parley_log.errors

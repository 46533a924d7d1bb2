"""The automatic-check rules editor (web/console/qa_rules.js, the Quality page's Rules tab) in
Chromium against the local runtime: an admin gives a team its own forbidden phrase (a bad
weight first: the API's 400 is shown with its field), a chat of that team closes with the
phrase, and the finding is highlighted on the message in the review screen. zh-CN labels,
keyboard focus and phone width are checked."""
from __future__ import annotations

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)
from tests.browser.test_console import assert_no_errors
from tests.browser.test_qa_page import RUBRIC, open_qa, until

pytestmark = pytest.mark.timeout(240)


def test_a_team_rule_changed_in_the_editor_flags_the_next_chat(
        console, make_agent, make_team, visitor, rest, admin_token, artifacts_dir):
    team = make_team()
    rest.call("PUT", f"/agent/qa-review/rubrics/{team}", RUBRIC, admin_token)
    ann = make_agent(teams=[team], name="Ann Agent")
    adm = make_agent(role="admin", name="Ada Admin", capacity=0)

    pa = console(adm, online=False)
    open_qa(pa, "rules")
    pa.locator(".qa-rules-site").fill("demo")
    pa.locator(".qa-rules-site").press("Enter")
    pa.locator(".qa-rules-scope").select_option(team)
    rule = pa.locator(".qa-rule[data-check=forbidden]")
    rule.locator(".qa-rule-phrases").fill("banana split\n")
    rule.locator(".qa-rule-weight").fill("500")
    pa.locator(".qa-rules-save").click()
    pa.locator(".qa-rules-form .error", has_text=f"qa_team_rules.{team}.forbidden.weight") \
        .wait_for(timeout=10000)
    settings = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"]
    assert team not in (settings.get("qa_team_rules") or {})            # nothing written
    rule.locator(".qa-rule-weight").fill("40")
    rule.locator(".qa-rule-weight").press("Enter")                      # keyboard submit
    pa.locator(".qa-rules-scope option", has_text=team).filter(has_text="own rules") \
        .wait_for(state="attached", timeout=10000)
    settings = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"]
    assert settings["qa_team_rules"][team] == {"forbidden": {"weight": 40,
                                                             "phrases": ["banana split"]}}
    # the site's rules are untouched; the team's scope shows its values after the reload
    pa.locator(".qa-rules-scope").select_option(team)
    assert pa.locator(".qa-rule[data-check=forbidden] .qa-rule-weight").input_value() == "40"
    pa.locator(".qa-rules-scope").focus()
    pa.keyboard.press("Tab")
    assert pa.evaluate("document.activeElement.className") == "qa-rule-enabled"
    pa.locator("#app .lang-toggle").click()
    pa.locator(".qa-rule[data-check=forbidden] legend", has_text="禁用语").wait_for()
    pa.set_viewport_size({"width": 390, "height": 800})
    box = pa.locator(".qa-rules-form").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    pa.screenshot(path=str(artifacts_dir / "console-qa-rules-phone.png"), full_page=True)
    pa.locator("#app .lang-toggle").click()
    pa.set_viewport_size({"width": 1280, "height": 800})

    # a chat of that team where the agent says the phrase
    atok = rest.call("POST", "/agent/login",
                     {"email": ann["email"], "password": ann["password"]})["token"]
    rest.call("PUT", "/agent/status", {"status": "online"}, atok)
    v = visitor("Rita Rules")
    v.say("Do you have dessert?")
    v.handoff(team)
    until(lambda: rest.call("GET", f"/agent/conversations/{v.cid}", None, atok)
          ["conversation"].get("agent_id") == ann["agent_id"], "the chat was never assigned")
    rest.call("POST", f"/agent/conversations/{v.cid}/messages",
              {"client_message_id": "a-1", "text": "Hello, we have Banana Split today"}, atok)
    rest.call("POST", f"/agent/conversations/{v.cid}/close", {}, atok)
    v.rate(1, "Meh")
    rest.call("PUT", "/agent/status", {"status": "away"}, atok)
    until(lambda: any(r["conversation_id"] == v.cid for r in rest.call(
        "GET", f"/agent/qa-review/queue?site_key=demo&team={team}", None, admin_token)["reviews"]),
        "the qa consumer never queued the chat", timeout=60)

    open_qa(pa, "queue")
    pa.locator(".qa-site").fill("demo")
    pa.locator(".qa-team").select_option(team)
    pa.locator(".qa-site").press("Enter")
    pa.locator(f".qa-grid tr[data-cid='{v.cid}'] .qa-open").click(timeout=15000)
    msg = pa.locator(".qa-transcript li.qa-finding", has_text="Banana Split")
    msg.locator(".qa-finding-note", has_text="forbidden").wait_for(timeout=10000)
    result = rest.call("GET", f"/agent/qa/{v.cid}", None, admin_token)["result"]
    [hit] = [f for f in result["findings"] if f["check"] == "forbidden"]
    assert hit["detail"] == {"phrase": "banana split"}
    assert result["checks"]["forbidden"]["weight"] == 40
    assert_no_errors(pa)


def test_a_late_list_answer_does_not_redraw_the_rules_being_typed(console, make_agent):
    """The page's first list ("My reviews") answers after the admin has moved to the Rules tab
    and typed a site: the late answer is dropped, the input keeps the keyboard's focus, and
    Enter loads the site (CI once lost the Enter to that redraw)."""
    adm = make_agent(role="admin", name="Ada Admin", capacity=0)
    pa = console(adm, online=False)
    held = []
    pa.route("**/agent/qa-review/mine*", lambda route: held.append(route))
    pa.locator("#pages [data-page=qa]").click()
    pa.locator("[data-qa-tab=rules]").click()
    for _ in range(100):                           # the route handler runs while Playwright waits
        if held:
            break
        pa.wait_for_timeout(100)
    assert held, "the first list was never asked for"
    site = pa.locator(".qa-rules-site")
    site.fill("demo")
    with pa.expect_response("**/agent/qa-review/mine*"):
        held[0].continue_()
    pa.wait_for_timeout(500)                       # time for the late answer's redraw, if any
    assert pa.evaluate("document.activeElement.className") == "qa-rules-site"
    assert pa.locator("[data-qa-tab=rules]").get_attribute("aria-selected") == "true"
    pa.keyboard.press("Enter")
    pa.locator(".qa-rules-scope").wait_for(timeout=10000)
    pa.unroute("**/agent/qa-review/mine*")
    assert_no_errors(pa)

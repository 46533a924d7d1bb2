"""The Quality page (web/console/qa.js) in Chromium against the local runtime: a closed,
low-rated chat reaches the review queue through the event stream and the qa consumer; a
supervisor reviews it with the rubric and a comment on a message, the agent disputes it, the
supervisor amends the score. zh-CN labels, keyboard focus and phone width are checked."""
from __future__ import annotations

import time

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)
from tests.browser.test_console import assert_no_errors

pytestmark = pytest.mark.timeout(240)

RUBRIC = {"criteria": [
    {"id": "greeting", "label": {"en": "Greeting", "zh": "问候"}, "weight": 1},
    {"id": "solution", "label": {"en": "Solved the problem", "zh": "解决问题"}, "weight": 3}],
    "sampling": {"random_percent": 0, "max_rating": 2, "max_auto_score": 0}}


def until(fn, what, timeout=30):
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got:
            return got
        assert time.time() < deadline, what
        time.sleep(0.5)


def open_qa(page, tab):
    page.locator("#pages [data-page=qa]").click()
    page.locator(f"[data-qa-tab={tab}]").click()


def test_review_dispute_and_settle_on_the_quality_page(console, make_agent, make_team, visitor,
                                                        rest, admin_token, artifacts_dir):
    team = make_team()
    rest.call("PUT", f"/agent/qa-review/rubrics/{team}", RUBRIC, admin_token)
    ann = make_agent(teams=[team], name="Ann Agent")
    sup = make_agent(role="supervisor", name="Sue Supervisor", capacity=0)
    atok = rest.call("POST", "/agent/login", {"email": ann["email"], "password": ann["password"]})["token"]
    rest.call("PUT", "/agent/status", {"status": "online"}, atok)
    v = visitor("Quinn Quality")
    v.say("My order never arrived")
    v.handoff(team)
    until(lambda: rest.call("GET", f"/agent/conversations/{v.cid}", None, atok)
          ["conversation"].get("agent_id") == ann["agent_id"], "the chat was never assigned")
    rest.call("POST", f"/agent/conversations/{v.cid}/messages",
              {"client_message_id": "a-1", "text": "Please wait, checking"}, atok)
    rest.call("POST", f"/agent/conversations/{v.cid}/close", {}, atok)
    v.rate(1, "Not solved")
    rest.call("PUT", "/agent/status", {"status": "away"}, atok)
    until(lambda: any(r["conversation_id"] == v.cid for r in rest.call(
        "GET", f"/agent/qa-review/queue?site_key=demo&team={team}", None, admin_token)["reviews"]),
        "the qa consumer never queued the low-rated chat", timeout=60)

    # the supervisor reviews it: transcript, findings, rubric, a comment on a message
    ps = console(sup, online=False)
    open_qa(ps, "queue")
    ps.locator(".qa-site").fill("demo")
    ps.locator(".qa-team").select_option(team)
    ps.locator(".qa-site").press("Enter")                       # submits the filter form
    row = ps.locator(f".qa-grid tr[data-cid='{v.cid}']")
    row.wait_for(timeout=15000)
    row.locator(".qa-open").click()
    ps.locator(".qa-transcript li", has_text="Please wait, checking").wait_for()
    assert ps.locator(".qa-transcript li.qa-finding").count() >= 1     # automatic findings
    msg = ps.locator(".qa-transcript li", has_text="Please wait, checking")
    msg.locator(".qa-comment-btn").click()
    assert ps.evaluate("document.activeElement.className") == "qa-comment-input"
    ps.keyboard.type("No answer to the question")
    ps.locator(".qa-score[data-criterion=greeting]").select_option("4")
    ps.locator(".qa-score[data-criterion=solution]").select_option("1")
    ps.locator(".qa-summary").fill("Be specific")
    ps.locator(".qa-submit").click()
    ps.locator(".qa-status", has_text="reviewed").wait_for(timeout=10000)
    ps.locator(".qa-comment", has_text="No answer to the question").wait_for()

    # the agent sees it and disputes it, in Chinese
    pa = console(ann, online=False)
    pa.locator("#app .lang-toggle").click()
    pa.locator("#pages [data-page=qa]", has_text="质检").click()
    pa.locator("[data-qa-tab=mine]", has_text="我的质检").click()
    pa.locator(f".qa-grid tr[data-cid='{v.cid}'] .qa-open").click()
    pa.locator(".qa-status", has_text="已质检").wait_for(timeout=10000)
    assert pa.locator(".qa-score[data-criterion=solution]").is_disabled()
    # the transcript's system events in words of the page's language, not their kind names
    transcript = pa.locator(".qa-transcript").inner_text()
    assert "正在等待客服" in transcript and "会话已结束" in transcript, transcript
    assert "queued:" not in transcript and "closed:" not in transcript
    assert "⚑ 问候语" in transcript and "⚑ greeting" not in transcript    # findings named
    pa.locator(".qa-dispute-reason").fill("The parcel was lost by the carrier")
    pa.locator(".qa-dispute").click()
    pa.locator(".qa-status", has_text="申诉中").wait_for(timeout=10000)
    assert pa.locator(".qa-dispute").count() == 0                     # once only
    pa.set_viewport_size({"width": 390, "height": 800})
    pa.screenshot(path=str(artifacts_dir / "console-qa-agent-phone.png"))

    # the supervisor settles it by amending the score
    ps.locator(".qa-back").click()
    ps.locator("[data-qa-tab=disputes]").click()
    ps.locator(".qa-site").press("Enter")
    ps.locator(f".qa-grid tr[data-cid='{v.cid}'] .qa-open").click()
    ps.locator(".qa-dispute-text", has_text="lost by the carrier").wait_for(timeout=10000)
    ps.locator(".qa-score[data-criterion=solution]").select_option("4")
    ps.locator(".qa-settle-comment").fill("Carrier fault")
    ps.locator(".qa-amend").click()
    ps.locator(".qa-status", has_text="settled").wait_for(timeout=10000)
    review = rest.call("GET", f"/agent/qa-review/reviews/{v.cid}", None, admin_token)["review"]
    assert review["status"] == "settled" and review["score"] == round(100 * (4 + 12) / 20)
    assert review["original_score"] == round(100 * (4 + 3) / 20)
    assert review["comments"][0]["text"] == "No answer to the question"
    ps.screenshot(path=str(artifacts_dir / "console-qa-review.png"), full_page=True)

    # the figures under the Reports page: the amended review counts for Ann
    ps.locator("#pages [data-page=reports]").click()
    ps.locator("#page-reports-qa .qar-site").fill("demo")
    ps.locator("#page-reports-qa .qar-days").select_option("7")
    ps.locator("#page-reports-qa .qar-site").press("Enter")
    ps.locator("#page-reports-qa .qar-agents td", has_text="Ann Agent").wait_for(timeout=15000)
    assert ps.locator("#page-reports-qa .qar-criteria td", has_text="Solved the problem").count() == 1
    assert ps.locator("#page-reports-qa .qar-findings tbody tr").count() >= 1
    assert ps.locator("#page-reports").is_visible()            # the Reports page itself stays
    for page in (ps, pa):
        assert_no_errors(page)

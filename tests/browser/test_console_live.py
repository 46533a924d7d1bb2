"""The console keeps its lists current from pushed deltas (services/notifier.py ->
app/inbox.js applyDelta), in Chromium against the local runtime: while visitors hand off and
agents accept, transfer and close, the consoles make no list request at all; after a
reconnect they make one "changes since" call. Also the transfer fixes: the log names the
agent, the load counter follows the transfer, the new holder is told "transferred to you".
"""
from __future__ import annotations

import re

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)

pytestmark = pytest.mark.timeout(180)

LIST_REQUEST = re.compile(r"/agent/(conversations\?|queue(\?|$))")
CHANGES_REQUEST = re.compile(r"/agent/changes\?since=\d+")


def track_requests(page):
    """Every finished request's URL, on page.requests (a list the test can clear)."""
    page.requests = []
    page.on("requestfinished", lambda r: page.requests.append(r.url))


def list_requests(page):
    return [u for u in page.requests if LIST_REQUEST.search(u)]


def wait_state(page, js, timeout=20000):
    page.wait_for_function(f"() => {{ const s = ParleyConsole.state(); return {js}; }}",
                           timeout=timeout)


def settle(page):
    wait_state(page, "['mine', 'queue', 'open', 'offline'].every(t => s.loadedLists.includes(t))")


def test_pushed_changes_cost_no_list_request_and_a_reconnect_one_call(
        console, make_agent, make_team, visitor):
    team = make_team(manual=True)        # nobody auto-assigned: the agents act themselves
    a1 = make_agent(teams=[team], name="Lia Live")
    a2 = make_agent(teams=[team], name="Bob Backup")
    p1, p2 = console(a1), console(a2)
    for page in (p1, p2):
        settle(page)
        track_requests(page)

    # a visitor hands off into the team's queue: both consoles show it, without a request
    v = visitor("Vic Visitor")
    v.handoff(team)                      # queued first: the demo bot stays out of it
    v.say("Hello, I have a question about my order")
    for page in (p1, p2):
        wait_state(page, f"s.lists.queue.includes('{v.cid}') && !s.lists.open.includes('{v.cid}')")

    # Lia accepts from the queue tab: Mine for her, out of Bob's queue
    p1.locator("#tabs [data-tab=queue]").click()
    p1.locator(f"#conv-list li[data-cid='{v.cid}'] .accept-btn").click()
    wait_state(p1, f"s.lists.mine.includes('{v.cid}') && !s.lists.queue.includes('{v.cid}')")
    wait_state(p2, f"!s.lists.queue.includes('{v.cid}')")
    wait_state(p1, "s.me.active_count === 1")
    assert p1.locator("#load").inner_text().startswith("1 / 5")

    # she transfers it to Bob: his Mine and load counter follow at once, no reload; he is told
    # it was transferred to him (not "a new chat is waiting"); her log names him
    notices_before = len(p2.evaluate("() => ParleyConsole.state().notices"))
    p1.locator("#conv-actions [data-act=transfer]").click()
    p1.locator("#transfer-dlg[open]").wait_for()
    p1.locator("#transfer-agent").select_option(a2["agent_id"])
    p1.locator("#transfer-form button[type=submit]").click()
    p1.locator("#transfer-dlg[open]").wait_for(state="detached", timeout=10000)
    wait_state(p2, f"s.lists.mine.includes('{v.cid}') && s.me.active_count === 1")
    wait_state(p1, f"!s.lists.mine.includes('{v.cid}') && s.me.active_count === 0")
    assert p2.locator("#load").inner_text().startswith("1 / 5")
    assert p1.locator("#load").inner_text().startswith("0 / 5")
    p1.locator("#log li[data-seq]", has_text="Transferred to Bob Backup").first.wait_for(
        timeout=15000)
    wait_state(p2, f"s.notices.length > {notices_before}")
    new_notices = p2.evaluate("() => ParleyConsole.state().notices")[notices_before:]
    assert new_notices == ["A conversation was transferred to you"], new_notices

    # Bob closes it: out of both Mine lists, into Closed
    p2.locator(f"#conv-list li[data-cid='{v.cid}']").click()
    p2.locator("#conv-actions [data-act=close]").click()
    for page in (p1, p2):
        wait_state(page, f"!s.lists.mine.includes('{v.cid}') && s.lists.closed.includes('{v.cid}')")

    # four state changes, each pushed: not one list request from either console
    assert list_requests(p1) == [] and list_requests(p2) == [], (list_requests(p1),
                                                                  list_requests(p2))

    # Lia's network drops; meanwhile another visitor queues. Back online, her console catches
    # up with one "changes since" call, still no list read
    p1.requests.clear()
    p1.context.set_offline(True)
    wait_state(p1, "s.ws !== 'online'")
    v2 = visitor("Wren Waiting")
    v2.handoff(team)
    v2.say("Anyone there?")
    wait_state(p2, f"s.lists.queue.includes('{v2.cid}')")
    p1.context.set_offline(False)
    wait_state(p1, f"s.ws === 'online' && s.lists.queue.includes('{v2.cid}')")
    assert [u for u in p1.requests if CHANGES_REQUEST.search(u)], p1.requests
    assert len([u for u in p1.requests if CHANGES_REQUEST.search(u)]) == 1, p1.requests
    assert list_requests(p1) == [], list_requests(p1)
    for page in (p1, p2):
        assert not page.parley_log.errors, page.parley_log.errors

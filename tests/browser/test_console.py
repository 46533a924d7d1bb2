"""The agent console (web/console) in Chromium against the local runtime.

Agents and the supervisor use the console in separate browser contexts; the visitor is driven
through the REST API (tests/browser/console_fixtures.py). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest, visitor)

pytestmark = pytest.mark.timeout(180)

XSS_IMG = "<img src=x onerror=\"window.__pwned=1\">"
XSS_SCRIPT = "<script>window.__pwned=2</script>"


def item(page, cid):
    return page.locator(f"#conv-list li[data-cid='{cid}']")


def wait_log_text(page, text, timeout=15000):
    try:
        page.locator("#log li[data-seq]", has_text=text).first.wait_for(timeout=timeout)
    except Exception:
        raise AssertionError(f"{text!r} not in the console log: "
                             f"{page.locator('#log').inner_text()!r}; "
                             f"errors={page.parley_log.errors} "
                             f"console={page.parley_log.console[-10:]}")


def log_seqs(page):
    return page.evaluate("() => [...document.querySelectorAll('#log li[data-seq]')]"
                         ".map(e => +e.dataset.seq)")


def assert_no_errors(page):
    log = page.parley_log
    assert not log.errors, log.errors
    assert not log.dialogs, log.dialogs


def test_chat_accept_reply_transfer_close_rating_with_live_supervisor(
        console, make_agent, make_team, visitor, rest, artifacts_dir):
    manual = make_team(manual=True)     # nobody is auto-assigned: the agent must accept
    second_team = make_team()
    a1 = make_agent(teams=[manual], name="Alice Agent")
    a2 = make_agent(teams=[second_team], name="Bob Agent")
    sup = make_agent(role="supervisor", name="Sue Supervisor")
    p1, p2, ps = console(a1), console(a2), console(sup)
    ps.locator("#pages [data-page=supervisor]").click()
    ps.locator(f"#sup-agents tr[data-agent='{a1['agent_id']}']").wait_for()

    # a visitor asks for a human in the manual team: the online agent is notified
    v = visitor("Vera Visitor")
    v.say("Hello, I need help with my order")
    v.say(XSS_IMG)
    v.say(XSS_SCRIPT)
    v.handoff(manual)
    p1.wait_for_function("() => ParleyConsole.state().lists.queue.length > 0", timeout=15000)
    p1.wait_for_function("() => ParleyConsole.state().notified > 0", timeout=10000)
    # the supervisor sees the queue change live
    ps.locator(f"#sup-queue tr[data-cid='{v.cid}']").wait_for(timeout=15000)
    assert ps.locator("#sup-queue .empty-row").count() == 0     # "no one is waiting": not now

    p1.locator("#tabs [data-tab=queue]").click()
    item(p1, v.cid).wait_for()
    p1.screenshot(path=str(artifacts_dir / "console-inbox-queue.png"))
    item(p1, v.cid).locator(".accept-btn").click()
    p1.wait_for_function(f"() => ParleyConsole.state().current === '{v.cid}'")
    p1.locator("#conv-status", has_text="assigned").wait_for(timeout=10000)
    wait_log_text(p1, "Hello, I need help with my order")

    # visitor HTML and script payloads are text, and nothing ran
    wait_log_text(p1, XSS_SCRIPT)
    texts = p1.locator("#log li[data-seq] .text").all_inner_texts()
    assert XSS_IMG in texts and XSS_SCRIPT in texts
    assert p1.locator("#log img").count() == 0 and p1.locator("#log script").count() == 0
    assert p1.evaluate("window.__pwned") is None

    # supervisor: the queue empties and Alice's load goes to 1 / 5, live
    ps.locator(f"#sup-queue tr[data-cid='{v.cid}']").wait_for(state="detached", timeout=15000)
    ps.locator(f"#sup-agents tr[data-agent='{a1['agent_id']}'] .load-cell",
               has_text="1 / 5").wait_for(timeout=15000)
    p1.locator("#load", has_text="1 / 5").wait_for()
    ps.screenshot(path=str(artifacts_dir / "console-supervisor.png"))

    # reply with Enter; the visitor gets it
    p1.locator("#input").fill("Hi Vera, Alice here. Let me check.")
    p1.locator("#input").press("Enter")
    v.wait_text("Hi Vera, Alice here. Let me check.")
    wait_log_text(p1, "Alice here")
    # a private note shows distinctly and never reaches the visitor
    p1.locator("#note").check()
    p1.locator("#input").fill("internal: VIP customer")
    p1.locator("#input").press("Control+Enter")
    p1.locator("#log li.note", has_text="internal: VIP customer").wait_for()
    p1.locator("#note").uncheck()
    v.say("Thanks!")
    wait_log_text(p1, "Thanks!")
    p1.screenshot(path=str(artifacts_dir / "console-conversation.png"))
    assert "internal: VIP customer" not in [m.get("text") for m in v.messages()]

    # transfer (Alt+T) to Bob's team: Bob gets the conversation and continues
    p1.locator("#input").focus()
    p1.keyboard.press("Alt+t")
    p1.locator("#transfer-dlg[open]").wait_for()
    p1.locator("#transfer-team").fill(second_team)
    p1.locator("#transfer-note").fill("Order question, already greeted")
    p1.locator("#transfer-form button[type=submit]").click()
    p1.locator("#transfer-dlg[open]").wait_for(state="detached", timeout=10000)
    p2.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{v.cid}')",
                         timeout=20000)
    p2.wait_for_function("() => ParleyConsole.state().notified > 0", timeout=5000)
    item(p2, v.cid).click()
    wait_log_text(p2, "Thanks!")
    p2.locator("#log li.note", has_text="Order question").wait_for()
    p2.locator("#input").fill("Bob here, your order ships today.")
    p2.locator("#input").press("Enter")
    v.wait_text("Bob here, your order ships today.")
    p1.locator("#load", has_text="0 / 5").wait_for(timeout=10000)

    # close (Alt+C); the visitor's rating arrives in the console
    p2.locator("#input").focus()
    p2.keyboard.press("Alt+c")
    p2.locator("#conv-status", has_text="closed").wait_for(timeout=10000)
    v.rate(5, "Great <b>service</b>")
    p2.locator("#conv-tags .rating", has_text="★★★★★").wait_for(timeout=15000)
    p2.locator("#log li.event[data-kind=rated]", has_text="Great <b>service</b>").wait_for(
        timeout=15000)
    for page in (p1, p2, ps):
        assert_no_errors(page)
    s = log_seqs(p2)
    assert s == sorted(set(s))


def test_console_catches_up_after_a_network_drop(console, make_agent, make_team, visitor):
    team = make_team(manual=True)
    agent = make_agent(teams=[team])
    page = console(agent)
    v = visitor("Dropped Dora")
    v.say("first")
    v.handoff(team)
    page.locator("#tabs [data-tab=queue]").click()
    item(page, v.cid).locator(".accept-btn").click()
    wait_log_text(page, "first")

    page.context.set_offline(True)
    page.wait_for_function("() => ParleyConsole.state().ws !== 'online'", timeout=15000)
    for i in range(3):
        v.say(f"while offline {i}")
    time.sleep(0.5)
    page.context.set_offline(False)
    page.wait_for_function("() => ParleyConsole.state().ws === 'online'", timeout=30000)
    wait_log_text(page, "while offline 2", timeout=20000)
    v.say("after the drop")
    wait_log_text(page, "after the drop")
    texts = page.locator("#log li[data-seq] .text").all_inner_texts()
    for text in ("first", "while offline 0", "while offline 1", "while offline 2",
                 "after the drop"):
        assert texts.count(text) == 1, texts
    s = log_seqs(page)
    assert s == list(range(s[0], s[0] + len(s))), s   # gapless, no duplicates
    history = v.messages()
    assert [m["seq"] for m in history if m["type"] != "note"] == \
        [x for x in s if x in {m["seq"] for m in history}]
    assert_no_errors(page)


def test_admin_creates_an_agent_who_can_sign_in(console, runtime, new_page, artifacts_dir,
                                               rest, admin_token):
    admin = console({"email": runtime.credentials.get("admin_email", "admin@demo.parley"),
                     "password": runtime.credentials["admin_password"]}, online=False)
    admin.locator("#pages [data-page=agents]").click()
    email = f"new-{int(time.time() * 1000)}@agents.example"
    admin.locator("#na-email").fill(email)
    admin.locator("#na-name").fill("<b>New</b> Agent")
    admin.locator("#na-password").fill("brand-new-pass")
    admin.locator("#na-capacity").fill("3")
    admin.locator("#new-agent button[type=submit]").click()
    admin.locator("#page-agents tr", has_text=email).wait_for(timeout=10000)
    admin.screenshot(path=str(artifacts_dir / "console-admin-agents.png"))
    name_input = admin.locator("#page-agents tr", has_text=email).locator("input").first
    assert name_input.input_value() == "<b>New</b> Agent"

    fresh = console({"email": email, "password": "brand-new-pass"})
    fresh.locator("#me-name", has_text="<b>New</b> Agent").wait_for()
    fresh.locator("#load", has_text="0 / 3").wait_for()
    assert fresh.locator("#pages [data-page=agents]").is_hidden()
    # wrong password: a clear error, still on the sign-in form
    other = new_page("/console/")
    other.locator("#login-email").fill(email)
    other.locator("#login-password").fill("wrong-password")
    other.locator("#login-form button[type=submit]").click()
    other.locator("#login-error", has_text="Wrong email or password").wait_for()
    # sign out clears the stored token
    fresh.locator("#signout").click()
    fresh.locator("#login").wait_for()
    assert fresh.evaluate("sessionStorage.getItem('parley.console.auth')") is None
    # admin pages: the site snippet is shown for copying
    admin.locator("#pages [data-page=sites]").click()
    snippet = admin.locator("#s-snippet")
    snippet.wait_for()
    assert 'data-site-key="demo"' in snippet.input_value()
    # the site's own handoff rule
    admin.locator("#s-misses").fill("2")          # the default: other tests share the demo site
    admin.locator("#s-keywords").fill("zzqq handoff test, 投诉测试")
    admin.locator("form.site-form button[type=submit]").click()
    deadline = time.time() + 10
    while time.time() < deadline:
        settings = rest.call("GET", "/admin/sites/demo", None, admin_token)["site"]["settings"]
        if settings.get("bot_handoff_keywords"):
            break
        time.sleep(0.2)
    assert settings["bot_handoff_keywords"] == ["zzqq handoff test", "投诉测试"]
    assert settings["bot_handoff_misses"] == 2
    admin.screenshot(path=str(artifacts_dir / "console-admin-site.png"), full_page=True)
    assert_no_errors(admin)


def test_help_overlay_language_and_canned_responses(console, make_agent, rest, admin_token,
                                                   artifacts_dir):
    shortcut = f"/thx{int(time.time()) % 100000}"
    rest.call("POST", "/admin/canned", {"shortcut": shortcut,
                                        "text": "Thank you for contacting us!"}, admin_token)
    agent = make_agent()
    page = console(agent, online=False)
    page.locator("#f-search").click()
    page.locator("body").click()
    page.keyboard.press("?")
    page.locator("#help[open]").wait_for()
    assert "Alt" in page.locator("#help").inner_text()
    page.keyboard.press("Escape")
    page.locator("#help[open]").wait_for(state="detached")
    page.locator("#app .lang-toggle").click()
    page.locator("#tabs [data-tab=mine]", has_text="我的").wait_for()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    # the accessible names a screen reader reads out follow the language too
    labels = page.evaluate("() => [...document.querySelectorAll('[aria-label]')]"
                           ".filter(n => !n.closest('[hidden]')).map(n => n.ariaLabel)")
    assert {"搜索", "键盘快捷键", "会话列表", "页面"} <= set(labels), labels
    assert not {"Search", "Keyboard shortcuts", "Conversations", "Pages"} & set(labels)
    page.locator("#app .lang-toggle").click()
    page.locator("#tabs [data-tab=mine]", has_text="Mine").wait_for()
    assert page.locator("#help-btn").get_attribute("aria-label") == "Keyboard shortcuts"
    # canned expansion works in the composer (with no conversation open it only fills the box)
    page.evaluate("document.getElementById('conv-view').hidden = false")
    page.locator("#input").fill(shortcut)
    page.locator("#canned-suggest").wait_for()
    page.locator("#input").press("Tab")
    assert page.locator("#input").input_value() == "Thank you for contacting us!"
    assert_no_errors(page)


def test_lookup_finds_a_visitor_beyond_the_loaded_lists(console, make_agent, visitor,
                                                        artifacts_dir):
    """Typing a name or email asks the server (GET /v1/agent/visitors), so a visitor whose
    conversation is in none of the agent's lists is found and opened; the name stays text."""
    import uuid
    tag = uuid.uuid4().hex[:6]
    v = visitor(f"<b>Lena</b> {tag} {XSS_IMG}")
    v.say("where is my parcel")
    page = console(make_agent())
    assert item(page, v.cid).count() == 0          # not in "Mine"
    page.fill("#f-search", f"<B>LENA</B> {tag}")   # case-insensitive prefix of the name
    found = item(page, v.cid)
    found.wait_for(timeout=10000)
    assert page.locator("#conv-list li.section").text_content().strip() in (
        "Matching visitors in every conversation", "全部会话中匹配的访客")
    assert f"<b>Lena</b> {tag}" in found.locator(".who").inner_text()
    page.screenshot(path=str(artifacts_dir / "console-lookup.png"))
    found.click()
    wait_log_text(page, "where is my parcel")
    assert f"<b>Lena</b> {tag}" in page.locator("#conv-title").inner_text()
    # nonsense finds nobody, and the list says so
    page.fill("#f-search", "zz-nobody-" + tag)
    page.locator("#conv-list li.section").wait_for(timeout=10000)
    assert page.locator("#conv-list li.section").text_content().strip() in (
        "No visitor by that name or email.", "没有找到该姓名或邮箱的访客。")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#conv-list img").count() == 0
    assert_no_errors(page)


def test_left_messages_have_their_own_tab_and_can_be_answered(console, make_agent, visitor):
    import uuid
    tag = uuid.uuid4().hex[:6]
    v = visitor(f"Olga {tag}")
    v.rest.call("POST", f"/visitor/conversations/{v.cid}/offline-message",
                {"email": f"olga-{tag}@example.com", "name": f"Olga {tag}",
                 "text": "Please email me the invoice"}, v.token)
    page = console(make_agent())
    page.locator("#tabs [data-tab=offline]").click()
    found = item(page, v.cid)
    found.wait_for(timeout=15000)
    assert f"Olga {tag}" in found.inner_text()
    found.click()
    wait_log_text(page, "Please email me the invoice")
    # reading is open to every agent; replying takes the conversation first
    assert page.locator("#input").is_disabled()
    page.locator("#conv-actions [data-act=accept]").click()
    page.wait_for_function("() => !document.querySelector('#input').disabled", timeout=10000)
    page.fill("#input", "Sent it to you just now")
    page.press("#input", "Enter")
    wait_log_text(page, "Sent it to you just now")
    assert "Sent it to you just now" in [m.get("text") for m in v.messages()]
    assert_no_errors(page)


def test_a_second_tab_borrows_the_session_and_sign_out_ends_both(console, make_agent):
    page = console(make_agent())          # signed in without "keep me signed in"
    second = page.context.new_page()
    second.goto(page.url)
    second.locator("#app").wait_for(state="visible", timeout=15000)
    assert second.locator("#login").is_hidden()
    second.wait_for_function("() => ParleyConsole.state().ws === 'online'", timeout=15000)
    page.locator("#signout").click()
    second.locator("#login").wait_for(state="visible", timeout=10000)
    assert second.evaluate("() => sessionStorage.getItem('parley.console.auth')") is None
    second.close()


def test_supervisor_reassigns_from_the_floor_and_steps_in_and_out(
        console, make_agent, make_team, visitor):
    team = make_team()
    a1 = make_agent(teams=[team], name="Ada Agent")
    sup = make_agent(role="supervisor", name="Sam Supervisor")
    p1 = console(a1)
    v = visitor("Rhea Reassign")
    v.say("Hi there")
    v.handoff(team)
    p1.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{v.cid}')",
                         timeout=20000)
    a2 = make_agent(teams=[team], name="Ben Backup")
    p2 = console(a2)
    ps = console(sup)
    ps.locator("#pages [data-page=supervisor]").click()
    chat = ps.locator(f"#sup-agents tr[data-agent='{a1['agent_id']}'] .sup-chat[data-cid='{v.cid}']")
    chat.wait_for(timeout=20000)
    chat.locator("button.small").click()                 # Reassign
    ps.locator("#transfer-dlg[open]").wait_for()
    ps.locator("#transfer-agent").select_option(a2["agent_id"])
    ps.locator("#transfer-form button[type=submit]").click()
    ps.locator("#transfer-dlg[open]").wait_for(state="detached", timeout=10000)
    p2.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{v.cid}')",
                         timeout=20000)
    # it leaves Ada's list
    item(p1, v.cid).wait_for(state="detached", timeout=20000)

    # the supervisor steps in (Join) and out (Leave); the visitor sees both
    ps.locator("#conv-actions [data-act=join]").click()
    ps.locator("#conv-actions [data-act=leave]").wait_for(state="visible", timeout=10000)
    ps.locator("#conv-actions [data-act=leave]").click()
    ps.locator("#conv-actions [data-act=join]").wait_for(state="visible", timeout=10000)
    kinds = lambda: [(m.get("event") or {}).get("kind") for m in v.messages()]  # noqa: E731
    deadline = time.time() + 10
    while "left" not in kinds() and time.time() < deadline:
        time.sleep(0.2)
    assert "joined" in kinds() and "left" in kinds()
    for page in (p1, p2, ps):
        assert_no_errors(page)


def test_paging_next_unread_tags_notes_close_and_reopen(console, make_agent, make_team,
                                                        visitor, rest, admin_token):
    team = make_team(manual=True)
    agent = make_agent(teams=[team], name="Pia Pager")
    page = console(agent)
    v1, v2 = visitor("Long Talker"), visitor("Second Visitor")
    v1.handoff(team)                          # queued first: the demo bot stays out of it
    for i in range(60):                       # more than one page (50) of history
        v1.say(f"m{i}")
    v2.handoff(team)
    v2.say("second chat")
    for v in (v1, v2):
        page.locator("#tabs [data-tab=queue]").click()      # accepting switches to Mine
        item(page, v.cid).locator(".accept-btn").click()
        page.wait_for_function(f"() => ParleyConsole.state().current === '{v.cid}'",
                               timeout=15000)
    wait_log_text(page, "second chat")

    # Alt+Down jumps to the next conversation with unread messages
    page.locator("#tabs [data-tab=mine]").click()
    v1.say("are you there?")
    page.wait_for_function(
        f"() => (ParleyConsole.state().unread || {{}})['{v1.cid}'] > 0 || "
        f"document.querySelector(\"#conv-list li[data-cid='{v1.cid}'] .unread\") !== null",
        timeout=15000)
    page.locator("body").press("Alt+ArrowDown")
    page.wait_for_function(f"() => ParleyConsole.state().current === '{v1.cid}'",
                           timeout=10000)
    wait_log_text(page, "are you there?")

    # paging back: the first page ends before m0; "Load earlier" brings it
    assert page.locator("#log li[data-seq] .text", has_text="m0").count() == 0
    page.locator("#load-earlier").click()
    page.locator("#log li[data-seq] .text").filter(has_text="m0").first.wait_for(timeout=10000)
    s = log_seqs(page)
    assert s == list(range(s[0], s[0] + len(s)))      # gapless after paging

    # a conversation tag and a visitor note, stored on the server
    page.locator("#conv-tags .tag-input").fill("vip")
    page.locator("#conv-tags .tag-input").press("Enter")
    page.locator("#conv-tags .chip.tag", has_text="vip").wait_for(timeout=10000)
    page.locator("#v-notes").fill("Prefers e-mail")
    page.locator("#visitor-panel button", has_text="Save").click()
    token = rest.call("POST", "/agent/login", {"email": agent["email"],
                                               "password": agent["password"]})["token"]
    deadline = time.time() + 10
    while time.time() < deadline:
        detail = rest.call("GET", f"/agent/conversations/{v1.cid}", None, token)
        if detail["visitor"].get("notes") == "Prefers e-mail":
            break
        time.sleep(0.2)
    assert detail["conversation"]["tags"] == ["vip"]
    assert detail["visitor"]["notes"] == "Prefers e-mail"

    # close, then reopen: the composer comes back
    page.locator("#conv-actions [data-act=close]").click()
    page.locator("#conv-status", has_text="closed").wait_for(timeout=10000)
    assert page.locator("#input").is_disabled()
    page.locator("#conv-actions [data-act=reopen]").click()
    page.locator("#conv-status", has_text="assigned").wait_for(timeout=10000)
    assert page.locator("#input").is_enabled()
    page.locator("#input").fill("Back to you")
    page.locator("#input").press("Enter")
    v1.wait_text("Back to you")
    assert_no_errors(page)


def test_closed_list_loads_more_than_one_page(console, make_agent, visitor):
    def closed(i):
        v = visitor(f"Closed {i}")
        v.rest.call("POST", f"/visitor/conversations/{v.cid}/close", {}, v.token)

    with ThreadPoolExecutor(max_workers=4) as pool:   # more closed chats than one page (50)
        list(pool.map(closed, range(55)))
    page = console(make_agent())
    page.locator("#tabs [data-tab=closed]").click()
    page.wait_for_function("() => ParleyConsole.state().lists.closed.length === 50",
                           timeout=15000)
    page.locator("#conv-list li.more button").click()
    page.wait_for_function("() => ParleyConsole.state().lists.closed.length > 50",
                           timeout=15000)
    ids = page.evaluate("() => ParleyConsole.state().lists.closed")
    assert len(ids) == len(set(ids))
    assert_no_errors(page)


def test_the_widget_and_the_console_chat_both_ways(console, make_agent, make_team, new_page,
                                                   rest, admin_token):
    """The run command's promise: a visitor on a page with the widget and an agent in the
    console, in two browsers, talk to each other (no REST stand-ins on either side)."""
    import uuid
    team = make_team()
    key = f"both-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "Both sides",
                                       "settings": {"bot_enabled": False, "team": team}},
              admin_token)
    agent = make_agent(teams=[team], name="Cora Console")
    console_page = console(agent)
    widget = new_page(f"/demo/site.html?site={key}")
    widget.wait_for_function("() => window.Parley && Parley.state().ready && "
                             "Parley.state().connection === 'online'", timeout=20000)
    cid = widget.evaluate("Parley.state().conversation_id")
    widget.locator(".p-launcher").click()
    widget.locator(".p-input").fill("Hello from the widget <i>page</i>")
    widget.locator(".p-input").press("Enter")

    # no bot on this site: the chat queues for the team and reaches Cora, who is notified
    console_page.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{cid}')",
                                   timeout=20000)
    # told it is hers now (not that a chat is waiting: it waits for no one)
    console_page.locator(".toast", has_text="A conversation was assigned to you").wait_for(
        timeout=10000)
    item(console_page, cid).click()
    wait_log_text(console_page, "Hello from the widget <i>page</i>")
    widget.locator(".p-title", has_text="Cora Console").wait_for(timeout=15000)
    # a notice covers no part of the composer's Send
    console_page.evaluate("ParleyConsoleKit.toast('A conversation was transferred to you — "
                          "a visitor with a rather long name indeed')")
    send = console_page.locator("#composer button[type=submit]")
    assert send.evaluate("b => { const r = b.getBoundingClientRect(); return [[r.left + 2, "
                         "r.top + 2], [r.right - 2, r.bottom - 2]].every(([x, y]) => "
                         "document.elementFromPoint(x, y) === b); }")

    console_page.locator("#input").fill("Hi! Cora here, how can I help?")
    console_page.locator("#input").press("Enter")
    widget.locator(".p-log .p-msg", has_text="Cora here").wait_for(timeout=15000)
    widget.locator(".p-input").fill("My invoice is wrong")
    widget.locator(".p-input").press("Enter")
    wait_log_text(console_page, "My invoice is wrong")
    # typing shows on the other side
    widget.locator(".p-input").type("still typing", delay=30)
    console_page.locator("#typing").filter(has_text="typing").wait_for(timeout=10000)
    assert console_page.evaluate("window.__pwned") is None
    assert console_page.locator("#log i").count() == 0
    assert_no_errors(console_page)
    assert widget.parley_log.errors == []

"""The console's Chat records page (web/console/records.js) in Chromium against the local
runtime: a real chat goes through the event stream to the records consumer; the page finds it
by its text, opens its transcript by keyboard (a hostile visitor text stays text), downloads a
small CSV export directly, and for a larger list shows the background export's short-lived
link; zh-CN labels and a phone width; the last week shown on arrival."""
from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.adapters.records import RecordsRepo
from chalicelib.domain import records as rules
from tests.browser.console_fixtures import (RestVisitor, admin_token, console,  # noqa: F401
                                            rest)

pytestmark = pytest.mark.timeout(240)
XSS = "<img src=x onerror=\"window.__pwned=1\">"


class RuntimeRecords(RecordsRepo):
    def __init__(self, endpoint):
        super().__init__()
        self.endpoint = endpoint

    def client_kwargs(self):
        return {"endpoint_url": self.endpoint}


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def days():
    now = datetime.now(timezone.utc)
    return ((now - timedelta(days=1)).strftime("%Y-%m-%d"),
            (now + timedelta(days=1)).strftime("%Y-%m-%d"))


@pytest.fixture
def closed_chat(rest, admin_token):
    """A demo-site chat with a unique word and Chinese text, closed, then indexed."""
    word = "zq" + uuid.uuid4().hex[:10]
    v = RestVisitor(rest, "Vera 王")
    v.say(f"我要退货 {word}, please")
    v.say(XSS)
    rest.call("POST", f"/agent/conversations/{v.cid}/close", {}, admin_token)
    first, last = days()
    deadline = time.time() + 60
    while time.time() < deadline:     # the stream, topic and records queue run in the runtime
        got = rest.call("GET", f"/agent/records?site=demo&from={first}&to={last}&q={word}",
                        None, admin_token)
        if got["records"]:
            return {"cid": v.cid, "word": word}
        time.sleep(0.5)
    raise AssertionError("the records consumer never indexed the chat")


@pytest.fixture
def big_site(runtime, rest, admin_token):
    """A site with more records than an export answers directly (written as the consumer
    writes them)."""
    site = f"rec-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": site, "name": "Records demo"}, admin_token)
    repo = RuntimeRecords(runtime.moto_url)
    now = int(time.time() * 1000)
    for i in range(105):
        cid = f"c{i:03d}{site.replace('-', '')}"
        record = {"conversation_id": cid, "site_key": site, "started_at": now - i * 60_000,
                  "closed_at": now - i * 60_000 + 30_000, "status": "closed", "channel": "web",
                  "team": None, "agent_id": None, "agent_name": None, "agents": [],
                  "tags": ["bulk"], "rating": 1 + i % 5, "visitor_id": f"v{i}",
                  "visitor_name": f"访客, \"{i}\"", "messages": 3, "rev": 1}
        repo.put_record(rules.sort_key(record["started_at"], cid), record, None)
    return site


def search(page, site, q=""):
    first, last = days()
    page.locator("#rec-site").fill(site)
    page.locator("#rec-from").fill(first)
    page.locator("#rec-to").fill(last)
    page.locator("#rec-q").fill(q)
    page.locator("#rec-q").press("Enter")          # Enter in a field submits the search


def test_records_page_search_transcript_exports_languages_phone(console, runtime, closed_chat,
                                                                big_site, artifacts_dir):
    page = console(admin_creds(runtime), online=False)
    page.locator("#pages [data-page=records]").focus()
    page.keyboard.press("Enter")
    search(page, "demo", closed_chat["word"] + " 退货")
    row = page.locator(f"#rec-rows tr[data-cid='{closed_chat['cid']}']")
    row.wait_for(timeout=15000)
    assert page.locator("#rec-rows tr").count() == 1
    assert "Vera 王" in row.inner_text()

    # the transcript, opened with the keyboard; the hostile text is shown as text
    row.locator("button.rec-open").focus()
    page.keyboard.press("Enter")
    items = page.locator("#rec-transcript-list li")
    items.filter(has_text=XSS).wait_for(timeout=10000)
    assert any("我要退货" in t for t in items.all_inner_texts())
    # the close is told in words, not by its kind name
    assert items.filter(has_text="Conversation closed").count() == 1
    assert not any(t.rstrip().endswith(": closed") for t in items.all_inner_texts())
    assert page.evaluate("() => document.activeElement.id") == "rec-transcript-title"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                   # "Close transcript"
    assert page.locator("#rec-transcript").is_hidden()

    # a small export: the CSV itself, UTF-8 with a BOM, transcripts included
    page.locator("#rec-format").select_option("csv")
    page.locator("#rec-with-text").check()
    with page.expect_download(timeout=15000) as got:
        page.locator("#rec-export").click()
    data = open(got.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert XSS in [r["text"] for r in rows]
    assert {r["conversation_id"] for r in rows} == {closed_chat["cid"]}

    # more than 100 records: a background job, then a link valid 15 minutes
    search(page, big_site)
    page.wait_for_function("() => document.querySelectorAll('#rec-rows tr').length === 50",
                           timeout=15000)
    page.locator("#rec-more").click()
    page.wait_for_function("() => document.querySelectorAll('#rec-rows tr').length === 100",
                           timeout=15000)
    page.locator("#rec-with-text").uncheck()
    page.locator("#rec-export").click()
    link = page.locator("#rec-export-link")
    link.wait_for(timeout=60000)
    href = link.get_attribute("href")
    assert parse_qs(urlparse(href).query)["X-Amz-Expires"] == ["900"]
    body = page.request.get(href).body()
    listed = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(listed) == 105 and listed[0]["visitor_name"] == '访客, "0"'
    page.screenshot(path=str(artifacts_dir / "console-records.png"), full_page=True)

    # zh-CN
    page.locator("#app .lang-toggle").click()
    page.locator("#page-records h2", has_text="聊天记录").wait_for()
    assert "开始时间" in page.locator("#rec-table thead").inner_text()
    page.locator("#app .lang-toggle").click()

    # phone width: only the table scrolls, in its own box
    page.set_viewport_size({"width": 390, "height": 800})
    wide = """() => [...document.querySelectorAll('#page-records *')]
        .filter(e => e.getBoundingClientRect().right > 392 && e.offsetParent !== null
                && !e.closest('.scroll-x'))
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    assert page.evaluate(wide) == []
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_records_show_the_last_week_on_arrival(console, runtime):
    """No site typed yet: an admin lands on the first site's chats of the last seven days
    (as on the Reports page), without pressing Search; a revisit keeps the site."""
    page = console(admin_creds(runtime), online=False)
    page.locator("#pages [data-page=records]").click()
    page.wait_for_function("() => document.getElementById('rec-site').value !== ''",
                           timeout=10000)
    page.locator("#rec-count").filter(has_text="shown").wait_for(timeout=10000)
    site = page.locator("#rec-site").input_value()
    page.locator("#pages [data-page=inbox]").click()
    page.locator("#pages [data-page=records]").click()
    page.locator("#rec-count").filter(has_text="shown").wait_for(timeout=10000)
    assert page.locator("#rec-site").input_value() == site
    assert not page.parley_log.errors

"""The console's Reports page in Chromium: figures from report buckets fed with known events
(tests/helpers/report_events.py) through the real consumer into the runtime's moto, shown as
cards, Chart.js charts and a sortable per-agent table; the team filter, Chinese and a phone
width."""
from __future__ import annotations

import time
import uuid
from types import SimpleNamespace

import pytest

from chalicelib.adapters.reports import ReportsRepo
from chalicelib.services.reports import consumer
from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            rest)
from tests.helpers import report_events

pytestmark = pytest.mark.timeout(180)
XSS_IMG = "<img src=x onerror=\"window.__pwned=1\">"


class RuntimeReports(ReportsRepo):
    def __init__(self, endpoint):
        super().__init__()
        self.endpoint = endpoint

    def client_kwargs(self):
        return {"endpoint_url": self.endpoint}


class UtcSites:
    def get(self, key):
        return {"site_key": key, "settings": {}}


@pytest.fixture
def report_site(runtime, rest, admin_token, make_agent):
    """A fresh site with 3 sales chats for one agent and 2 billing chats for another."""
    site = f"rpt-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": site, "name": "Reports demo"}, admin_token)
    ann = make_agent(name="Ann Reports")
    bob = make_agent(name=XSS_IMG)
    deps = SimpleNamespace(reports=RuntimeReports(runtime.moto_url), sites=UtcSites())
    base = (int(time.time() * 1000) // 3_600_000 - 3) * 3_600_000
    plan = [("sales", ann, 5), ("sales", ann, 4), ("sales", ann, 3), ("billing", bob, 5),
            ("billing", bob, 1)]
    for i, (team, agent, score) in enumerate(plan):
        for event in report_events.conversation(f"c{i}{site}", agent["agent_id"],
                                                base + i * 60_000, team, site, score):
            consumer.handle(deps, event)
    for event in report_events.ticket(f"t{site}", ann["agent_id"], base, "sales", site):
        consumer.handle(deps, event)
    return {"site": site, "ann": ann, "bob": bob, "csat": round(18 / 5, 2)}


def figure(page, name):
    return page.locator(f"#rp-cards [data-figure={name}] .big").inner_text()


def show(page, site, filter_value=None):
    page.locator("#rp-site").fill(site)
    if filter_value:
        page.locator("#rp-filter").select_option(filter_value)
    page.locator("#rp-form button[type=submit]").click()


def test_reports_page_figures_chart_sorting_filter_and_languages(console, make_agent,
                                                                 report_site, artifacts_dir):
    sup = make_agent(role="supervisor", name="Sue Supervisor")
    page = console(sup, online=False)
    page.locator("#pages [data-page=reports]").click()
    page.locator("#rp-form").wait_for()
    show(page, report_site["site"])
    page.locator("#rp-cards").wait_for()

    assert figure(page, "started") == "5"
    assert figure(page, "handed_off") == "5"
    assert figure(page, "reception_rate") == "100.0%"
    assert figure(page, "csat") == str(report_site["csat"])
    assert figure(page, "wait").startswith("3.0 min /")      # queued +2 min -> assigned +5
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('rp-chart-volume'))")
    assert page.evaluate("() => Chart.getChart(document.getElementById('rp-chart-volume'))"
                         ".data.datasets[0].data.reduce((a, b) => a + b, 0)") == 5

    # ticket figures (domain/ticket_reports.py): one ticket, replied after 30 min, solved
    tickets = page.locator("#rp-tickets")
    assert tickets.locator("[data-figure=tk_created] .big").inner_text() == "1"
    assert tickets.locator("[data-figure=tk_solved] .big").inner_text() == "1"
    assert tickets.locator("[data-figure=tk_first_reply] .big").inner_text().startswith("30.0 min /")
    assert tickets.locator("[data-figure=tk_resolution] .big").inner_text().startswith("2.0 h /")
    assert page.evaluate("() => Chart.getChart(document.getElementById('rp-chart-volume'))"
                         ".data.datasets[3].data.reduce((a, b) => a + b, 0)") == 1

    # the per-agent table: names as text, sortable by each column (keyboard: buttons)
    rows = page.locator("#rp-agents tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-agent") == report_site["ann"]["agent_id"]
    assert XSS_IMG in page.locator("#rp-agents").inner_text()
    assert page.evaluate("() => window.__pwned") is None
    page.locator("#rp-agents th button[data-sort=assignments]").focus()
    page.keyboard.press("Enter")
    assert rows.nth(0).get_attribute("data-agent") == report_site["bob"]["agent_id"]
    assert page.locator("#rp-agents th[aria-sort=ascending]").count() == 1
    # per-agent p90 columns (from the agent's own histograms): 15 min of handle time each
    assert page.locator("#rp-agents th button[data-sort=handle_p90_ms]").count() == 1
    # presence time columns (services/reports/presence_time.py), sortable like the others
    assert page.locator("#rp-agents th button[data-sort=online_ms]").inner_text() == "Online time"
    assert page.locator("#rp-agents th button[data-sort=away_ms]").inner_text() == "Away time"
    ann_row = page.locator(f"#rp-agents tr[data-agent='{report_site['ann']['agent_id']}'] td")
    solved_col = page.evaluate("() => [...document.querySelectorAll('#rp-agents th button')]"
                               ".map(b => b.dataset.sort).indexOf('tk_solved')")
    assert ann_row.nth(solved_col).inner_text() == "1"
    page.locator("#app .lang-toggle").click()
    page.locator("#rp-agents th button[data-sort=online_ms]", has_text="在线时长").wait_for()
    assert page.locator("#rp-agents th button[data-sort=away_ms]").inner_text() == "离开时长"
    page.locator("#app .lang-toggle").click()
    page.locator("#rp-agents th button[data-sort=online_ms]", has_text="Online time").wait_for()
    page.screenshot(path=str(artifacts_dir / "reports-page.png"), full_page=True)

    # filter by team: billing had 2 conversations
    show(page, report_site["site"], "team:billing")
    page.wait_for_function("() => document.querySelector('#rp-cards [data-figure=started] .big')"
                           ".textContent === '2'", timeout=10000)
    assert figure(page, "csat") == "3"          # (5 + 1) / 2

    # Chinese
    page.locator("#app .lang-toggle").click()
    page.locator("#page-reports h2", has_text="报表").wait_for()
    assert "会话数" in page.locator("#rp-cards").inner_text()
    assert "新建工单" in page.locator("#rp-tickets").inner_text()

    # phone width: the page still fits and the cards stay visible
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.locator("#rp-cards").is_visible()
    wide = """() => [...document.querySelectorAll('#page-reports *')]
        .filter(e => e.getBoundingClientRect().right > 392 && e.offsetParent !== null
                && !e.closest('.table-wrap'))
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    try:      # Chart.js resizes its canvases from a ResizeObserver: wait for that
        page.wait_for_function(f"() => ({wide})().length === 0", timeout=5000)
    except Exception:
        pass
    assert page.evaluate(wide) == []                # the agents table scrolls in its box
    assert not page.parley_log.errors, page.parley_log.errors

"""The console's socket keeps alive like the widget's (docs/websocket-protocol.md, "Limits"):
a ping every 4 minutes, a dead socket dropped 10 s after an unanswered ping, and renewal
before API Gateway's 2-hour limit, make before break. Driven by Playwright's page clock."""
from __future__ import annotations

import pytest

from tests.browser.console_fixtures import admin_token, make_agent, rest  # noqa: F401
from tests.browser.test_widget import WS_LOG, pings

pytestmark = pytest.mark.timeout(120)

CONN_LOG = """window.__conn = [];
new MutationObserver(() => { const n = document.getElementById('conn-state');
  if (n && __conn[__conn.length - 1] !== n.className) __conn.push(n.className); })
  .observe(document, {subtree: true, attributes: true, attributeFilter: ['class']});"""


def wait_pongs(page, n: int, i: int = 0) -> None:
    """Until socket i has received n pongs. A fixed wait lost the race on a busy machine: the
    pong came after the next fast-forward had passed its 10 s deadline, so the socket was
    dropped as dead and the test counted one ping too few."""
    page.wait_for_function(f"() => __ws[{i}].got.filter(t => t === 'pong').length >= {n}",
                           timeout=10000)


def signed_in_console(new_page, runtime, creds):
    page = new_page(goto=False)
    page.add_init_script(WS_LOG)
    page.add_init_script(CONN_LOG)
    page.clock.install()
    page.goto(runtime.base_url + "/console/")
    page.locator("#login-email").fill(creds["email"])
    page.locator("#login-password").fill(creds["password"])
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_function("() => window.ParleyConsole && ParleyConsole.state().ws === 'online'",
                           timeout=20000)
    return page


def test_console_pings_every_4_minutes_and_drops_a_dead_socket(new_page, runtime, make_agent):
    page = signed_in_console(new_page, runtime, make_agent())
    assert page.evaluate("__ws.length") == 1
    opened = page.evaluate("__ws[0].opened")
    page.clock.fast_forward("03:50")
    assert pings(page) == []                       # not a ping a minute any more
    page.clock.fast_forward("00:20")
    first = pings(page)
    assert len(first) == 1 and 230_000 <= first[0] - opened <= 270_000, (first, opened)
    wait_pongs(page, 1)                            # the pong arrives (real network)
    page.clock.fast_forward("00:15")
    assert page.evaluate("__ws.length") == 1       # answered: kept

    page.evaluate("window.__dropPings = true")     # a socket that stopped answering
    page.clock.fast_forward("04:00")
    assert len(pings(page)) == 2
    page.clock.fast_forward("00:11")
    page.wait_for_function("() => __ws[0].closed !== null", timeout=5000)
    page.clock.fast_forward("00:01")               # the first backoff is 0.25-0.5 s
    page.wait_for_function("() => __ws.length === 2 && __ws[1].opened", timeout=15000)
    page.wait_for_function("() => ParleyConsole.state().ws === 'online'", timeout=15000)
    assert not page.parley_log.errors


def test_console_renews_its_socket_before_the_2_hour_limit(new_page, runtime, make_agent):
    page = signed_in_console(new_page, runtime, make_agent())
    page.evaluate("window.__conn = []")
    page.clock.fast_forward("01:49:00")
    assert page.evaluate("__ws.length") == 1       # not yet: renewal at 110 minutes
    page.wait_for_function("() => __ws[0].sent.length > 0")
    wait_pongs(page, 1)                            # the pong to the ping that just went
    page.clock.fast_forward("01:30")
    page.wait_for_function("() => __ws.length === 2 && __ws[1].opened && __ws[0].closed",
                           timeout=15000)
    old, new = page.evaluate("__ws")
    assert old["created"] < new["created"] <= new["opened"] <= old["closed"], (old, new)
    assert 110 * 60_000 <= new["created"] - old["opened"] < 111 * 60_000
    assert set(page.evaluate("__conn")) <= {"conn online"}    # stayed "Live" throughout
    assert page.evaluate("ParleyConsole.state().ws") == "online"
    page.clock.fast_forward("04:00")               # the keepalive moved to the new socket
    assert len(pings(page, 1)) == 1
    assert not page.parley_log.errors

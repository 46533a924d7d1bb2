"""The console under its Content-Security-Policy (infra/web_headers.py, sent by the local
runtime as infra/hosting.yaml sends it): an injected inline script does not run, while the
console itself (sign-in, WebSocket, REST, an attachment upload to S3 and its image) works
without a single CSP violation."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import (admin_token, console, make_agent,  # noqa: F401
                                            make_team, rest)
from tests.browser.test_widget import tiny_png

pytestmark = pytest.mark.timeout(120)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push({directive: e.effectiveDirective, blocked: e.blockedURI,
                               sample: e.sample});
});
"""


def test_csp_blocks_inline_script_while_the_console_works(browser, console, make_agent,
                                                          make_team, rest, admin_token,
                                                          runtime):
    team = make_team()
    key = f"csp-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": key, "name": "CSP",
                                       "settings": {"bot_enabled": False, "team": team}},
              admin_token)
    agent = make_agent(teams=[team], name="Cleo CSP")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(RECORD_VIOLATIONS)
    try:
        page = console(agent, context=ctx)          # signed in, socket online, set online

        # the header is the strict policy
        csp = page.request.get(runtime.base_url + "/console/").headers[
            "content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp

        # a visitor's chat reaches the agent; the agent replies and sends an image
        v = rest.call("POST", "/visitor/sessions", {"site_key": key, "name": "Vic"})
        rest.call("POST", f"/visitor/conversations/{v['conversation_id']}/messages",
                  {"client_message_id": uuid.uuid4().hex, "text": "<b>hi</b>"}, v["token"])
        cid = v["conversation_id"]
        page.wait_for_function(f"() => ParleyConsole.state().lists.mine.includes('{cid}')",
                               timeout=20000)
        page.locator(f"#conv-list li[data-cid='{cid}']").click()
        page.locator("#log li[data-seq]", has_text="<b>hi</b>").wait_for(timeout=15000)
        page.locator("#input").fill("Hello from a locked-down console")
        page.locator("#input").press("Enter")
        page.locator("#log li[data-seq]", has_text="locked-down console").wait_for(
            timeout=15000)
        page.locator("#file").set_input_files(
            files=[{"name": "shot.png", "mimeType": "image/png", "buffer": tiny_png()}])
        page.wait_for_function("() => [...document.querySelectorAll('#log img')]"
                               ".some(i => i.complete && i.naturalWidth === 8)", timeout=20000)
        assert page.evaluate("window.__cspViolations") == []

        # an injected inline script (what an XSS would add) and an inline handler do not run
        ran = page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true';
            document.body.appendChild(s);
            const b = document.createElement('button');
            b.setAttribute('onclick', 'window.__handlerRan = true');
            document.body.appendChild(b);
            b.click();
            return [window.__inlineRan === true, window.__handlerRan === true];
        }""")
        assert ran == [False, False]
        page.wait_for_function("() => window.__cspViolations.length >= 2")
        directives = sorted(v["directive"] for v in page.evaluate("window.__cspViolations"))
        assert directives == ["script-src-attr", "script-src-elem"], directives
        # ... and the console still works: a second reply goes through
        page.locator("#input").fill("still here")
        page.locator("#input").press("Enter")
        page.locator("#log li[data-seq]", has_text="still here").wait_for(timeout=15000)
        assert page.parley_log.errors == []
    finally:
        ctx.close()

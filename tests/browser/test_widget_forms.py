"""Forms in the widget (web/widget/parley-form.js, loaded by parley.js on first use) in
Chromium against the local runtime: an agent sends an in-chat form, the visitor fills it in
(zh labels, the browser's required/type checks first), the contact has the values and the
form shows as answered, also after a reload; a designed pre-chat form with a select; under a
strict CSP; the lazy file's own size budget."""
from __future__ import annotations

import gzip
import urllib.request
import uuid

import pytest

from tests.browser.test_widget import (WEB, Agent, make_site, open_widget, type_and_send,
                                       wait_ready, wait_until)

pytestmark = pytest.mark.timeout(180)

FORM_BUDGET = 4 * 1024
XSS = "<img src=x onerror=\"window.__pwned=1\">"
ROOT = "document.querySelector('#parley-widget').shadowRoot"


def L(en, zh):
    return {"en": en, "zh": zh}


def site_with_fields(admin):
    site = make_site(admin, bot_enabled=False)
    admin.admin("PUT", f"/contact-fields?site_key={site}", {"fields": [
        {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
         "options": [{"value": "basic"}, {"value": "pro"}]},
        {"key": "seats", "type": "number", "label_en": "Seats", "label_zh": "席位",
         "min": 1, "max": 500},
        {"key": "topics", "type": "multi_select", "label_en": "Topics", "label_zh": "主题",
         "options": [{"value": "billing"}, {"value": "api"}]}]})
    return site


QUOTE_FIELDS = [
    {"key": "who", "label": L("Your name", "您的姓名"), "type": "text", "required": True,
     "maps_to": "name"},
    {"key": "mail", "label": L("E-mail", "邮箱"), "type": "email", "required": True,
     "maps_to": "email"},
    {"key": "plan", "label": L("Plan", "套餐"), "type": "select", "maps_to": "plan",
     "options": [{"value": "basic", "label": L("Basic", "基础版")},
                 {"value": "pro", "label": L("Pro", "专业版")}]},
    {"key": "seats", "label": L("Seats", "席位"), "type": "number", "maps_to": "seats"},
    {"key": "topics", "label": L("Topics", "主题"), "type": "multi_select", "maps_to": "topics",
     "options": [{"value": "billing", "label": L("Billing", "账单")},
                 {"value": "api", "label": L("API", "接口")}]},
]


def test_the_lazy_form_file_has_its_own_budget(runtime):
    with urllib.request.urlopen(f"{runtime.base_url}/widget/parley-form.js", timeout=10) as r:
        body = r.read()
    assert body == (WEB / "widget" / "parley-form.js").read_bytes()
    size = len(gzip.compress(body, compresslevel=9))
    print(f"\n[widget] parley-form.js: {len(body)} bytes, {size} bytes gzipped "
          f"(budget {FORM_BUDGET})")
    assert size <= FORM_BUDGET


def test_an_agent_sends_a_form_and_the_visitor_fills_it_in(new_page, runtime, artifacts_dir):
    admin = Agent(runtime)
    site = site_with_fields(admin)
    form = admin.admin("POST", f"/forms?site_key={site}", {
        "name": "报价 / Quote", "kind": "inchat", "fields": QUOTE_FIELDS})["form"]
    page = new_page(f"/demo/site.html?site={site}&locale=zh", viewport={"width": 390,
                                                                         "height": 844})
    state = wait_ready(page)
    open_widget(page)
    type_and_send(page, "想要报价")
    cid = page.evaluate("Parley.state().conversation_id")
    admin.wait_text(cid, "想要报价")
    assert page.evaluate("!!document.querySelector('script[src*=\"parley-form\"]')") is False
    admin.join(cid)
    admin.call("POST", f"/conversations/{cid}/forms", {"form_id": form["form_id"]})
    box = page.locator(".p-inform")
    box.wait_for(timeout=15000)
    # an agent is in: the leave-a-message form offered while nobody was online is gone
    page.locator(".p-offline").wait_for(state="detached", timeout=10000)
    labels = box.locator("label").all_inner_texts()
    assert "您的姓名 *" in labels and "专业版" not in labels
    assert box.locator("legend").inner_text() == "主题"
    # the browser checks first: nothing is sent while a required field is empty or bad
    box.locator("button[type=submit]").click()
    box.locator(".p-ferr", has_text="请填写此项").first.wait_for(timeout=5000)
    assert box.locator("[aria-invalid=true]").count() == 2
    box.locator("input[type=text]").fill(XSS)
    box.locator("input[type=email]").fill("not-an-address")
    box.locator("button[type=submit]").click()
    box.locator(".p-ferr", has_text="请检查此项").first.wait_for(timeout=5000)
    assert not [m for m in admin.history(cid) if (m.get("event") or {}).get("kind")
                == "form_answered"]
    box.locator("input[type=email]").fill(f"{state['visitor_id'][:8]}@forms.example")
    box.locator("select").select_option("pro")
    box.locator("input[type=number]").fill("12")
    box.locator("label", has_text="接口").locator("input").check()
    box.locator("button[type=submit]").press("Enter")
    page.locator(".p-fdone", has_text="感谢填写").wait_for(timeout=10000)
    assert page.locator(".p-inform").count() == 0 and page.locator(".p-offline").count() == 0
    page.screenshot(path=str(artifacts_dir / "widget-form-zh.png"))

    def contact():
        return admin.call("GET", f"/contacts/by-visitor/{state['visitor_id']}")["contact"]
    c = wait_until(lambda: contact()["fields"].get("plan") and contact(), "the answers")
    assert c["name"] == XSS and c["fields"] == {"plan": "pro", "seats": 12, "topics": ["api"]}
    assert f"{state['visitor_id'][:8]}@forms.example" in c["emails"]
    kinds = [(m.get("event") or {}).get("kind") for m in admin.history(cid)]
    assert kinds.count("form_answered") == 1
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate(f"{ROOT}.querySelectorAll('.p-log img').length") == 0
    # answered: after a reload it shows as answered, not as a form to fill again
    page.reload()
    wait_ready(page)
    page.locator(".p-fdone").wait_for(timeout=15000)
    assert page.locator(".p-inform").count() == 0
    assert page.parley_log.errors == []


def test_a_designed_prechat_form_with_a_select(new_page, runtime):
    admin = Agent(runtime)
    site = site_with_fields(admin)
    admin.admin("POST", f"/forms?site_key={site}", {
        "name": "Welcome", "kind": "prechat", "prechat": True, "fields": [
            {"key": "who", "label": L("Your name", "您的姓名"), "type": "text",
             "required": True, "maps_to": "name"},
            {"key": "plan", "label": L("Plan", "套餐"), "type": "select", "required": True,
             "maps_to": "plan", "options": [{"value": "basic", "label": L("Basic", "基础版")},
                                            {"value": "pro", "label": L("Pro", "专业版")}]}]})
    page = new_page(f"/demo/site.html?site={site}")
    state = wait_ready(page)
    open_widget(page)
    form = page.locator(".p-prechat")
    form.wait_for(timeout=10000)
    assert page.locator(".p-compose").is_hidden()
    assert form.locator("label").all_inner_texts()[:2] == ["Your name *", "Plan *"]
    form.locator("input").fill("Pat Prechat")
    form.locator("button[type=submit]").click()
    form.locator(".p-ferr", has_text="Please fill this in").wait_for(timeout=5000)
    form.locator("select").select_option("basic")
    form.locator("button[type=submit]").click()
    page.locator(".p-compose").wait_for(timeout=10000)
    assert page.locator(".p-prechat").count() == 0
    type_and_send(page, "hello after the designed form")
    cid = page.evaluate("Parley.state().conversation_id")
    admin.wait_text(cid, "hello after the designed form")
    c = admin.call("GET", f"/contacts/by-visitor/{state['visitor_id']}")["contact"]
    assert c["name"] == "Pat Prechat" and c["fields"]["plan"] == "basic"
    assert page.parley_log.errors == []


def test_a_form_under_a_strict_csp(new_page, runtime):
    admin = Agent(runtime)
    run = uuid.uuid4().hex[:6]
    form = admin.admin("POST", "/forms?site_key=demo", {
        "name": f"CSP {run}", "kind": "inchat", "fields": [
            {"key": "note", "label": L("Anything else?", "还有什么?"), "type": "text",
             "required": True}]})["form"]
    try:
        page = new_page(goto=False)
        page.add_init_script("""window.__violations = [];
            document.addEventListener('securitypolicyviolation',
                e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI), true);""")
        page.goto(runtime.base_url + "/demo/csp.html")
        wait_ready(page)
        open_widget(page)
        type_and_send(page, f"csp form {run}")
        cid = page.evaluate("Parley.state().conversation_id")
        admin.wait_text(cid, f"csp form {run}")
        admin.join(cid)
        admin.call("POST", f"/conversations/{cid}/forms", {"form_id": form["form_id"]})
        box = page.locator(".p-inform")
        box.wait_for(timeout=15000)
        box.locator("input").fill("nothing, thanks")
        box.locator("button[type=submit]").click()
        page.locator(".p-fdone").wait_for(timeout=10000)
        event = wait_until(lambda: [m for m in admin.history(cid) if (m.get("event") or {})
                                    .get("kind") == "form_answered"], "the answer")
        assert event[0]["event"]["answers"][0]["value"] == "nothing, thanks"
        assert page.evaluate("window.__violations") == []
        assert page.parley_log.errors == []
    finally:
        admin.admin("DELETE", f"/forms/{form['form_id']}?site_key=demo")

"""The contact custom-field editor (web/console/contact_fields.js, a Sites page panel), the
contact view's per-type field controls (contacts.js) and the Segments page (segments.js) in
Chromium against the local runtime: an admin defines a select and a number field (the API's
4xx shown next to the control), edits a contact's values (out of range shown beside the
field), builds a filter, saves it as a segment, opens it again, exports it as CSV and tags
every match after a confirm naming the count; in both languages, by keyboard, at phone width."""
from __future__ import annotations

import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, make_agent, rest  # noqa: F401

pytestmark = pytest.mark.timeout(240)

XSS = "<img src=x onerror=\"window.__pwned=1\">"


def admin_creds(runtime):
    c = runtime.credentials
    return {"email": c.get("admin_email", "admin@demo.parley"), "password": c["admin_password"]}


def open_fields_panel(page):
    page.evaluate("() => document.querySelector('#pages [data-page=sites]').click()")
    page.locator("#site-pick option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#site-pick").select_option("demo")
    page.locator("#cf-panel").wait_for(timeout=10000)


def test_fields_editor_contact_values_and_a_segment_saved_exported_and_tagged(
        console, runtime, rest, admin_token, artifacts_dir):
    run = uuid.uuid4().hex[:6]
    keys = (f"plan_{run}", f"seats_{run}", f"langs_{run}", f"renew_{run}")
    tags = (f"seg-{run}", f"vip-{run}")
    before = rest.call("GET", "/admin/contact-fields?site_key=demo", None, admin_token)["fields"]
    try:
        _run(console, runtime, rest, admin_token, artifacts_dir, before, keys, tags)
    finally:                                   # leave the shared demo site as it was
        rest.call("PUT", "/admin/contact-fields?site_key=demo", {"fields": before}, admin_token)
        _drop_segments(rest, admin_token, run)


def _drop_segments(rest, token, run):
    for s in rest.call("GET", "/agent/segments?site_key=demo", None, token)["segments"]:
        if run in s["name"]:
            rest.call("DELETE", f"/agent/segments/{s['segment_id']}?site_key=demo", None, token)


def _run(console, runtime, rest, admin_token, artifacts_dir, before, keys, tags):
    plan, seats, langs, renew = keys
    tag, vip = tags
    page = console(admin_creds(runtime), online=False)
    open_fields_panel(page)
    n = len(before)
    # a select field without options: the API's 4xx lands next to the options box
    page.locator("#cf-add").click()
    page.locator(f"#cf-{n}-key").fill(plan)
    page.locator(f"#cf-{n}-type").select_option("select")
    page.locator(f"#cf-{n}-label_en").fill("Plan")
    page.locator(f"#cf-{n}-label_zh").fill("套餐")
    page.locator(f"#cf-{n}-required").check()
    page.locator("#cf-save").click()
    page.locator(f"#cf-{n}-options-error", has_text="distinct options").wait_for(timeout=10000)
    assert page.locator(f"#cf-{n}-options").get_attribute("aria-invalid") == "true"
    assert rest.call("GET", "/admin/contact-fields?site_key=demo", None,
                     admin_token)["fields"] == before            # nothing written
    page.locator(f"#cf-{n}-options").fill("basic | Basic | 基础\npro | Pro | 专业")
    page.locator("#cf-add").click()                              # a number field, by keyboard
    page.locator(f"#cf-{n + 1}-key").fill(seats)
    page.locator(f"#cf-{n + 1}-type").select_option("number")
    page.locator(f"#cf-{n + 1}-label_en").fill("Seats")
    page.locator(f"#cf-{n + 1}-label_zh").fill("席位")
    page.locator(f"#cf-{n + 1}-min").fill("1")
    page.locator(f"#cf-{n + 1}-max").fill("100")
    page.locator("#cf-add").click()                              # a multi-select and a date
    page.locator(f"#cf-{n + 2}-key").fill(langs)
    page.locator(f"#cf-{n + 2}-type").select_option("multi_select")
    page.locator(f"#cf-{n + 2}-label_en").fill("Languages")
    page.locator(f"#cf-{n + 2}-label_zh").fill("语言")
    page.locator(f"#cf-{n + 2}-options").fill("zh | Chinese | 中文\nen | English | 英文")
    page.locator("#cf-add").click()
    page.locator(f"#cf-{n + 3}-key").fill(renew)
    page.locator(f"#cf-{n + 3}-type").select_option("date")
    page.locator(f"#cf-{n + 3}-label_en").fill("Renewal")
    page.locator(f"#cf-{n + 3}-label_zh").fill("续约日期")
    page.locator("#cf-save").focus()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Fields saved").wait_for(timeout=10000)
    defs = {d["key"]: d for d in rest.call("GET", "/admin/contact-fields?site_key=demo", None,
                                           admin_token)["fields"]}
    assert defs[plan]["required"] is True and defs[plan]["type"] == "select"
    assert [o["value"] for o in defs[plan]["options"]] == ["basic", "pro"]
    assert defs[plan]["options"][1]["label_zh"] == "专业"
    assert (defs[seats]["min"], defs[seats]["max"]) == (1, 100)
    assert defs[langs]["type"] == "multi_select" and defs[renew]["type"] == "date"

    # three contacts (one named like an attack); two on the pro plan
    csv = ("\ufeffname,emails,tags," + plan + "\n" + f"王小明 {tag},wang-{tag}@shop.example,{tag},pro\n"
           f"\"{XSS.replace(chr(34), chr(34) * 2)}\",xss-{tag}@shop.example,{tag},basic\n"
           f"Basic Bob {tag},bob-{tag}@shop.example,{tag},basic\n")
    got = rest.call("POST", "/agent/contacts/import", {"site_key": "demo", "csv": csv}, admin_token)
    assert got["imported"] == 3 and not got["errors"], got

    # the contact view: a control per type; an out-of-range value is refused beside the field
    page.evaluate("() => document.querySelector('#pages [data-page=contacts]').click()")
    page.locator("#ct-site-select option[value=demo]").wait_for(state="attached", timeout=10000)
    page.locator("#ct-site-select").select_option("demo")
    page.locator("#ct-filter").select_option("tag")
    page.locator("#ct-tag").fill(tag)
    page.locator("#ct-tag").press("Enter")
    page.locator("#ct-rows button", has_text="Basic Bob").click()
    page.locator(f"#ctf-{plan}").wait_for(timeout=10000)
    assert page.evaluate(f"() => document.getElementById('ctf-{plan}').tagName") == "SELECT"
    assert page.locator(f"#ctf-{seats}").get_attribute("type") == "number"
    page.locator(f"#ctf-{seats}").fill("500")
    page.locator(f"#ctf-{seats}").press("Enter")
    page.locator(f"#ctf-{seats}-error", has_text="out of range").wait_for(timeout=10000)
    page.locator(f"#ctf-{seats}").fill("5")
    page.locator(f"#ctf-{plan}").select_option("pro")
    assert page.evaluate(f"() => document.getElementById('ctf-{langs}').multiple") is True
    page.locator(f"#ctf-{langs}").select_option(["zh", "en"])
    assert page.locator(f"#ctf-{renew}").get_attribute("type") == "date"
    page.locator(f"#ctf-{renew}").fill("2027-01-31")
    page.locator("#ct-form button[type=submit]").click()
    page.locator(".toast").get_by_text("Saved", exact=True).wait_for(timeout=10000)
    bob = rest.call("POST", "/agent/contacts/search", {"site_key": "demo", "filter": {
        "tag": tag, "fields": {seats: 5}}}, admin_token)["contacts"]
    assert len(bob) == 1 and bob[0]["fields"] == {plan: "pro", seats: 5, langs: ["en", "zh"],
                                                  renew: "2027-01-31"}, bob

    # the Segments page: tag + a custom field value; two matches
    page.evaluate("() => document.querySelector('#pages [data-page=segments]').click()")
    page.locator("#sg-site").fill("demo")
    page.locator("#sg-site").dispatch_event("change")
    page.locator(f"#sg-f-{plan}").wait_for(timeout=10000)
    page.locator("#sg-tag").fill(tag)
    page.locator(f"#sg-f-{plan}").select_option("pro")
    page.locator("#sg-min-chats").fill("0")
    page.locator("#sg-search").click()
    page.locator("#sg-rows tr", has_text="Basic Bob").wait_for(timeout=10000)
    assert page.locator("#sg-rows tr").count() == 2
    assert page.locator("#sg-rows tr", has_text="王小明").count() == 1
    page.locator("#sg-name").fill(f"Pro {tag}")
    page.locator("#sg-name").press("Enter")
    page.locator(".toast", has_text="Segment saved").wait_for(timeout=10000)
    saved = page.locator("#sg-saved li", has_text=f"Pro {tag}")
    saved.wait_for(timeout=10000)

    # reopen the page with an empty filter, then open the saved segment
    page.evaluate("() => document.querySelector('#pages [data-page=contacts]').click()")
    page.evaluate("() => document.querySelector('#pages [data-page=segments]').click()")
    page.locator("#sg-tag").fill("")
    saved = page.locator("#sg-saved li", has_text=f"Pro {tag}")
    saved.locator(".sg-open").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#sg-rows tr').length === 2",
                           timeout=10000)
    assert page.locator("#sg-tag").input_value() == tag

    # export: a CSV download, UTF-8 with a BOM, the two matches
    with page.expect_download(timeout=15000) as dl:
        saved.locator(".sg-export").click()
    text = open(dl.value.path(), encoding="utf-8").read()
    assert text.startswith("\ufeff")
    assert "王小明" in text and "Basic Bob" in text and "xss-" not in text
    assert plan in text.splitlines()[0]

    # bulk tag: the confirm names the count; then every match carries the tag
    page.evaluate("() => { window.confirm = (m) => { window.__asked = m; return true; }; }")
    page.locator("#sg-bulk-tag").fill(vip)
    page.locator("#sg-bulk-tag").press("Enter")
    page.locator(".toast", has_text="Tagged 2 contacts").wait_for(timeout=15000)
    assert page.evaluate("() => window.__asked") == f"Add the tag “{vip}” to 2 contacts?"
    tagged = rest.call("POST", "/agent/contacts/search",
                       {"site_key": "demo", "filter": {"tag": vip}}, admin_token)["contacts"]
    assert sorted(c["name"] for c in tagged) == sorted([f"王小明 {tag}", f"Basic Bob {tag}"])
    page.screenshot(path=str(artifacts_dir / "console-segments.png"), full_page=True)

    # zh-CN, and the page and the field editor fit a phone
    page.locator("header .lang-toggle").click()
    page.locator("#page-segments h2", has_text="客户分群").wait_for(timeout=10000)
    page.locator("#sg-search", has_text="查看匹配客户").wait_for(timeout=10000)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    open_fields_panel(page)
    page.locator("#cf-title", has_text="客户自定义字段").wait_for(timeout=10000)
    assert page.locator(f"#cf-{n}-key").input_value() == plan
    overflow = page.evaluate("() => { const p = document.querySelector('#cf-panel');"
                             " return p.scrollWidth - p.clientWidth; }")
    assert overflow <= 1, overflow
    page.screenshot(path=str(artifacts_dir / "console-contact-fields.png"), full_page=True)
    page.locator("header .lang-toggle").click()
    assert page.evaluate("() => window.__pwned") is None
    assert not page.parley_log.errors, page.parley_log.errors


def test_an_agent_filters_by_a_custom_field_with_its_control_at_phone_width(
        console, make_agent, rest, admin_token):
    run = uuid.uuid4().hex[:6]
    key, tag = f"tier_{run}", f"tier-{run}"
    before = rest.call("GET", "/admin/contact-fields?site_key=demo", None, admin_token)["fields"]
    rest.call("PUT", "/admin/contact-fields?site_key=demo", {"fields": before + [
        {"key": key, "type": "select", "label_en": "Tier", "label_zh": "等级",
         "options": [{"value": "gold", "label_en": "Gold", "label_zh": "金"},
                     {"value": "iron", "label_en": "Iron", "label_zh": "铁"}]}]}, admin_token)
    try:
        csv = (f"name,tags,{key}\n金牌客户 {run},{tag},gold\nIron {run},{tag},iron\n")
        assert rest.call("POST", "/agent/contacts/import", {"site_key": "demo", "csv": csv},
                         admin_token)["imported"] == 2
        page = console(make_agent(), online=False, viewport={"width": 390, "height": 844})
        page.evaluate("() => document.querySelector('#pages [data-page=segments]').click()")
        page.locator("#sg-site").fill("demo")
        page.locator("#sg-site").press("Tab")                 # change: the definitions load
        option = page.locator(f"#sg-f-{key} option[value=gold]")
        option.wait_for(state="attached", timeout=10000)
        assert option.inner_text() == "Gold"
        page.locator("#sg-tag").fill(tag)
        page.locator(f"#sg-f-{key}").select_option("gold")
        page.locator("#sg-tag").press("Enter")
        page.locator("#sg-rows tr", has_text="金牌客户").wait_for(timeout=10000)
        assert page.locator("#sg-rows tr").count() == 1
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, width
        # an agent saves and opens segments; export and bulk tag are for supervisors
        page.locator("#sg-name").fill(f"Gold {run}")
        page.locator("#sg-save").click()
        saved = page.locator("#sg-saved li", has_text=f"Gold {run}")
        saved.wait_for(timeout=10000)
        assert saved.locator(".sg-open").count() == 1 and saved.locator(".sg-export").count() == 0
        assert page.locator("#sg-bulk-form").count() == 0
        assert not page.parley_log.errors, page.parley_log.errors
    finally:
        rest.call("PUT", "/admin/contact-fields?site_key=demo", {"fields": before}, admin_token)
        _drop_segments(rest, admin_token, run)

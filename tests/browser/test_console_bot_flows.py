"""The Bot page's flows editor (web/console/bot_flows.js) in Chromium against the local runtime:
the demo flow's slots as structured cards, adding / moving / removing a slot and saving
(checked through the API), the API's validation errors shown at the slot with nothing saved,
flows saved back unchanged when nothing was edited (also one using the format's shorter
forms), keyboard use, zh-CN and phone width."""
from __future__ import annotations

import copy
import uuid

import pytest

from tests.browser.console_fixtures import admin_token, console, rest  # noqa: F401

pytestmark = pytest.mark.timeout(240)

NEW_SLOT = {"name": "contact_phone", "kind": "phone",
            "prompt": {"zh": "请留下联系电话。", "en": "A phone number to reach you?"},
            "invalid": {"zh": "电话号码不对。", "en": "That number looks wrong."}}

# the format's shorter forms: triggers as a list, a slot without a kind (regex), texts for
# every language, another language than zh/en, no method / timeout, texts, labels
LEGACY = {
    "id": "parcel",
    "triggers": ["查物流", "track parcel"],
    "slots": [{"name": "code", "pattern": "\\d{8}", "prompt": "运单号?"},
              {"name": "when", "kind": "date", "validate": "\\d{4}-\\d{2}-\\d{2}",
               "prompt": {"zh": "哪天寄的?", "en": "Sent on which day?", "ja": "いつ?"}}],
    "action": {"url": "https://api.example.com/parcels"},
    "answers": {"success": "状态:{status}"},
    "texts": {"cancelled": {"zh": "好的。", "en": "OK."}},
    "labels": {"status": {"transit": {"zh": "运输中", "en": "in transit"}, "done": "已签收"}},
}


def _admin(console, runtime, **kw):
    return console({"email": runtime.credentials.get("admin_email", "admin@demo.parley"),
                    "password": runtime.credentials["admin_password"]}, online=False, **kw)


def _flows(rest, token, site="demo"):
    return rest.call("GET", f"/admin/kb/flows?site_key={site}", None, token)["flows"]


def _open_flows(page, site="demo"):
    page.locator("#pages [data-page=bot]").click()
    page.locator("#bot-site").select_option(site)
    page.locator("#bot-tab-flows").click()
    page.locator("#bot-flows .bot-flow").first.wait_for(timeout=30000)
    return page.locator("#bot-flows .bot-flow").first


def _save(page):
    """Save all flows; the PUT's status."""
    with page.expect_response(lambda r: "/admin/kb/flows" in r.url and r.request.method == "PUT",
                              timeout=30000) as info:
        page.locator("#bot-save-flows").click()
    return info.value.status


def _names(flow):
    return [n.input_value() for n in flow.locator(".bot-slot-name").all()]


def test_slots_are_edited_as_cards_and_saved_in_the_flow_format(console, runtime, rest, admin_token,
                                                                 artifacts_dir):
    original = _flows(rest, admin_token)
    demo = next(f for f in original if f["id"] == "order-status")
    try:
        admin = _admin(console, runtime)
        flow = _open_flows(admin)
        assert flow.locator(".bot-flow-id").input_value() == "order-status"

        # the demo flow's two slots, one card each, with their values
        cards = flow.locator(".bot-slot")
        assert cards.count() == 2
        order, phone = cards.nth(0), cards.nth(1)
        assert order.locator("legend").text_content() == "Slot 1 · order_id"
        assert order.get_by_label("Name (used as {name} in the templates)").input_value() == "order_id"
        assert order.get_by_label("Kind").input_value() == "order"
        assert order.get_by_label("Pattern (regular expression that finds the value)").input_value() == \
            demo["slots"][0]["pattern"]
        assert order.locator(".bot-slot-pattern").get_attribute("aria-required") == "true"
        assert order.locator(".bot-slot-validate").input_value() == demo["slots"][0]["validate"]
        assert order.get_by_label("Question (中文)").input_value() == demo["slots"][0]["prompt"]["zh"]
        assert order.get_by_label("Question (English)").input_value() == demo["slots"][0]["prompt"]["en"]
        assert order.get_by_label("Invalid-answer text (中文)").input_value() == "订单号格式不对。"
        assert order.get_by_label("Invalid-answer text (English)").input_value() == \
            "That order number looks wrong."
        assert order.get_by_role("button", name="Move up").is_disabled()
        assert phone.get_by_label("Kind").input_value() == "phone"
        assert phone.locator(".bot-slot-pattern").is_hidden()     # phone numbers need no pattern
        assert phone.locator(".bot-slot-validate").is_visible()
        assert phone.get_by_label("Question (English)").input_value() == \
            "What phone number did you order with?"
        assert phone.get_by_role("button", name="Move down").is_disabled()
        # the editor is HTML-free: no markup, no textarea of JSON for the slots
        assert flow.locator(".bot-slots textarea").count() == 0

        # nothing edited: saved back unchanged
        assert _save(admin) == 200
        assert _flows(rest, admin_token) == original

        # add a slot (keyboard: the new card's name gets the focus), fill it, move it up
        flow.get_by_role("button", name="Add a slot").click()
        assert cards.count() == 3
        new = cards.nth(2)
        assert admin.evaluate("document.activeElement.classList.contains('bot-slot-name')")
        admin.keyboard.type(NEW_SLOT["name"])
        new.get_by_label("Kind").select_option("phone")
        new.get_by_label("Question (中文)").fill(NEW_SLOT["prompt"]["zh"])
        new.get_by_label("Question (English)").fill(NEW_SLOT["prompt"]["en"])
        new.get_by_label("Invalid-answer text (中文)").fill(NEW_SLOT["invalid"]["zh"])
        new.get_by_label("Invalid-answer text (English)").fill(NEW_SLOT["invalid"]["en"])
        assert new.locator("legend").text_content() == "Slot 3 · contact_phone"
        new.get_by_role("button", name="Move up").press("Enter")
        assert _names(flow) == ["order_id", "contact_phone", "phone"]
        # the focus stays on the moved slot's button
        assert admin.evaluate("document.activeElement.textContent") == "Move up"
        assert admin.evaluate("document.activeElement.closest('.bot-slot').querySelector('.bot-slot-name').value") \
            == "contact_phone"
        assert cards.nth(1).locator("legend").text_content() == "Slot 2 · contact_phone"
        assert _save(admin) == 200
        saved = _flows(rest, admin_token)
        got = next(f for f in saved if f["id"] == "order-status")
        assert got["slots"] == [demo["slots"][0], NEW_SLOT, demo["slots"][1]]
        assert {k: v for k, v in got.items() if k != "slots"} == \
            {k: v for k, v in demo.items() if k != "slots"}

        # a regex slot without a pattern, then with one RE2 cannot run: the API's error at the
        # slot, nothing saved
        added = cards.nth(1)
        added.get_by_label("Kind").select_option("regex")
        pattern = added.locator(".bot-slot-pattern")
        assert pattern.is_visible() and pattern.get_attribute("aria-required") == "true"
        assert _save(admin) == 400
        error = added.locator(".error")
        error.filter(has_text="pattern' is required").wait_for(timeout=10000)
        assert pattern.get_attribute("aria-invalid") == "true"
        assert admin.evaluate("document.activeElement.classList.contains('bot-slot-pattern')")
        pattern.fill("(?=a)")
        assert _save(admin) == 400
        error.filter(has_text="RE2").wait_for(timeout=10000)
        assert "slots[1].pattern" in error.text_content()
        assert cards.nth(0).locator(".error").text_content() == ""
        assert _flows(rest, admin_token) == saved
        admin.screenshot(path=str(artifacts_dir / "console-bot-flows-error.png"), full_page=True)

        # remove the added slot: the flow is back to its original slots
        added.get_by_role("button", name="Remove slot").click()
        assert _names(flow) == ["order_id", "phone"]
        assert admin.evaluate("document.activeElement.classList.contains('bot-slot-name')")
        assert _save(admin) == 200
        assert _flows(rest, admin_token) == original
        assert flow.locator(".bot-slot .error").all_text_contents() == ["", ""]

        # zh-CN
        admin.locator(".topbar .lang-toggle").click()
        admin.locator("#bot-flows .bot-slot legend", has_text="槽位 1 · order_id").wait_for(timeout=30000)
        zh = admin.locator("#bot-flows .bot-flow").first
        assert zh.locator(".bot-slot").first.get_by_label("提问(中文)").input_value() == \
            demo["slots"][0]["prompt"]["zh"]
        assert zh.get_by_role("button", name="添加槽位").is_visible()
        assert zh.locator(".bot-slot").nth(1).get_by_role("button", name="上移").is_enabled()
        assert "phone · 手机号" in zh.locator(".bot-slot-kind").first.locator("option").all_text_contents()
        assert admin.evaluate("document.documentElement.lang") == "zh-CN"
        admin.locator(".topbar .lang-toggle").click()   # back to English for other tests
        admin.locator("#bot-flows .bot-slot legend", has_text="Slot 1").wait_for(timeout=30000)

        # phone width: the cards fit, nothing scrolls sideways
        phone_page = _admin(console, runtime, viewport={"width": 390, "height": 800})
        pflow = _open_flows(phone_page)
        pflow.get_by_role("button", name="Add a slot").click()     # an empty card, not saved
        pflow.locator(".bot-slot").nth(2).get_by_label("Kind").select_option("regex")
        sizes = phone_page.evaluate("""() => ({
            page: document.getElementById('page-bot').scrollWidth,
            doc: document.documentElement.scrollWidth, view: window.innerWidth,
            cards: [...document.querySelectorAll('#bot-flows .bot-slot')].map(c => c.getBoundingClientRect().right)})""")
        assert sizes["page"] <= 400, sizes
        assert sizes["doc"] <= sizes["view"], sizes
        assert all(right <= sizes["view"] for right in sizes["cards"]), sizes
        phone_page.screenshot(path=str(artifacts_dir / "console-bot-flows-phone.png"), full_page=True)
        assert not admin.parley_log.errors, admin.parley_log.errors
        assert not phone_page.parley_log.errors, phone_page.parley_log.errors
    finally:
        # other tests use the demo flow
        rest.call("PUT", "/admin/kb/flows?site_key=demo", {"flows": original}, admin_token)
    assert _flows(rest, admin_token) == original


def test_the_formats_shorter_forms_load_and_save_back_unchanged(console, runtime, rest, admin_token):
    site = f"flows-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": site, "name": "Flows editor"}, admin_token)
    rest.call("PUT", f"/admin/kb/flows?site_key={site}", {"flows": [LEGACY]}, admin_token)
    admin = _admin(console, runtime)
    flow = _open_flows(admin, site)
    cards = flow.locator(".bot-slot")
    code, when = cards.nth(0), cards.nth(1)
    assert code.get_by_label("Kind").input_value() == "regex"          # no kind: the default
    assert code.get_by_label("Question (中文)").input_value() == "运单号?"
    assert code.get_by_label("Question (English)").input_value() == "运单号?"
    assert when.get_by_label("Kind").input_value() == "date"
    assert when.locator(".bot-slot-pattern").is_hidden()
    rows = flow.locator(".bot-label-row")
    assert rows.count() == 2
    assert [r.locator(".bot-label-code").input_value() for r in rows.all()] == ["transit", "done"]
    assert rows.nth(0).get_by_label("Text (English)").input_value() == "in transit"
    assert flow.get_by_label("Timeout (s)").input_value() == ""

    assert _save(admin) == 200
    assert _flows(rest, admin_token, site) == [LEGACY]

    # edited parts take the editor's form; the rest stays as it was
    rows.nth(1).get_by_label("Text (English)").fill("delivered")
    when.get_by_label("Question (English)").fill("Which day did you send it?")
    flow.get_by_role("button", name="Add a readable value").click()
    new_row = rows.nth(2)
    new_row.get_by_label("Response field").fill("status")
    new_row.get_by_label("Code").fill("lost")
    new_row.get_by_label("Text (中文)").fill("丢件")
    assert _save(admin) == 200
    want = copy.deepcopy(LEGACY)
    want["labels"]["status"]["done"] = {"zh": "已签收", "en": "delivered"}
    want["labels"]["status"]["lost"] = {"zh": "丢件"}
    want["slots"][1]["prompt"] = {"ja": "いつ?", "zh": "哪天寄的?", "en": "Which day did you send it?"}
    assert _flows(rest, admin_token, site) == [want]

    # a readable value without its code is caught before the API
    flow.get_by_role("button", name="Add a readable value").click()
    rows.nth(3).get_by_label("Text (English)").fill("returned")
    assert flow.locator(".bot-labels .error").text_content() == ""
    admin.locator("#bot-save-flows").click()
    flow.locator(".bot-labels .error", has_text="Readable value 4").wait_for(timeout=10000)
    assert _flows(rest, admin_token, site) == [want]
    assert not admin.parley_log.errors, admin.parley_log.errors


def test_the_flows_own_texts_are_edited_with_the_built_in_ones_shown(console, runtime, rest,
                                                                      admin_token):
    """cancelled / invalid / too many: the loaded text in its fields, the built-in text as the
    placeholder of an empty one; an emptied text is left out (the built-in one again), a typed
    one is saved in zh/en, and the test run answers with it."""
    site = f"texts-{uuid.uuid4().hex[:6]}"
    rest.call("POST", "/admin/sites", {"site_key": site, "name": "Flow texts"}, admin_token)
    rest.call("PUT", f"/admin/kb/flows?site_key={site}", {"flows": [LEGACY]}, admin_token)
    defaults = rest.call("GET", f"/admin/kb/flows?site_key={site}", None,
                         admin_token)["default_texts"]
    admin = _admin(console, runtime)
    flow = _open_flows(admin, site)
    texts = flow.locator(".bot-texts")
    cancelled_zh = texts.get_by_label("When the visitor cancels (中文)")
    assert cancelled_zh.input_value() == "好的。"
    assert texts.get_by_label("When the visitor cancels (English)").input_value() == "OK."
    invalid_zh = texts.get_by_label("When an answer is not valid, for slots without their own "
                                    "text (中文)")
    assert invalid_zh.input_value() == ""
    assert invalid_zh.get_attribute("placeholder") == defaults["invalid"]["zh"]
    assert texts.get_by_label("After three answers that are not valid (English)") \
        .get_attribute("placeholder") == defaults["too_many"]["en"]

    # nothing edited: saved back as it was
    assert _save(admin) == 200
    assert _flows(rest, admin_token, site) == [LEGACY]

    # the cancelled text emptied (the built-in one again), the invalid one typed in zh and en
    cancelled_zh.fill("")
    texts.get_by_label("When the visitor cancels (English)").fill("  ")
    invalid_zh.fill("<b>运单号</b>是8位数字。")
    texts.get_by_label("When an answer is not valid, for slots without their own text "
                       "(English)").fill("A tracking code has 8 digits.")
    assert _save(admin) == 200
    want = copy.deepcopy(LEGACY)
    want["texts"] = {"invalid": {"zh": "<b>运单号</b>是8位数字。",
                                 "en": "A tracking code has 8 digits."}}
    assert _flows(rest, admin_token, site) == [want]

    # the test run says the typed text, as text (no markup made of it)
    cancelled_zh.fill("好的,不查了。")
    flow.locator("details summary").click()
    flow.get_by_label("Visitor messages (one per line)").fill("查物流\n取消")
    flow.get_by_role("button", name="Run with the endpoint").click()
    ran = flow.locator(".bot-run")
    ran.filter(has_text="好的,不查了。").wait_for(timeout=10000)
    assert "[cancelled]" in ran.text_content()
    assert _flows(rest, admin_token, site) == [want]               # a test run stores nothing

    # zh-CN labels
    admin.locator(".topbar .lang-toggle").click()
    admin.locator("#bot-flows .bot-texts legend", has_text="流程中的提示").wait_for(timeout=30000)
    zh = admin.locator("#bot-flows .bot-flow").first
    assert zh.get_by_label("回答格式不对时,用于没有单独提示的槽位(中文)").input_value() == \
        "<b>运单号</b>是8位数字。"
    admin.locator(".topbar .lang-toggle").click()
    admin.locator("#bot-flows .bot-texts legend", has_text="What the bot says").wait_for()
    assert admin.locator("#bot-flows b").count() == 0
    assert not admin.parley_log.errors, admin.parley_log.errors

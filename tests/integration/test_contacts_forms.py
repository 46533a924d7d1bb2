"""Forms on moto (issue 16): admins design forms (paged list, the site's pre-chat form in
the widget's public config), an agent sends an in-chat form, the visitor answers once and the
answers land on the contact (timeline too) with a `form_answered` event in the transcript."""
import pytest

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import sessions, sites
from chalicelib.services.contacts import records
from tests.helpers.api import Api

ADMIN = Actor(kind="agent", id="root", role="admin")


def L(en, zh):
    return {"en": en, "zh": zh}


QUOTE = {"name": "报价", "kind": "inchat", "fields": [
    {"key": "who", "label": L("Name", "姓名"), "type": "text", "required": True,
     "maps_to": "name"},
    {"key": "mail", "label": L("E-mail", "邮箱"), "type": "email", "maps_to": "email"},
    {"key": "plan", "label": L("Plan", "套餐"), "type": "select", "required": True,
     "maps_to": "plan", "options": [{"value": "pro", "label": L("Pro", "专业版")},
                                    {"value": "basic", "label": L("Basic", "基础版")}]},
    {"key": "seats", "label": L("Seats", "席位"), "type": "number", "maps_to": "seats"},
]}


@pytest.fixture
def world(deps):
    sites.create_site(deps, "fm", "Forms", {"bot_enabled": False})
    records.set_field_defs(deps, ADMIN, "fm", {"fields": [
        {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
         "options": [{"value": "pro"}, {"value": "basic"}]},
        {"key": "seats", "type": "number", "label_en": "Seats", "label_zh": "席位",
         "min": 1, "max": 500}]})
    api = Api(app_module.app)
    for email, role in (("ada@example.com", "admin"), ("bo@example.com", "agent"),
                        ("cy@example.com", "agent")):
        agent_svc.create_agent(deps, {"email": email, "name": email[:2], "password": "password1",
                                      "role": role})
    tokens = {e[:2]: api.agent_login(e, "password1")["token"]
              for e in ("ada@example.com", "bo@example.com", "cy@example.com")}
    return api, tokens


def err(data):
    return data["error"]["code"], (data["error"].get("details") or {}).get("field")


def test_admins_design_forms_and_the_prechat_form_reaches_the_widget(deps, world):
    api, tok = world
    status, data = api.post("/v1/admin/forms?site_key=fm", QUOTE, tok["bo"])
    assert status == 403 and err(data)[0] == "admin_only"
    bad = {**QUOTE, "fields": [{**QUOTE["fields"][0], "maps_to": "nickname"}]}
    status, data = api.post("/v1/admin/forms?site_key=fm", bad, tok["ad"])
    assert status == 400 and err(data) == ("unknown_contact_field", "fields[0].maps_to")
    made = []
    for i in range(3):
        status, data = api.post("/v1/admin/forms?site_key=fm", {**QUOTE, "name": f"F{i}"},
                                tok["ad"])
        assert status == 201, data
        made.append(data["form"]["form_id"])
    pre = {"name": "来访登记", "kind": "prechat", "prechat": True, "fields": [
        {"key": "who", "label": L("Your name", "您的姓名"), "type": "text", "required": True,
         "maps_to": "name"},
        {"key": "plan", "label": L("Plan", "套餐"), "type": "select", "maps_to": "plan",
         "options": [{"value": "pro", "label": L("Pro", "专业版")}]}]}
    status, data = api.post("/v1/admin/forms?site_key=fm", pre, tok["ad"])
    assert status == 201 and data["form"]["prechat"] is True, data
    pre_id = data["form"]["form_id"]
    status, data = api.post("/v1/admin/forms?site_key=fm", {**QUOTE, "prechat": True}, tok["ad"])
    assert status == 400 and err(data) == ("invalid_value", "prechat")
    # a page of two, then the rest after the cursor: every form once
    seen, after = [], None
    while True:
        path = "/v1/admin/forms?site_key=fm&limit=2" + (f"&after={after}" if after else "")
        status, data = api.get(path, tok["ad"])
        assert status == 200, data
        seen += [f["form_id"] for f in data["forms"]]
        if not data["next"]:
            break
        after = data["next"]["after"]
    assert sorted(seen) == sorted(made + [pre_id]) and len(seen) == 4
    status, data = api.get("/v1/agent/forms?site_key=fm&kind=inchat", tok["bo"])
    assert status == 200 and sorted(f["form_id"] for f in data["forms"]) == sorted(made)
    # the widget's public config carries the pre-chat form with both languages
    status, data = api.get("/v1/visitor/sites/fm")
    assert status == 200 and data["prechat_fields"] == [], data
    form = data["prechat_form"]
    assert form["form_id"] == pre_id and form["fields"][0]["label"] == L("Your name", "您的姓名")
    assert form["fields"][1]["options"] == [{"value": "pro", "label": L("Pro", "专业版")}]
    # edited: the copy follows; deleted: gone
    status, data = api.request("PUT", f"/v1/admin/forms/{pre_id}?site_key=fm",
                               {**{k: v for k, v in pre.items() if k != "prechat"},
                                "name": "登记"}, token=tok["ad"])
    assert status == 200 and data["form"]["prechat"] is True, data
    assert api.get("/v1/visitor/sites/fm")[1]["prechat_form"]["name"] == "登记"
    status, data = api.request("DELETE", f"/v1/admin/forms/{pre_id}?site_key=fm",
                               token=tok["ad"])
    assert status == 200, data
    assert api.get("/v1/visitor/sites/fm")[1]["prechat_form"] is None
    status, data = api.request("DELETE", f"/v1/admin/forms/{pre_id}?site_key=fm",
                               token=tok["ad"])
    assert status == 404 and err(data)[0] == "form_not_found"


def _chat(deps, api, tok):
    status, data = api.post("/v1/admin/forms?site_key=fm", QUOTE, tok["ad"])
    form_id = data["form"]["form_id"]
    s = sessions.start_session(deps, {"site_key": "fm"})
    bo = Actor(kind="agent", id=deps.agents.by_email("bo@example.com")["agent_id"],
               role="agent", name="bo")
    convs.join(deps, bo, s["conversation_id"])
    return form_id, s


def test_an_agent_sends_a_form_and_the_answers_land_on_the_contact(deps, world):
    api, tok = world
    form_id, s = _chat(deps, api, tok)
    cid = s["conversation_id"]
    path = f"/v1/agent/conversations/{cid}/forms"
    status, data = api.post(path, {"form_id": form_id}, tok["cy"])      # not in this chat
    assert status == 403, data
    status, data = api.post(path, {"form_id": "fm_nope"}, tok["bo"])
    assert status == 404 and err(data)[0] == "form_not_found"
    status, data = api.post(path, {"form_id": form_id, "client_message_id": "f-1"}, tok["bo"])
    assert status == 201, data
    msg = data["message"]
    assert msg["type"] == "form" and msg["extra"]["form"]["name"] == "报价"
    status, again = api.post(path, {"form_id": form_id, "client_message_id": "f-1"}, tok["bo"])
    assert status == 200 and again["message"]["seq"] == msg["seq"]       # exactly once
    # the visitor sees it in the history like any message
    status, hist = api.get(f"/v1/visitor/conversations/{cid}/messages", s["token"])
    assert [m["type"] for m in hist["messages"]].count("form") == 1

    answer = f"/v1/visitor/conversations/{cid}/forms/{msg['seq']}"
    other = sessions.start_session(deps, {"site_key": "fm"})
    status, data = api.post(answer, {"answers": {"who": "王芳", "plan": "pro"}},
                            other["token"])
    assert status == 403, data
    last = deps.conversations.get(cid)["last_seq"]
    status, data = api.post(answer, {"answers": {"mail": "nope", "plan": "gold",
                                                 "seats": 9999}}, s["token"])
    assert status == 400, data
    codes = {e["field"]: e["code"] for e in data["error"]["details"]["errors"]}
    assert codes == {"answers.who": "missing_field", "answers.mail": "invalid_email",
                     "answers.plan": "invalid_option", "answers.seats": "out_of_range"}
    contact = records.of_identity(deps, "fm", f"visitor:{s['visitor_id']}")
    assert contact["fields"] == {} and contact["name"] is None       # nothing written
    assert deps.conversations.get(cid)["last_seq"] == last
    status, data = api.post(f"/v1/visitor/conversations/{cid}/forms/1",
                            {"answers": {}}, s["token"])
    assert status == 404 and err(data)[0] == "form_not_found"          # seq 1 is no form

    status, data = api.post(answer, {"answers": {"who": "王芳", "mail": "Fang@Example.com",
                                                 "plan": "pro", "seats": "12"}}, s["token"])
    assert status == 200 and data["answered"] is True, data
    contact = records.of_identity(deps, "fm", f"visitor:{s['visitor_id']}")
    assert contact["name"] == "王芳" and contact["fields"] == {"plan": "pro", "seats": 12}
    assert "email:fang@example.com" in contact["identities"]
    assert contact["lead"]["source"] == "form"
    changes = [e for e in deps.contacts.timeline(contact["contact_id"])
               if e["kind"] == "fields_changed"]
    assert any(e["changes"].get("plan") == [None, "pro"] for e in changes), changes
    status, hist = api.get(f"/v1/agent/conversations/{cid}/messages", tok["bo"])
    events = [m for m in hist["messages"] if m["type"] == "event"
              and m["event"]["kind"] == "form_answered"]
    assert len(events) == 1 and events[0]["event"]["form_seq"] == msg["seq"]
    assert [a["value"] for a in events[0]["event"]["answers"]] == \
        ["王芳", "fang@example.com", "pro", 12]
    status, data = api.post(answer, {"answers": {"who": "Wang", "plan": "basic"}},
                            s["token"])
    assert status == 409 and err(data)[0] == "form_already_answered"
    assert records.of_identity(deps, "fm", f"visitor:{s['visitor_id']}")["fields"][
        "plan"] == "pro"


def test_only_inchat_forms_go_into_a_chat_and_not_into_a_closed_one(deps, world):
    api, tok = world
    form_id, s = _chat(deps, api, tok)
    status, data = api.post("/v1/admin/forms?site_key=fm", {**QUOTE, "kind": "prechat"},
                            tok["ad"])
    pre_id = data["form"]["form_id"]
    path = f"/v1/agent/conversations/{s['conversation_id']}/forms"
    status, data = api.post(path, {"form_id": pre_id}, tok["bo"])
    assert status == 400 and err(data) == ("not_an_inchat_form", "form_id")
    status, data = api.post(path, {"form_id": form_id, "extra": 1}, tok["bo"])
    assert status == 400 and err(data)[0] == "unknown_field"

"""Departments of a site on moto (docs/bot.md "Departments"): the admin API keeps them, the
widget's pre-chat form asks for one, the chosen department's bot answers from its own
knowledge base (inheriting the site's and the shared base), its misses and labels stay its
own, and a handoff goes to its team."""
import pytest

from chalicelib.domain import assignment as policy
from chalicelib.services import admin
from chalicelib.services import bot as bot_service
from tests.helpers.aws import AwsCallCounter
from tests.integration import test_bot
from tests.integration.test_bot import Visitor, extra

api = test_bot.api
admin_token = test_bot.admin_token

SALES = {"id": "sales", "name": {"en": "Sales", "zh": "销售"}, "team": "sales-team"}
SUPPORT = {"id": "support", "name": {"en": "Support"}, "team": None}


@pytest.fixture
def departed(api, deps, admin_token):
    """The demo site with two departments, and an entry in each of the three KBs."""
    admin.create_team(deps, {"id": "sales-team", "name": "Sales"})
    status, data = api.request("PUT", "/v1/admin/sites/demo", {"departments": [SALES, SUPPORT]},
                           token=admin_token)
    assert status == 200, data
    for key, entry_id, question, answer in (
            ("demo", "hours", "What are your opening hours?", "We open 9 to 6."),
            ("demo/sales", "volume", "Do you give volume discounts?", "Yes: 10% from 50 seats."),
            ("demo/support", "reset", "How do I reset my password?", "Use 'Forgot password'.")):
        status, data = api.post("/v1/admin/kb", {"site_key": key, "id": entry_id,
                                                         "question": question,
                                                         "answer": answer}, token=admin_token)
        assert status == 201, data
    return admin_token


def chosen(api, department):
    """A visitor who answered the pre-chat form: the session again, with the department."""
    v = Visitor(api, locale="en-US")
    v.session = _again(api, v, department)
    v.token = v.session["token"]
    return v


def _again(api, v, department):
    status, data = api.post("/v1/visitor/sessions", {"site_key": "demo",
                                                     "attributes": {"department": department}},
                            token=v.token)
    assert status == 200, data
    assert data["conversation_id"] == v.cid
    return data


def test_the_admin_api_keeps_and_lists_departments(api, deps, departed):
    status, data = api.get("/v1/admin/sites/demo", token=departed)
    assert data["site"]["settings"]["departments"] == [
        SALES, {"id": "support", "name": {"en": "Support"}, "team": None}]
    status, data = api.get("/v1/admin/sites", token=departed)
    listed = {s["site_key"]: s for s in data["sites"]}["demo"]
    assert listed["departments"] == [{"id": "sales", "name": SALES["name"]},
                                     {"id": "support", "name": {"en": "Support"}}]


@pytest.mark.parametrize("departments, code", [
    ([SALES, SALES], "duplicate_department"),
    ([{"id": "x", "name": {"en": " "}}], "missing_name"),
    ([{"id": "x", "name": {"en": "X"}, "team": "no-such-team"}], "unknown_team"),
    ([{"id": "Bad Id", "name": {"en": "X"}}], "invalid_format"),
    ([{"id": "x", "name": {"en": "X" * 61}}], "too_long"),
])
def test_invalid_departments_are_refused_and_nothing_is_written(api, deps, departed,
                                                                departments, code):
    status, data = api.request("PUT", "/v1/admin/sites/demo", {"departments": departments},
                           token=departed)
    assert status == 400 and data["error"]["code"] == code, data
    assert "departments" in data["error"]["details"]["field"]
    status, data = api.get("/v1/admin/sites/demo", token=departed)
    assert [d["id"] for d in data["site"]["settings"]["departments"]] == ["sales", "support"]


def test_the_widget_config_asks_for_the_department_first(api, deps, departed):
    status, cfg = api.get("/v1/visitor/sites/demo")
    assert status == 200, cfg
    field = cfg["prechat_form"]["fields"][0]
    assert field["key"] == "department" and field["type"] == "select" and field["required"]
    assert field["options"] == [{"value": "sales", "label": {"en": "Sales", "zh": "销售"}},
                                {"value": "support",
                                 "label": {"en": "Support", "zh": "Support"}}]
    assert field["label"] == {"en": "Department", "zh": "咨询部门"}


def test_the_chosen_departments_bot_answers_with_the_inherited_entries(api, deps, departed):
    sales = chosen(api, "sales")
    conv = deps.conversations.get(sales.cid)
    assert conv["attrs"]["department"] == "sales" and conv["team"] == "sales-team"
    assert conv["attrs"]["department_name"] == SALES["name"]      # what the console shows
    sales.say("Do you give volume discounts?", deps)
    assert extra(sales.last_bot())["entry_id"] == "volume"
    sales.say("What are your opening hours?", deps)        # the site's entry, inherited
    assert extra(sales.last_bot())["entry_id"] == "hours"
    sales.say("How do I reset my password?", deps)        # another department's: not known
    assert extra(sales.last_bot())["entry_id"] != "reset"

    plain = Visitor(api, locale="en-US")                   # no department: the site's bot
    plain.say("Do you give volume discounts?", deps)
    assert extra(plain.last_bot())["entry_id"] != "volume"
    support = chosen(api, "support")                       # no team of its own: the site's
    assert deps.conversations.get(support.cid).get("team") is None


def test_a_departments_misses_go_to_its_own_learning_queue(api, deps, departed):
    sales = chosen(api, "sales")
    sales.say("zebra migration patterns of the serengeti", deps)
    status, sales_props = api.get("/v1/admin/kb/proposals?site_key=demo%2Fsales",
                                  token=departed)
    status, site_props = api.get("/v1/admin/kb/proposals?site_key=demo", token=departed)
    assert sales_props["misses"] == 1 and site_props["misses"] == 0


def test_a_handoff_of_a_department_goes_to_its_team(api, deps, departed):
    sales = chosen(api, "sales")
    sales.say("hello", deps)
    status, data = api.post(f"/v1/visitor/conversations/{sales.cid}/handoff", {},
                            token=sales.token)
    assert status == 200, data
    conv = deps.conversations.get(sales.cid, consistent=True)
    assert conv["status"] == "queued" and conv["queue_key"] == policy.queue_key("sales-team")


def test_an_unknown_department_is_refused_and_nothing_is_written(api, deps, departed):
    v = Visitor(api, locale="en-US")
    status, data = api.post("/v1/visitor/sessions", {"site_key": "demo",
                                                     "attributes": {"department": "nope"}},
                            token=v.token)
    assert status == 400 and data["error"]["code"] == "unknown_department", data
    assert data["error"]["details"]["field"] == "attributes.department"
    conv = deps.conversations.get(v.cid)
    assert "department" not in conv["attrs"] and conv.get("team") is None
    assert "department" not in (deps.visitors.get(v.session["visitor_id"])
                                .get("attributes") or {})


def test_a_choice_after_a_person_took_the_chat_waits_for_the_next_one(api, deps, departed):
    v = Visitor(api, locale="en-US")
    status, data = api.post(f"/v1/visitor/conversations/{v.cid}/handoff", {}, token=v.token)
    assert status == 200, data
    _again(api, v, "sales")
    conv = deps.conversations.get(v.cid, consistent=True)
    assert conv["status"] == "queued" and "department" not in conv["attrs"]


def test_kb_admin_api_takes_a_departments_key_and_refuses_an_unknown_one(api, deps, departed):
    status, data = api.get("/v1/admin/kb?site_key=demo%2Fsales", token=departed)
    assert status == 200 and [e["id"] for e in data["entries"]] == ["volume"], data
    status, data = api.get("/v1/admin/kb?site_key=demo%2Fnope", token=departed)
    assert status == 404 and data["error"]["code"] == "unknown_department", data
    status, data = api.get("/v1/admin/kb?site_key=demo%2FBad", token=departed)
    assert status == 400 and data["error"]["code"] == "invalid_format", data


def test_a_departments_warm_bot_reads_its_three_versions_in_one_request(api, deps, departed):
    bot_service.load_bot(deps, "demo/sales")
    with AwsCallCounter(deps) as counter:
        bot, key = bot_service.load_bot(deps, "demo/sales")
    assert counter.calls == ["dynamodb:BatchGetItem"], counter.calls
    assert key.startswith("demo/sales:")
    assert bot.matcher.match("Do you give volume discounts?").best.id == "volume"


def test_a_departments_csv_export_is_named_without_a_slash(api, deps, departed):
    resp = api.client.http.get("/v1/admin/kb/export?site_key=demo%2Fsales",
                               headers={"Authorization": f"Bearer {departed}"})
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="kb-demo-sales.csv"'
    assert "Do you give volume discounts?" in resp.body.decode()

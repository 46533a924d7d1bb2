"""The admin API (/v1/admin/...) on moto: roles, validation that writes nothing, CRUD."""
import boto3
import pytest

from chalicelib.adapters import models
from chalicelib.services import agents
from tests.helpers.api import Api


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


def _make(deps, email, role):
    return agents.create_agent(deps, {"email": email, "name": role.title(), "password":
                                      "password1", "role": role})


@pytest.fixture
def tokens(api, deps):
    out = {}
    for role in ("admin", "supervisor", "agent"):
        a = _make(deps, f"{role}@example.com", role)
        out[role] = api.agent_login(a["email"], "password1")["token"]
        out[role + "_id"] = a["agent_id"]
    return out


def call(api, method, path, body=None, token=None):
    return api.request(method, path, body=body, token=token)


def directory_items():
    ddb = boto3.client("dynamodb")
    items = []
    for kind in ("team", "canned", "site"):
        items += ddb.query(TableName=models.DirectoryItem.Meta.table_name,
                           KeyConditionExpression="#k = :k",
                           ExpressionAttributeNames={"#k": "kind"},
                           ExpressionAttributeValues={":k": {"S": kind}})["Items"]
    return items


ADMIN_ROUTES = [
    ("GET", "/v1/admin/agents", None),
    ("POST", "/v1/admin/agents", {"email": "x@example.com", "name": "X", "password": "password1"}),
    ("PATCH", "/v1/admin/agents/a_1", {"name": "Y"}),
    ("GET", "/v1/admin/teams", None),
    ("POST", "/v1/admin/teams", {"id": "sales", "name": "Sales"}),
    ("PATCH", "/v1/admin/teams/sales", {"name": "S"}),
    ("DELETE", "/v1/admin/teams/sales", None),
    ("GET", "/v1/admin/canned", None),
    ("POST", "/v1/admin/canned", {"shortcut": "/hi", "text": "Hello"}),
    ("PATCH", "/v1/admin/canned/hi", {"text": "x"}),
    ("DELETE", "/v1/admin/canned/hi", None),
    ("GET", "/v1/admin/sites", None),
    ("POST", "/v1/admin/sites", {"site_key": "shop", "name": "Shop"}),
    ("GET", "/v1/admin/sites/demo", None),
    ("PUT", "/v1/admin/sites/demo", {"color": "#000000"}),
]


def test_roles_are_enforced(api, tokens):
    visitor = api.visitor_session()
    before = directory_items()
    for method, path, body in ADMIN_ROUTES:
        for role in ("agent", "supervisor"):
            status, data = call(api, method, path, body, tokens[role])
            assert status == 403, (role, method, path, data)
            assert data["error"]["code"] == "forbidden"
        status, data = call(api, method, path, body, visitor["token"])
        assert status == 401, (method, path, data)
        status, data = call(api, method, path, body, None)
        assert status == 401, (method, path, data)
    assert directory_items() == before
    # canned responses are readable by every agent, not by visitors
    for role in ("agent", "supervisor", "admin"):
        assert call(api, "GET", "/v1/agent/canned", None, tokens[role])[0] == 200
    assert call(api, "GET", "/v1/agent/canned", None, visitor["token"])[0] == 401


def test_a_demoted_admin_loses_access_at_once(api, tokens, deps):
    other = _make(deps, "admin2@example.com", "admin")
    token = api.agent_login("admin2@example.com", "password1")["token"]
    assert call(api, "GET", "/v1/admin/agents", None, token)[0] == 200
    status, _ = call(api, "PATCH", f"/v1/admin/agents/{other['agent_id']}", {"role": "agent"},
                     tokens["admin"])
    assert status == 200
    status, data = call(api, "GET", "/v1/admin/agents", None, token)
    assert status == 403, data


def test_agents_crud(api, tokens, deps):
    T = tokens["admin"]
    assert call(api, "POST", "/v1/admin/teams", {"id": "sales", "name": "Sales"}, T)[0] == 201
    status, data = call(api, "POST", "/v1/admin/agents",
                        {"email": "New@Example.com", "name": "New", "password": "password1",
                         "role": "supervisor", "capacity": 3, "teams": ["sales"]}, T)
    assert status == 201, data
    new = data["agent"]
    assert new["email"] == "new@example.com" and new["teams"] == ["sales"]
    assert "password_hash" not in new
    listed = call(api, "GET", "/v1/admin/agents", None, T)[1]["agents"]
    assert new["agent_id"] in [a["agent_id"] for a in listed]
    assert all("password_hash" not in a for a in listed)
    # the new agent can sign in; then is disabled and cannot
    assert api.agent_login("new@example.com", "password1")["agent"]["role"] == "supervisor"
    status, data = call(api, "PATCH", f"/v1/admin/agents/{new['agent_id']}",
                        {"capacity": 0, "disabled": True, "name": "Renamed", "teams": []}, T)
    assert status == 200, data
    assert data["agent"]["capacity"] == 0 and data["agent"]["disabled"] is True
    assert data["agent"]["name"] == "Renamed" and not data["agent"]["teams"]
    status, data = api.post("/v1/agent/login", {"email": "new@example.com",
                                                "password": "password1"})
    assert status == 403 and data["error"]["code"] == "account_disabled"
    # password change
    call(api, "PATCH", f"/v1/admin/agents/{new['agent_id']}",
         {"disabled": False, "password": "another-pass"}, T)
    assert api.agent_login("new@example.com", "another-pass")["token"]
    # duplicate email
    status, data = call(api, "POST", "/v1/admin/agents",
                        {"email": "new@example.com", "name": "Dup", "password": "password1"}, T)
    assert status == 409 and data["error"]["code"] == "email_taken"
    # unknown agent
    assert call(api, "PATCH", "/v1/admin/agents/a_nope", {"name": "x"}, T)[0] == 404


def test_on_agent_changed_is_called_for_capacity_changes(api, tokens, deps, monkeypatch):
    from chalicelib.services import presence
    calls = []
    monkeypatch.setattr(presence, "on_agent_changed", lambda d, aid: calls.append(aid))
    aid = tokens["agent_id"]
    call(api, "PATCH", f"/v1/admin/agents/{aid}", {"name": "Only a name"}, tokens["admin"])
    assert calls == []
    call(api, "PATCH", f"/v1/admin/agents/{aid}", {"capacity": 7}, tokens["admin"])
    assert calls == [aid]


@pytest.mark.parametrize("body,code", [
    ({"email": "bad", "name": "X", "password": "password1"}, "invalid_format"),
    ({"email": "x@example.com", "name": "X", "password": "short"}, "too_short"),
    ({"email": "x@example.com", "name": "X", "password": "password1", "role": "root"},
     "invalid_value"),
    ({"email": "x@example.com", "name": "X", "password": "password1", "capacity": 101},
     "out_of_range"),
    ({"email": "x@example.com", "name": "X", "password": "password1", "teams": ["nope"]},
     "unknown_team"),
    ({"email": "x@example.com", "name": "X", "password": "password1", "admin": True},
     "unknown_field"),
    ({"email": "x@example.com", "name": 5, "password": "password1"}, "invalid_type"),
])
def test_agent_validation_writes_nothing(api, tokens, body, code):
    T = tokens["admin"]
    before = call(api, "GET", "/v1/admin/agents", None, T)[1]["agents"]
    status, data = call(api, "POST", "/v1/admin/agents", body, T)
    assert status == 400 and data["error"]["code"] == code, data
    assert call(api, "GET", "/v1/admin/agents", None, T)[1]["agents"] == before
    status, data = api.post("/v1/agent/login", {"email": "x@example.com", "password": "password1"})
    assert status == 401


@pytest.mark.parametrize("body,code", [
    ({"capacity": -1}, "out_of_range"), ({"capacity": "5"}, "invalid_type"),
    ({"role": "owner"}, "invalid_value"), ({"disabled": "yes"}, "invalid_type"),
    ({"teams": ["Not A Slug"]}, "invalid_format"), ({"email": "e@x.com"}, "unknown_field"),
    ({}, "empty_update"),
])
def test_agent_patch_validation_writes_nothing(api, tokens, deps, body, code):
    aid = tokens["agent_id"]
    before = deps.agents.get(aid)
    status, data = call(api, "PATCH", f"/v1/admin/agents/{aid}", body, tokens["admin"])
    assert status == 400 and data["error"]["code"] == code, data
    assert deps.agents.get(aid) == before


def test_admin_cannot_lock_themselves_out(api, tokens):
    status, data = call(api, "PATCH", f"/v1/admin/agents/{tokens['admin_id']}",
                        {"disabled": True}, tokens["admin"])
    assert status == 400 and data["error"]["code"] == "self_lockout"


def test_teams_crud_and_validation(api, tokens):
    T = tokens["admin"]
    for body, code in [({"id": "Bad Id", "name": "x"}, "invalid_format"),
                       ({"id": "sales"}, "missing_field"),
                       ({"id": "sales", "name": "S", "manual_assign": "no"}, "invalid_type"),
                       ({"id": "sales", "name": "S", "extra": 1}, "unknown_field"),
                       ({"id": "sales", "name": "x" * 101}, "too_long")]:
        status, data = call(api, "POST", "/v1/admin/teams", body, T)
        assert status == 400 and data["error"]["code"] == code, (body, data)
    assert directory_items() == [i for i in directory_items() if i["kind"]["S"] == "site"]
    status, data = call(api, "POST", "/v1/admin/teams", {"id": "sales", "name": "Sales"}, T)
    assert status == 201 and data["team"] == {"id": "sales", "name": "Sales",
                                              "manual_assign": False,
                                              "updated_at": data["team"]["updated_at"]}
    assert call(api, "POST", "/v1/admin/teams", {"id": "sales", "name": "Again"}, T)[0] == 409
    status, data = call(api, "PATCH", "/v1/admin/teams/sales", {"manual_assign": True}, T)
    assert status == 200 and data["team"]["manual_assign"] is True
    assert data["team"]["name"] == "Sales"
    assert call(api, "PATCH", "/v1/admin/teams/sales", {"name": ""}, T)[0] == 400
    assert call(api, "PATCH", "/v1/admin/teams/nope", {"name": "x"}, T)[0] == 404
    teams = call(api, "GET", "/v1/admin/teams", None, T)[1]["teams"]
    assert [t["id"] for t in teams] == ["sales"]
    assert call(api, "DELETE", "/v1/admin/teams/sales", None, T)[0] == 200
    assert call(api, "DELETE", "/v1/admin/teams/sales", None, T)[0] == 404
    assert call(api, "GET", "/v1/admin/teams", None, T)[1]["teams"] == []


def test_canned_crud_and_validation(api, tokens):
    T = tokens["admin"]
    for body, code in [({"shortcut": "hello", "text": "x"}, "invalid_format"),
                       ({"shortcut": "/", "text": "x"}, "too_short"),
                       ({"shortcut": "/" + "a" * 30, "text": "x"}, "too_long"),
                       ({"shortcut": "/hi", "text": "x" * 2001}, "too_long"),
                       ({"shortcut": "/hi", "text": ""}, "empty"),
                       ({"shortcut": "/hi there", "text": "x"}, "invalid_format")]:
        status, data = call(api, "POST", "/v1/admin/canned", body, T)
        assert status == 400 and data["error"]["code"] == code, (body, data)
    assert call(api, "GET", "/v1/admin/canned", None, T)[1]["canned"] == []
    status, data = call(api, "POST", "/v1/admin/canned",
                        {"shortcut": "/hello", "text": "Hello! <b>How</b> can I help?"}, T)
    assert status == 201, data
    cid = data["canned"]["id"]
    status, data = call(api, "POST", "/v1/admin/canned", {"shortcut": "/HELLO", "text": "x"}, T)
    assert status == 409 and data["error"]["code"] == "shortcut_taken"
    call(api, "POST", "/v1/admin/canned", {"shortcut": "/bye", "text": "Bye"}, T)
    status, data = call(api, "PATCH", f"/v1/admin/canned/{cid}", {"text": "Hi again"}, T)
    assert status == 200 and data["canned"]["text"] == "Hi again"
    # renaming to a taken shortcut changes nothing
    status, data = call(api, "PATCH", f"/v1/admin/canned/{cid}", {"shortcut": "/bye"}, T)
    assert status == 409
    status, data = call(api, "PATCH", f"/v1/admin/canned/{cid}", {"shortcut": "/hey"}, T)
    assert status == 200 and data["canned"]["shortcut"] == "/hey"
    listed = call(api, "GET", "/v1/agent/canned", None, tokens["agent"])[1]["canned"]
    assert [(c["shortcut"], c["text"]) for c in listed] == [("/bye", "Bye"),
                                                             ("/hey", "Hi again")]
    assert call(api, "DELETE", f"/v1/admin/canned/{data['canned']['id']}", None, T)[0] == 200
    assert len(call(api, "GET", "/v1/admin/canned", None, T)[1]["canned"]) == 1


HOURS = {"tz": "Asia/Shanghai", "days": {"mon": [["09:00", "18:00"]],
                                         "sat": [["10:00", "12:00"], ["13:00", "16:00"]]}}


def test_sites_round_trip(api, tokens, deps):
    T = tokens["admin"]
    listed = call(api, "GET", "/v1/admin/sites", None, T)[1]["sites"]
    assert [s["site_key"] for s in listed] == ["demo"]
    status, data = call(api, "GET", "/v1/admin/sites/demo", None, T)
    assert status == 200
    site = data["site"]
    # the identity secret is read through its own audited route, not with the settings
    assert "identity_secret" not in site and site["settings"]["color"] == "#2563eb"
    assert site["snippet"].startswith('<script async src="')
    assert site["snippet"].endswith('parley.js" data-site-key="demo"></script>')
    body = {"name": "Demo shop", "greeting": {"en": "Hello", "zh": "你好"}, "color": "#112233",
            "position": "left", "locale": "zh", "bot_enabled": False,
            "prechat_fields": [{"name": "order", "label": "Order number", "type": "text",
                                "required": True},
                               {"name": "email", "label": "Email", "type": "email"}],
            "business_hours": HOURS, "max_wait_seconds": 120, "idle_close_minutes": 30}
    status, data = call(api, "PUT", "/v1/admin/sites/demo", body, T)
    assert status == 200, data
    s = data["site"]["settings"]
    assert s["color"] == "#112233" and s["business_hours"] == HOURS
    assert s["prechat_fields"][1]["required"] is False
    assert data["site"]["name"] == "Demo shop"
    public = api.get("/v1/visitor/sites/demo")[1]
    assert public["color"] == "#112233" and public["position"] == "left"
    assert public["greeting"]["zh"] == "你好"
    # null business hours = always open; unknown team refused; a real team accepted
    assert call(api, "PUT", "/v1/admin/sites/demo", {"business_hours": None}, T)[1][
        "site"]["settings"]["business_hours"] is None
    assert call(api, "PUT", "/v1/admin/sites/demo", {"team": "nope"}, T)[0] == 400
    call(api, "POST", "/v1/admin/teams", {"id": "support", "name": "Support"}, T)
    assert call(api, "PUT", "/v1/admin/sites/demo", {"team": "support"}, T)[1][
        "site"]["settings"]["team"] == "support"
    assert call(api, "GET", "/v1/admin/sites/nope", None, T)[0] == 404
    assert call(api, "PUT", "/v1/admin/sites/nope", {"color": "#000000"}, T)[0] == 404
    # create
    status, data = call(api, "POST", "/v1/admin/sites",
                        {"site_key": "shop", "name": "Shop",
                         "settings": {"color": "#00ff00"}}, T)
    assert status == 201, data
    assert data["site"]["settings"]["color"] == "#00ff00"
    assert call(api, "POST", "/v1/admin/sites", {"site_key": "shop", "name": "x"}, T)[0] == 409
    keys = [s["site_key"] for s in call(api, "GET", "/v1/admin/sites", None, T)[1]["sites"]]
    assert sorted(keys) == ["demo", "shop"]
    assert api.visitor_session("shop")["token"]


@pytest.mark.parametrize("body,code", [
    ({"color": "blue"}, "invalid_format"),
    ({"color": "#12345g"}, "invalid_format"),
    ({"position": "top"}, "invalid_value"),
    ({"greeting": {"fr": "Salut"}}, "unknown_field"),
    ({"greeting": {"en": "x" * 501}}, "too_long"),
    ({"prechat_fields": [{"name": "a", "label": "A", "type": "date"}]}, "invalid_value"),
    ({"prechat_fields": [{"name": "a", "label": "A", "type": "text"}] * 2}, "duplicate_field"),
    ({"prechat_fields": [{"name": "a", "label": "A", "type": "text"}] * 11}, "too_many_items"),
    ({"business_hours": {"tz": "Mars/Olympus", "days": {}}}, "invalid_timezone"),
    ({"business_hours": {"tz": "UTC", "days": {"funday": []}}}, "unknown_field"),
    ({"business_hours": {"tz": "UTC", "days": {"mon": [["18:00", "09:00"]]}}}, "invalid_hours"),
    ({"business_hours": {"tz": "UTC", "days": {"mon": [["9am", "5pm"]]}}}, "invalid_format"),
    ({"business_hours": {"tz": "UTC", "days": {"mon": [["09:00"]]}}}, "invalid_hours"),
    ({"business_hours": {"tz": "UTC", "days": {"mon": [["09:00", "13:00"],
                                                       ["12:00", "18:00"]]}}}, "invalid_hours"),
    ({"max_wait_seconds": -5}, "out_of_range"),
    ({"idle_close_minutes": 0}, "out_of_range"),
    ({"bot_enabled": 1}, "invalid_type"),
    ({"identity_secret": "mine"}, "unknown_field"),
])
def test_site_validation_writes_nothing(api, tokens, deps, body, code):
    before = deps.sites.get("demo")
    status, data = call(api, "PUT", "/v1/admin/sites/demo", body, tokens["admin"])
    assert status == 400 and data["error"]["code"] == code, data
    assert deps.sites.get("demo") == before


def test_bad_json_and_unknown_ids(api, tokens):
    T = tokens["admin"]
    status, data = api.request("POST", "/v1/admin/teams", raw="{not json", token=T)
    assert status == 400 and data["error"]["code"] == "invalid_json"
    status, data = api.request("POST", "/v1/admin/teams", raw="[1, 2]", token=T)
    assert status == 400 and data["error"]["code"] == "invalid_body"
    assert call(api, "DELETE", "/v1/admin/canned/nope", None, T)[0] == 404
    assert call(api, "DELETE", "/v1/admin/teams/" + "x" * 80, None, T)[0] == 404

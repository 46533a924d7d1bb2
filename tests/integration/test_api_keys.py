"""API keys on moto: created by admins (shown once, stored hashed), used as
`Authorization: Bearer pk_live_...` within their scope, attributed in the audit log, revoked."""
import pytest

import app as app_module
from chalicelib.domain import webhooks as rules
from chalicelib.services import agents as agent_svc
from tests.helpers.api import Api


@pytest.fixture
def admin(deps, site):
    agent_svc.create_agent(deps, {"email": "root@example.com", "name": "Root",
                                  "password": "password1", "role": "admin"})
    agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                  "password": "password1"})
    api = Api(app_module.app)
    return api, api.agent_login("root@example.com", "password1")["token"]


def make_key(api, token, scope, name=None):
    body = {"name": name or f"{scope} key", "scope": scope}
    if scope == "channel":          # a channel key belongs to one site
        body["site_key"] = "demo"
    status, data = api.post("/v1/admin/api-keys", body, token)
    assert status == 201, data
    assert data["key"].startswith("pk_live_") and data["api_key"]["scope"] == scope
    return data


def test_keys_are_shown_once_and_stored_hashed(deps, admin):
    api, token = admin
    created = make_key(api, token, "read-only", "BI export")
    key, key_id = created["key"], created["api_key"]["id"]
    status, listed = api.get("/v1/admin/api-keys", token)
    assert status == 200 and [k["id"] for k in listed["api_keys"]] == [key_id]
    assert key not in str(listed)
    stored = deps.integrations.get_key(key_id)
    parsed = rules.parse_api_key(key)
    assert parsed[1] not in str(stored)
    assert stored["data"]["hash"] == rules.key_hash(*parsed)
    # agents who are not admins cannot manage keys
    ann = api.agent_login("ann@example.com", "password1")["token"]
    assert api.get("/v1/admin/api-keys", ann)[0] == 403
    for body, code in (({"name": "x", "scope": "root"}, "invalid_value"),
                       ({"name": "", "scope": "admin"}, "empty"),
                       ({"scope": "admin"}, "missing_field")):
        status, data = api.post("/v1/admin/api-keys", body, token)
        assert status == 400 and data["error"]["code"] == code


def test_scopes_attribution_and_revocation(deps, admin):
    api, token = admin
    read = make_key(api, token, "read-only", "Dashboards")
    full = make_key(api, token, "admin", "Provisioning")
    channel = make_key(api, token, "channel", "App")

    # read-only: GETs of agent and admin routes; no writes, nothing written
    assert api.get("/v1/admin/agents", read["key"])[0] == 200
    assert api.get("/v1/agent/conversations", read["key"])[0] == 200
    reports = "/v1/agent/reports?site=demo&from=2026-11-01&to=2026-11-02"
    assert api.get(reports, read["key"])[0] == 200
    status, data = api.post("/v1/admin/teams", {"id": "vip", "name": "VIP"}, read["key"])
    assert status == 403 and data["error"]["code"] == "key_scope"
    assert api.get("/v1/admin/teams", token)[1]["teams"] == []
    status, data = api.post("/v1/admin/api-keys", {"name": "x", "scope": "admin"}, read["key"])
    assert status == 403
    # channel keys: only the API channel's inbound route
    status, data = api.get("/v1/admin/agents", channel["key"])
    assert status == 403 and data["error"]["code"] == "key_scope"
    # admin keys: admin writes, audited with the key as the actor
    status, data = api.post("/v1/admin/teams", {"id": "vip", "name": "VIP"}, full["key"])
    assert status == 201, data
    status, audit = api.get("/v1/admin/audit?action=team.created", token)
    [entry] = audit["entries"]
    assert entry["actor"]["id"] == f"apikey:{full['api_key']['id']}"
    assert entry["actor"]["name"] == "API key: Provisioning"
    # every call is attributed, and last_used_at is set
    status, audit = api.get("/v1/admin/audit?action=api_key.request", token)
    calls = [(e["actor"]["id"], e["details"]["method"]) for e in audit["entries"]]
    assert (f"apikey:{read['api_key']['id']}", "GET") in calls
    assert (f"apikey:{read['api_key']['id']}", "POST") not in calls    # refused: not a call
    assert deps.integrations.get_key(read["api_key"]["id"])["last_used_at"] is not None

    # revoked: 401 at once; unknown or malformed keys: 401
    status, data = api.request("DELETE", f"/v1/admin/api-keys/{read['api_key']['id']}",
                               None, token)
    assert status == 200 and data["api_key"]["active"] is False
    status, data = api.get("/v1/admin/agents", read["key"])
    assert status == 401 and data["error"]["code"] == "api_key_revoked"
    forged = read["key"][:-4] + "AAAA"
    assert api.get("/v1/admin/agents", full["key"][:-4] + "AAAA")[0] == 401
    assert api.get("/v1/admin/agents", forged)[0] == 401
    assert api.get("/v1/admin/agents", "pk_live_nonsense")[0] == 401
    status, data = api.request("DELETE", "/v1/admin/api-keys/zzzzzzzzzzzz", None, token)
    assert status == 404 and data["error"]["code"] == "api_key_not_found"
    actions = {e["action"] for e in api.get("/v1/admin/audit", token)[1]["entries"]}
    assert {"api_key.created", "api_key.revoked"} <= actions


def test_last_used_is_written_at_most_once_a_minute(deps, admin):
    api, token = admin
    key = make_key(api, token, "read-only")
    key_id = key["api_key"]["id"]
    t0 = deps.clock()
    deps.clock = lambda: t0
    api.get("/v1/admin/agents", key["key"])
    first = deps.integrations.get_key(key_id)["last_used_at"]
    deps.clock = lambda: t0 + 30
    api.get("/v1/admin/agents", key["key"])
    assert deps.integrations.get_key(key_id)["last_used_at"] == first
    deps.clock = lambda: t0 + 61
    api.get("/v1/admin/agents", key["key"])
    assert deps.integrations.get_key(key_id)["last_used_at"] == int((t0 + 61) * 1000)


def test_a_key_on_agent_self_routes_is_a_clear_error_not_a_500(deps, admin):
    api, token = admin
    key = make_key(api, token, "admin")["key"]
    for method, path in (("GET", "/v1/agent/me"), ("POST", "/v1/agent/token"),
                         ("POST", "/v1/agent/logout"), ("POST", "/v1/agent/revoke-sessions")):
        status, data = api.request(method, path, None, key)
        assert status == 401 and data["error"]["code"] == "invalid_token", (path, data)
    # a key never acts as an agent: writes on agent routes are outside every scope
    status, data = api.request("PUT", "/v1/agent/status", {"status": "online"}, key)
    assert status == 403 and data["error"]["code"] == "key_scope"
    assert api.get("/v1/agent/queue", key)[0] == 200


def test_the_key_list_pages(deps, admin):
    from chalicelib.services import api_keys
    api, token = admin
    made = {make_key(api, token, "read-only", f"k{i}")["api_key"]["id"]
            for i in range(api_keys.PAGE + 3)}
    status, first = api.get("/v1/admin/api-keys", token)
    assert status == 200 and len(first["api_keys"]) == api_keys.PAGE and first["cursor"]
    status, rest = api.get(f"/v1/admin/api-keys?cursor={first['cursor']}", token)
    assert status == 200 and rest["cursor"] is None
    seen = [k["id"] for k in first["api_keys"] + rest["api_keys"]]
    assert len(seen) == len(set(seen)) and set(seen) == made
    status, data = api.get("/v1/admin/api-keys?cursor=../../x", token)
    assert status == 400 and data["error"]["code"] == "invalid_cursor"

"""The API channel's inbound route authenticated by an API key of scope `channel` (moto):
the alternative to the HMAC signature. The key's site must be the channel's site; read-only
and admin keys get 403, a revoked key 401, nothing is written on a refusal, and every
accepted call is attributed in the audit log."""
import pytest

import app as app_module
from chalicelib.services import agents as agent_svc
from chalicelib.services import sites
from tests.helpers.api import Api


@pytest.fixture
def admin(deps, site):
    agent_svc.create_agent(deps, {"email": "root@example.com", "name": "Root",
                                  "password": "password1", "role": "admin"})
    api = Api(app_module.app)
    return api, api.agent_login("root@example.com", "password1")["token"]


def _key(api, token, scope, site_key=None, name="App"):
    body = {"name": name, "scope": scope}
    if site_key:
        body["site_key"] = site_key
    status, data = api.post("/v1/admin/api-keys", body, token)
    assert status == 201, data
    return data


def _channel(api, token, site_key="demo"):
    status, data = api.post("/v1/admin/channels",
                            {"kind": "api", "site_key": site_key, "name": "Our app"}, token)
    assert status == 201, data
    return data


def _post(api, channel_id, key, body):
    return api.request("POST", f"/v1/channels/{channel_id}/messages", body, key)


def test_a_channel_key_of_the_site_posts_without_a_signature(deps, admin):
    api, token = admin
    ch = _channel(api, token)
    key = _key(api, token, "channel", "demo")
    assert key["api_key"]["site_key"] == "demo"
    body = {"user": {"id": "cust-7", "name": "Han Mei"}, "text": "Hello from the app",
            "client_message_id": "k-1"}
    status, out = _post(api, ch["id"], key["key"], body)
    assert status == 201 and out["created"] is True, out
    conv = deps.conversations.get(out["conversation_id"], consistent=True)
    assert conv["channel"] == "api" and conv["site_key"] == "demo"
    assert conv["attrs"]["visitor_name"] == "Han Mei"
    # idempotent on client_message_id like the signed path
    status, again = _post(api, ch["id"], key["key"], body)
    assert status == 200 and again["message_id"] == out["message_id"]
    # attributed: an audit entry names the key, the route and the site
    status, audit = api.get("/v1/admin/audit?action=api_key.request", token)
    entries = [e for e in audit["entries"]
               if e["actor"]["id"] == f"apikey:{key['api_key']['id']}"]
    assert len(entries) == 2
    assert entries[0]["details"]["method"] == "POST"
    assert entries[0]["details"]["scope"] == "channel"
    assert entries[0]["site_key"] == "demo"


def test_wrong_scope_wrong_site_and_revoked_keys_are_refused(deps, admin):
    api, token = admin
    sites.create_site(deps, "other", "Other site")
    ch = _channel(api, token)
    other_ch = _channel(api, token, "other")
    read = _key(api, token, "read-only", name="BI")
    full = _key(api, token, "admin", name="Ops")
    other = _key(api, token, "channel", "other", name="Other app")
    mine = _key(api, token, "channel", "demo", name="Our app")
    body = {"user": {"id": "cust-8"}, "text": "hi", "client_message_id": "k-2"}

    for key, code in ((read, "key_scope"), (full, "key_scope"), (other, "key_site")):
        status, data = _post(api, ch["id"], key["key"], body)
        assert (status, data["error"]["code"]) == (403, code), data
    # and the other site's key works on its own site's channel
    status, out = _post(api, other_ch["id"], other["key"], body)
    assert status == 201 and \
        deps.conversations.get(out["conversation_id"], consistent=True)["site_key"] == "other"

    # revoked: 401; a forged key: 401; an unknown channel: 404 before any key check
    api.request("DELETE", f"/v1/admin/api-keys/{mine['api_key']['id']}", None, token)
    status, data = _post(api, ch["id"], mine["key"], body)
    assert (status, data["error"]["code"]) == (401, "api_key_revoked")
    status, data = _post(api, ch["id"], other["key"][:-4] + "AAAA", body)
    assert (status, data["error"]["code"]) == (401, "invalid_api_key")
    status, data = _post(api, "ch_nope", other["key"], body)
    assert (status, data["error"]["code"]) == (404, "channel_not_found")
    # a key still needs a valid body: 400, never a 500
    status, data = _post(api, other_ch["id"], other["key"], {"text": "no user"})
    assert status == 400

    # nothing was written on the demo channel by any refused call
    refused = {f"apikey:{k['api_key']['id']}" for k in (read, full, other, mine)}
    status, audit = api.get("/v1/admin/audit?action=api_key.request", token)
    posted = [e for e in audit["entries"] if e["actor"]["id"] in refused
              and e["site_key"] == "demo"]
    assert posted == []
    assert deps.channels.repo.get(ch["id"]).get("last_message_at") is None


def test_channel_keys_need_a_known_site(deps, admin):
    api, token = admin
    for body, status, code in (
            ({"name": "x", "scope": "channel"}, 400, "site_required"),
            ({"name": "x", "scope": "channel", "site_key": "nope"}, 404, "unknown_site"),
            ({"name": "x", "scope": "channel", "site_key": "bad site!"}, 400, None)):
        got, data = api.post("/v1/admin/api-keys", body, token)
        assert got == status and (code is None or data["error"]["code"] == code), data
    assert api.get("/v1/admin/api-keys", token)[1]["api_keys"] == []

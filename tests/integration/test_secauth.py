"""Sign-in lockout, session revocation, the audit log and sealed identity secrets through the
REST API and the WebSocket handlers, on moto (the real adapters: keys, agents, audit and
sites tables)."""
from __future__ import annotations

import hashlib
import hmac
import json

import boto3
import pytest

from chalicelib.adapters import models
from chalicelib.services import agents, audit
from tests.helpers.api import Api
from tests.infra import iam
from tests.integration.test_queue import conv, make_agent, nobot, visitor_chat  # noqa: F401
from tests.helpers.aws import drain_queues


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def people(api, deps):
    out = {}
    for role in ("admin", "supervisor", "agent"):
        a = agents.create_agent(deps, {"email": f"{role}@example.com", "name": role.title(),
                                       "password": "password1", "role": role})
        out[role] = api.agent_login(a["email"], "password1")["token"]
        out[role + "_id"] = a["agent_id"]
    return out


def err(resp):
    status, data = resp
    return status, (data or {}).get("error", {}).get("code")


def login(api, email="agent@example.com", password="password1"):
    return api.post("/v1/agent/login", {"email": email, "password": password})


# ------------------------------------------------------------------ lockout
def test_lockout_through_the_api_and_counters_in_the_keys_table(api, people):
    answers = [err(login(api, password=f"wrong{i}")) for i in range(6)]
    assert answers[:5] == [(401, "invalid_credentials")] * 5
    assert answers[5] == (429, "too_many_attempts")
    status, data = login(api)
    assert status == 429 and data["error"]["details"]["scope"] == "account"
    assert data["error"]["details"]["retry_after"] > 0
    # other accounts from the same address still sign in
    assert login(api, "admin@example.com")[0] == 200
    keys = boto3.client("dynamodb").get_item(
        TableName=models.Key.Meta.table_name,
        Key={"key": {"S": "login#lock#account#agent@example.com"}})["Item"]
    assert int(keys["value"]["S"]) > 0 and "expires_at" in keys


def test_bad_login_bodies_are_400_and_count_nothing(api, people):
    assert err(api.post("/v1/agent/login", {"email": "agent@example.com"}))[1] == \
        "missing_field"
    for _ in range(6):
        api.post("/v1/agent/login", {"email": "agent@example.com", "password": ""})
    assert login(api)[0] == 200


# ------------------------------------------------------------------ sessions
def test_logout_revokes_that_token_only(api, people):
    other = login(api)[1]["token"]
    token = login(api)[1]["token"]
    assert api.post("/v1/agent/logout", {}, token=token)[0] == 200
    assert err(api.get("/v1/agent/me", token=token)) == (401, "session_revoked")
    assert err(api.post("/v1/agent/token", {}, token=token)) == (401, "session_revoked")
    assert api.get("/v1/agent/me", token=other)[0] == 200


def test_revoke_all_cuts_rest_and_sockets_and_refuses_reconnects(api, people, deps):
    token = people["agent"]
    conn_id, result = api.ws_connect(token, role="agent")
    assert result["statusCode"] == 200
    status, data = api.post("/v1/agent/revoke-sessions", {}, token=token)
    assert status == 200 and data["revoked"]
    assert deps.connections.get(conn_id) is None             # the socket was closed
    assert err(api.get("/v1/agent/me", token=token)) == (401, "session_revoked")
    _, result = api.ws_connect(token, role="agent")
    assert result["statusCode"] == 401
    fresh = login(api)[1]["token"]
    assert api.ws_connect(fresh, role="agent")[1]["statusCode"] == 200


def test_admins_revoke_other_agents_and_password_changes_end_sessions(api, people):
    agent, admin_t = people["agent"], people["admin"]
    path = f"/v1/admin/agents/{people['agent_id']}/revoke-sessions"
    assert err(api.post(path, {}, token=people["supervisor"])) == (403, "forbidden")
    assert err(api.post("/v1/admin/agents/a_nobody/revoke-sessions", {},
                        token=admin_t)) == (404, "agent_not_found")
    assert api.post(path, {}, token=admin_t)[0] == 200
    assert err(api.get("/v1/agent/me", token=agent)) == (401, "session_revoked")
    agent = login(api)[1]["token"]
    assert api.request("PATCH", f"/v1/admin/agents/{people['agent_id']}",
                       {"password": "brand new pass"}, token=admin_t)[0] == 200
    assert err(api.get("/v1/agent/me", token=agent)) == (401, "session_revoked")
    assert login(api, password="brand new pass")[0] == 200


# ------------------------------------------------------------------ the identity secret
def digest(secret, user_id):
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def identify(api, secret, user_id="u-1"):
    return api.post("/v1/visitor/sessions", {"site_key": "demo", "identity": {
        "user_id": user_id, "hash": digest(secret, user_id)}})[0]


def test_identity_secret_is_sealed_revealed_and_rotated_with_two_valid(api, people):
    T = people["admin"]
    base = "/v1/admin/sites/demo/identity-secret"
    old = api.post(base, {}, token=T)[1]["identity_secret"]
    stored = boto3.client("dynamodb").get_item(TableName=models.Site.Meta.table_name,
                                               Key={"site_key": {"S": "demo"}})["Item"]
    assert old not in json.dumps(stored)                        # not stored in clear
    assert stored["identity_secret"]["S"].startswith("sealed:v1:")
    assert identify(api, old) == 200
    assert err(api.post(base + "/finish", {}, token=T)) == (409, "no_rotation")
    status, rotated = api.post(base + "/rotate", {}, token=T)
    assert status == 200 and rotated["rotating"] and rotated["identity_secret"] != old
    new = rotated["identity_secret"]
    assert identify(api, old) == 200 and identify(api, new) == 200   # both, while rotating
    assert err(api.post(base + "/rotate", {}, token=T)) == (409, "rotation_in_progress")
    shown = api.post(base, {}, token=T)[1]
    assert shown["identity_secret"] == new and shown["previous_secret"] == old
    assert api.get("/v1/admin/sites/demo", token=T)[1]["site"]["secret_rotating"] is True
    assert api.post(base + "/finish", {}, token=T)[0] == 200
    assert identify(api, new) == 200 and identify(api, old) == 401   # old one refused now
    assert err(api.post(base, {}, token=people["supervisor"])) == (403, "forbidden")
    assert err(api.post("/v1/admin/sites/nope/identity-secret", {}, token=T)) == \
        (404, "unknown_site")


# ------------------------------------------------------------------ the audit log
def entries(api, token, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    status, data = api.get("/v1/admin/audit" + (f"?{qs}" if qs else ""), token=token)
    assert status == 200, data
    return data


def every_listed_action(api, people, deps):
    """Perform each audited action once through the API, as an admin or a supervisor."""
    T, S = people["admin"], people["supervisor"]
    req = lambda m, p, b=None, t=T: api.request(m, p, b, token=t)  # noqa: E731
    aid = req("POST", "/v1/admin/agents", {"email": "new@example.com", "name": "New",
                                           "password": "password1"})[1]["agent"]["agent_id"]
    ap = f"/v1/admin/agents/{aid}"
    req("PATCH", ap, {"name": "Newer"})
    req("PATCH", ap, {"role": "supervisor"})
    req("PATCH", ap, {"password": "password2"})
    req("PATCH", ap, {"disabled": True})
    req("PATCH", ap, {"disabled": False})
    req("POST", ap + "/revoke-sessions", {})
    assert req("PUT", "/v1/agent/password", {"current_password": "password1",
                                             "new_password": "password3"}, S)[0] == 200
    S = people["supervisor"] = login(api, "supervisor@example.com", "password3")[1]["token"]
    req("POST", "/v1/admin/teams", {"id": "audited", "name": "Audited"})
    req("PATCH", "/v1/admin/teams/audited", {"name": "Sales team"})
    req("DELETE", "/v1/admin/teams/audited")
    req("POST", "/v1/admin/canned", {"shortcut": "/hi", "text": "Hello"})
    req("PATCH", "/v1/admin/canned/hi", {"text": "Hello!"})
    req("DELETE", "/v1/admin/canned/hi")
    req("POST", "/v1/admin/sites", {"site_key": "shop", "name": "Shop"})
    req("PUT", "/v1/admin/sites/shop", {"color": "#112233"})
    req("POST", "/v1/admin/sites/shop/identity-secret", {})
    req("POST", "/v1/admin/sites/shop/identity-secret/rotate", {})
    req("POST", "/v1/admin/sites/shop/identity-secret/finish", {})
    req("POST", "/v1/admin/kb", {"site_key": "demo", "id": "cats", "question": "Cats?",
                                 "answer": "Yes."})
    req("PUT", "/v1/admin/kb/cats?site_key=demo", {"question": "Cats?", "answer": "Yes!"})
    req("DELETE", "/v1/admin/kb/cats?site_key=demo")
    req("POST", "/v1/admin/kb/import", {"site_key": "demo",
                                        "csv": "id,question,similar,answer\nq1,Q?,,A.\n"})
    assert req("GET", "/v1/admin/kb/export?site_key=demo")[0] == 200
    req("PUT", "/v1/admin/kb/synonyms?site_key=demo", {"groups": [["cat", "kitty"]]})
    req("PUT", "/v1/admin/kb/flows?site_key=demo", {"flows": []})
    # webhooks and API keys (docs/webhooks.md); the ping goes to a closed loopback port
    hook = req("POST", "/v1/admin/webhooks", {"site_key": "demo", "url": "http://127.0.0.1:9/in",
                                              "events": ["message.created"]})[1]["webhook"]
    hp = f"/v1/admin/webhooks/{hook['id']}"
    req("PATCH", hp, {"description": "CRM"})
    req("POST", hp + "/rotate-secret", {})
    ping = req("POST", hp + "/test", {})[1]
    assert ping["ok"] is False
    assert req("POST", f"{hp}/deliveries/{ping['delivery_id']}/redeliver", {})[0] == 202
    from chalicelib.services import webhook_delivery
    webhook_delivery.disable(deps, deps.integrations.get_endpoint(hook["id"]),
                             "sustained_failure", 0)      # as after 24 h of failures
    req("DELETE", hp)
    key = req("POST", "/v1/admin/api-keys", {"name": "CI", "scope": "read-only"})[1]
    assert req("GET", "/v1/admin/agents", None, key["key"])[0] == 200
    req("DELETE", f"/v1/admin/api-keys/{key['api_key']['id']}")
    # a supervisor steps into Ann's chat, then reassigns it to Bob
    ann = make_agent(deps, "Ann")
    s, _ = visitor_chat(deps)
    drain_queues(deps)
    cid = s["conversation_id"]
    assert conv(deps, cid)["agent_id"] == ann.id
    bob = make_agent(deps, "Bob")
    assert req("POST", f"/v1/agent/conversations/{cid}/join", {}, S)[0] == 200
    assert req("POST", f"/v1/agent/conversations/{cid}/reassign", {"agent_id": bob.id},
               S)[0] == 200
    # live supervision: a live view, a whisper to Bob, then the supervisor takes over
    assert req("POST", f"/v1/agent/conversations/{cid}/watch", {}, S)[0] == 200
    assert req("POST", f"/v1/agent/conversations/{cid}/whisper",
               {"client_message_id": "w1", "text": "Offer the refund"}, S)[0] == 201
    assert req("PUT", "/v1/agent/status", {"status": "online"}, S)[0] == 200
    assert req("POST", f"/v1/agent/conversations/{cid}/barge-in", {}, S)[0] == 200
    assert req("PUT", "/v1/agent/qa-review/rubrics/_default", {"criteria": [
        {"id": "tone", "label": {"en": "Tone", "zh": "语气"}, "weight": 1}]})[0] == 200
    # channels, tickets and contacts: their admin actions, through their services as the admin
    from chalicelib.domain.actors import Actor
    from chalicelib.services import channel_admin
    from chalicelib.services.contacts import links, merging, privacy, records, transfer
    from chalicelib.services.tickets import admin as ticket_admin
    root = Actor(kind="agent", id=people["admin_id"], role="admin", name="Admin")
    ch = channel_admin.create_channel(deps, root, {"site_key": "demo", "kind": "api",
                                                   "name": "CRM"})
    channel_admin.update_channel(deps, root, ch["id"], {"name": "CRM 2"})
    channel_admin.rotate_secret(deps, root, ch["id"])
    channel_admin.delete_channel(deps, root, ch["id"])
    ticket_admin.put_fields(deps, root, "demo", {"fields": []})
    ticket_admin.put_sla(deps, root, "demo", ticket_admin.get_settings(deps, "demo")["sla"])
    records.set_field_defs(deps, root, "demo", {"fields": []})
    transfer.import_csv(deps, root, {"site_key": "demo",
                                     "csv": "name,emails\nZed,zed@example.com\n"})
    transfer.export_csv(deps, root, "demo")
    a = links.link(deps, "demo", "v_audit_a", name="Ann", email="ann.audit@example.com")
    b = links.link(deps, "demo", "v_audit_b", name="Annie")
    merging.merge(deps, root, a["contact_id"], {"from_contact_id": b["contact_id"]})
    privacy.export(deps, root, a["contact_id"])
    privacy.erase(deps, root, a["contact_id"])
    from chalicelib.services.contacts import forms
    form = forms.create(deps, root, "demo", {"name": "Audit", "kind": "inchat", "fields": [
        {"key": "who", "label": {"en": "Name", "zh": "姓名"}, "type": "text",
         "maps_to": "name"}]})
    forms.delete(deps, root, "demo", form["form"]["form_id"])
    return aid, cid


def test_the_audit_log_records_each_listed_action(api, people, deps, nobot):
    aid, cid = every_listed_action(api, people, deps)
    data = entries(api, people["admin"], limit=200)
    got = {e["action"] for e in data["entries"]}
    assert got == set(audit.ACTIONS), sorted(set(audit.ACTIONS) - got)
    assert data["actions"] == list(audit.ACTIONS)
    by_action = {e["action"]: e for e in data["entries"]}
    role = by_action["agent.role_changed"]
    assert role["actor"]["id"] == people["admin_id"] and role["target"] == \
        {"type": "agent", "id": aid}
    assert role["details"] == {"from": "agent", "to": "supervisor"}
    assert role["source_ip"] == "127.0.0.1"                  # from the request context
    assert by_action["conversation.reassigned"]["actor"]["id"] == people["supervisor_id"]
    assert by_action["conversation.joined"]["target"]["id"] == cid
    # nothing secret is recorded
    text = json.dumps(data["entries"])
    assert "password2" not in text and "secret\":" not in text
    ats = [e["at"] for e in data["entries"]]
    assert ats == sorted(ats, reverse=True)


def test_audit_pages_filters_and_refusals(api, people, deps):
    T = people["admin"]
    for i in range(5):
        api.request("POST", "/v1/admin/teams", {"id": f"t{i}", "name": f"T{i}"}, token=T)
    seen, cursor = [], None
    while True:
        data = entries(api, T, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [e["target"]["id"] for e in data["entries"]]
        cursor = data.get("next_cursor")
        if not cursor:
            break
    assert seen == ["t4", "t3", "t2", "t1", "t0"]
    assert [e["action"] for e in entries(api, T, action="team.created")["entries"]] == \
        ["team.created"] * 5
    assert entries(api, T, actor=people["agent_id"])["entries"] == []
    assert err(api.get("/v1/admin/audit?action=nope", token=T)) == (400, "invalid_value")
    assert err(api.get("/v1/admin/audit?from=5&to=1", token=T)) == (400, "invalid_range")
    assert err(api.get("/v1/admin/audit?limit=0", token=T)) == (400, "out_of_range")
    assert err(api.get("/v1/admin/audit?cursor=%%%", token=T)) == (400, "invalid_cursor")
    assert err(api.get("/v1/admin/audit", token=people["supervisor"])) == (403, "forbidden")
    assert err(api.get("/v1/admin/audit")) == (401, "missing_token")


def test_the_audit_table_is_append_only_for_every_function():
    """The functions may put and query audit entries, never change or delete them."""
    from infra import deploy
    config = deploy.load_config()
    for stage in config["stages"]:
        for fn in config["stages"][stage].get("lambda_functions", {}):
            doc = iam.stage_policy(stage, fn)
            arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/parley-{stage}-audit"
            for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem",
                           "dynamodb:BatchWriteItem"):
                assert not iam.allowed(doc, action, arn), (stage, fn, action)
    doc = iam.stage_policy("dev", "api_handler")
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/parley-dev-audit"
    assert iam.allowed(doc, "dynamodb:PutItem", arn) and iam.allowed(doc, "dynamodb:Query", arn)


def test_a_sealing_key_rotation_reseals_site_secrets(api, people, deps, monkeypatch):
    """After the key rotates (new first, old still accepted), reseal-site-secrets moves
    every secret to the new key, so dropping the old key loses nothing."""
    from chalicelib import cli, sealing
    from chalicelib.services import sites
    monkeypatch.setenv("PARLEY_SEALING_KEYS", "key-one-0123456789")
    sites.create_site(deps, "shop", "Shop")
    clear = sites.identity_secrets(deps, deps.sites.get("shop"))[0]
    monkeypatch.setenv("PARLEY_SEALING_KEYS", "key-two-0123456789,key-one-0123456789")
    assert cli.main(["reseal-site-secrets"]) == 0      # "demo" was sealed under another key
    assert deps.sites.get("shop")["identity_secret"].startswith(
        "sealed:v1:" + sealing.key_id("key-two-0123456789") + ":")
    monkeypatch.setenv("PARLEY_SEALING_KEYS", "key-two-0123456789")
    assert sites.identity_secrets(deps, deps.sites.get("shop")) == [clear]
    assert sites.verify_identity(deps, deps.sites.get("shop"), "u-9", digest(clear, "u-9"))


def test_sign_in_and_the_session_check_cost_a_constant_number_of_requests(api, people, deps):
    """Counting is one atomic ADD per subject: the 1st and the 4th failure cost the same;
    an agent request checks the session with the one GetItem that reads the role."""
    from chalicelib.services import sessions, signin
    from tests.helpers.aws import AwsCallCounter

    def cost(fn):
        with AwsCallCounter(deps) as counter:
            try:
                fn()
            except Exception:
                pass
        return counter.calls

    bad = {"email": "agent@example.com", "password": "nope"}
    first = cost(lambda: signin.login(deps, bad, "192.0.2.1"))
    for _ in range(2):
        cost(lambda: signin.login(deps, bad, "192.0.2.1"))
    fourth = cost(lambda: signin.login(deps, bad, "192.0.2.1"))
    assert first == fourth == ["dynamodb:GetItem", "dynamodb:GetItem", "dynamodb:Query",
                               "dynamodb:UpdateItem", "dynamodb:UpdateItem"]
    good = cost(lambda: signin.login(deps, {"email": "agent@example.com",
                                            "password": "password1"}, "192.0.2.1"))
    assert good == ["dynamodb:GetItem", "dynamodb:GetItem", "dynamodb:Query",
                    "dynamodb:DeleteItem"]
    check = cost(lambda: sessions.agent_actor(deps, people["agent"]))
    assert check == ["dynamodb:GetItem"]
    print(f"\nfailed sign-in: {first}\nsuccessful sign-in: {good}\nsession check: {check}")

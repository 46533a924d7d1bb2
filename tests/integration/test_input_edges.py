"""Edge-case input that used to end in a 500: every one is now a 4xx with a stable code and
writes nothing (issue 18). REST through chalice.test.Client on moto, frames through
realtime.handle_frame."""
import json

import pytest

from chalicelib.domain.identity import identity_hash
from chalicelib.services import agents, realtime
from tests.helpers.api import Api

DEEP = "[" * 20000
SURROGATE = '{"site_key": "demo", "name": "\\ud800"}'


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def admin(api, deps):
    agents.create_agent(deps, {"email": "ad@example.com", "name": "Ad", "password": "password1",
                               "role": "admin"})
    return api.agent_login("ad@example.com", "password1")


def _error(status, data, expect_status, code=None):
    assert status == expect_status, data
    assert isinstance(data["error"]["code"], str) and data["error"]["message"], data
    if code:
        assert data["error"]["code"] == code, data


def test_deeply_nested_json_is_a_400(api):
    status, data = api.post("/v1/visitor/sessions", raw=DEEP)
    _error(status, data, 400, "too_deep")
    status, data = api.post("/v1/visitor/sessions", raw='{"site_key": "demo", "attributes": '
                            + '{"a": ' * 100 + '1' + '}' * 101)
    _error(status, data, 400, "too_deep")


def test_lone_surrogate_is_a_400_and_nothing_is_stored(api, deps):
    status, data = api.post("/v1/visitor/sessions", raw=SURROGATE)
    _error(status, data, 400, "invalid_text")
    s = api.visitor_session()
    status, data = api.post(f"/v1/visitor/conversations/{s['conversation_id']}/messages",
                            raw='{"client_message_id": "m1", "text": "a\\udfffb"}',
                            token=s["token"])
    _error(status, data, 400, "invalid_text")
    assert deps.messages.after(s["conversation_id"], 0) == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_refused(api, deps, literal):
    status, data = api.post("/v1/visitor/sessions",
                            raw='{"site_key": "demo", "attributes": {"n": %s}}' % literal)
    _error(status, data, 400, "invalid_number")


def test_huge_integers_are_refused(api):
    status, data = api.post("/v1/visitor/sessions",
                            raw='{"site_key": "demo", "attributes": {"n": %s}}' % ("9" * 60))
    _error(status, data, 400, "invalid_number")
    status, data = api.post("/v1/visitor/sessions",
                            raw='{"site_key": "demo", "attributes": {"n": %s}}' % ("9" * 5000))
    _error(status, data, 400)


def test_long_passwords_work_beyond_bcrypts_72_bytes(api, admin):
    long_pw = "密码" * 60          # 120 characters, 360 bytes in UTF-8
    status, data = api.post("/v1/admin/agents", {"email": "lp@example.com", "name": "LP",
                                                 "password": long_pw}, token=admin["token"])
    assert status == 201, data
    assert api.post("/v1/agent/login", {"email": "lp@example.com", "password": long_pw})[0] \
        == 200
    # the prefix alone (what bcrypt would see if it truncated) is not the password
    status, data = api.post("/v1/agent/login", {"email": "lp@example.com",
                                                "password": long_pw[:24]})
    _error(status, data, 401, "invalid_credentials")
    status, data = api.post("/v1/agent/login", {"email": "lp@example.com",
                                                "password": "x" * 200})
    _error(status, data, 401, "invalid_credentials")


def test_old_bcrypt_hashes_still_verify():
    import bcrypt

    from chalicelib.security import check_password
    old = bcrypt.hashpw(b"password1", bcrypt.gensalt(4)).decode("ascii")
    assert check_password("password1", old)
    assert not check_password("password2", old)


def test_patch_visitor_with_empty_or_no_body_is_a_400(api, admin, deps):
    s = api.visitor_session(name="Vic")
    for raw in ("{}", ""):
        status, data = api.request("PATCH", f"/v1/agent/visitors/{s['visitor_id']}",
                                   raw=raw, token=admin["token"])
        _error(status, data, 400, "empty_update")
    assert deps.visitors.get(s["visitor_id"])["name"] == "Vic"


def test_non_ascii_identity_hash_is_refused_not_a_500(api, deps):
    deps.sites.update("demo", {"identity_secret": "s3cret"}) if hasattr(
        deps.sites, "update") else None
    status, data = api.post("/v1/visitor/sessions", {
        "site_key": "demo", "identity": {"user_id": "u1", "hash": "é" * 64}})
    assert status in (400, 401), data
    assert data["error"]["code"] in ("invalid_format", "invalid_identity")


def test_identity_hash_comparison_accepts_only_hex():
    from chalicelib.domain.identity import verify_identity
    good = identity_hash("s3cret", "u1")
    assert verify_identity("s3cret", "u1", good.upper())
    assert not verify_identity("s3cret", "u1", "é" * 64)
    assert not verify_identity("s3cret", "u1", "\ud800")


@pytest.mark.parametrize("header", ["Bearer é", "Bearer \udcff\udcfe", "Bearer tök.en.x",
                                    "Bearer " + "a" * 5000])
def test_non_ascii_or_huge_authorization_is_a_401(api, header):
    status, data = api.request("GET", "/v1/agent/me", headers={"Authorization": header})
    _error(status, data, 401)


def test_text_plain_body_is_read_as_json(api):
    """API Gateway passes any content type; the local Chalice refuses unknown ones with
    {"Code": ...}: the app accepts text/plain (what sendBeacon and simple CORS send)."""
    status, data = api.request("POST", "/v1/visitor/sessions",
                               body={"site_key": "demo"},
                               headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert status == 200, data
    status, data = api.request("POST", "/v1/visitor/sessions", raw="<x/>",
                               headers={"Content-Type": "application/xml"})
    _error(status, data, 415, "unsupported_media_type")


# ------------------------------------------------------------------ the same over the socket
@pytest.fixture
def socket(deps, site, api):
    s = api.visitor_session()
    realtime.connect(deps, "conn-edge", {"token": s["token"]})
    return s


@pytest.mark.parametrize("frame, code", [
    (DEEP, "too_deep"),
    ('{"action": "send", "id": "r1", "data": {"client_message_id": "m", "text": "\\ud800"}}',
     "invalid_text"),
    ('{"action": "send", "id": "r1", "data": {"client_message_id": "m", "text": NaN}}',
     "invalid_number"),
    ('{"action": "sync", "id": "r1", "data": {"after": 1e999}}', "invalid_number"),
    ('{"action": "sync", "id": "r1", "data": {"after": %s}}' % ("9" * 50), "invalid_number"),
    ('{"action": "ping", "id": "' + "\ud800" + '"}', "invalid_text"),
])
def test_junk_frames_get_an_error_event_with_a_code(deps, socket, posted, frame, code):
    realtime.handle_frame(deps, "conn-edge", frame)
    errors = posted.events("conn-edge", "error")
    assert [e["code"] for e in errors] == [code], errors
    assert errors[0]["status"] == 400
    assert deps.messages.after(socket["conversation_id"], 0) == []


def _strict_loads(text):
    def refuse(literal):
        raise AssertionError(f"non-standard JSON emitted: {literal}")
    return json.loads(text, parse_constant=refuse)


def test_nothing_emitted_is_non_standard_json():
    from chalicelib.services import delivery
    event = {"type": "x", "n": float("nan"), "m": [float("inf"), 1.5]}
    assert _strict_loads(delivery.encode(event)) == {"type": "x", "n": None, "m": [None, 1.5]}


def test_a_stored_nan_is_answered_as_null(api, deps, admin):
    """Data stored before input was strict (attributes are a JSON attribute) still gives
    standard JSON in every answer."""
    s = api.visitor_session(name="Nan")
    deps.visitors.update(s["visitor_id"], {"attributes": {"n": float("nan")}})
    resp = api.client.http.get(f"/v1/agent/conversations/{s['conversation_id']}",
                               headers={"Authorization": f"Bearer {admin['token']}"})
    assert resp.status_code == 200
    body = _strict_loads(resp.body)
    assert body["visitor"]["attributes"] == {"n": None}

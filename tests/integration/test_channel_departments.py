"""A channel of a department on moto: a WeChat account or an API channel set to a department
sends its users' new chats to that department's bot and team; an unknown department is
refused and nothing is written; null puts the channel back on the site's bot and team."""
import pytest

from chalicelib.domain import departments as depts
from chalicelib.errors import AppError
from chalicelib.services import admin, channel_admin
from chalicelib.services import channels as channel_service
from chalicelib.services import lifecycle
from tests.integration.test_channels import ADMIN, SIGNED, _signed, api  # noqa: F401

URL = "https://widget.example/parley.js"


@pytest.fixture
def returns(deps, site):
    admin.create_team(deps, {"id": "returns-team", "name": "Returns"})
    admin.put_site(deps, "demo", {"departments": [
        {"id": "returns", "name": {"en": "Returns", "zh": "退货"}, "team": "returns-team"},
        {"id": "sales", "name": {"en": "Sales"}}]}, URL)


def refused(call):
    with pytest.raises(AppError) as err:
        call()
    return err.value.status, err.value.code, err.value.details.get("field")


def test_an_unknown_department_is_refused_and_nothing_is_written(deps, returns):
    assert refused(lambda: channel_admin.create_channel(deps, ADMIN, {
        "kind": "api", "site_key": "demo", "name": "App", "department": "nope"})) == \
        (400, "unknown_department", "department")
    assert refused(lambda: channel_admin.create_channel(deps, ADMIN, {
        "kind": "api", "site_key": "demo", "name": "App", "department": "Bad Id!"}))[1] == \
        "invalid_format"
    assert channel_admin.list_channels(deps, "demo")["channels"] == []
    ch = channel_admin.create_channel(deps, ADMIN, {"kind": "api", "site_key": "demo",
                                                    "name": "App"})
    assert ch["department"] is None
    assert refused(lambda: channel_admin.update_channel(
        deps, ADMIN, ch["id"], {"department": "nope"}))[1] == "unknown_department"
    assert channel_admin.get_channel(deps, ch["id"])["department"] is None


def test_an_api_channels_chats_go_to_its_department_until_it_is_unset(deps, returns, api):
    ch = channel_admin.create_channel(deps, ADMIN, {"kind": "api", "site_key": "demo",
                                                    "name": "Returns app",
                                                    "department": "returns"})
    assert ch["department"] == "returns"
    body = {"user": {"id": "cust-7"}, "text": "I want to send it back", "client_message_id": "m1"}
    status, out = _signed(api, ch["id"], ch["signing_secret"], body)
    assert status == 201
    conv = deps.conversations.get(out["conversation_id"], consistent=True)
    assert conv["attrs"]["department"] == "returns" and conv["team"] == "returns-team"
    assert conv["attrs"]["department_name"] == {"en": "Returns", "zh": "退货"}
    assert depts.kb_of(conv) == "demo/returns"          # the department's bot answers it
    # the admin API changes it: null is the site's bot and team again, for the next chat
    status, view = api.request("PATCH", f"/v1/admin/channels/{ch['id']}",
                               body={"department": "sales"}, token=admin_token(api, deps))
    assert status == 200 and view["department"] == "sales"
    channel_admin.update_channel(deps, ADMIN, ch["id"], {"department": None})
    assert "department" not in deps.channels.repo.get(ch["id"])
    lifecycle.close_now(deps, conv, None, "closed")
    status, out = _signed(api, ch["id"], ch["signing_secret"],
                          {**body, "client_message_id": "m2"})
    fresh = deps.conversations.get(out["conversation_id"], consistent=True)
    assert fresh["conversation_id"] != conv["conversation_id"]
    assert "department" not in fresh["attrs"] and fresh.get("team") is None
    assert depts.kb_of(fresh) == "demo"


def test_a_wechat_accounts_chats_go_to_its_department(deps, returns):
    ch = channel_admin.create_channel(deps, ADMIN, {
        "kind": "wechat", "site_key": "demo", "name": "售后公众号", "app_id": SIGNED["app_id"],
        "app_secret": "0123456789abcdef0123456789abcdef", "token": SIGNED["token"],
        "department": "returns"})
    out = channel_service.receive(deps, "demo", deps.channels.repo.get(ch["id"]), "openid-1",
                                  {"text": "退货怎么寄", "client_message_id": "wx:1"})
    conv = deps.conversations.get(out["conversation_id"], consistent=True)
    assert conv["channel"] == "wechat" and conv["attrs"]["department"] == "returns"
    assert conv["team"] == "returns-team"


def test_a_department_removed_from_the_site_falls_back_to_the_site(deps, returns, api):
    ch = channel_admin.create_channel(deps, ADMIN, {"kind": "api", "site_key": "demo",
                                                    "name": "App", "department": "sales"})
    admin.put_site(deps, "demo", {"departments": []}, URL)
    status, out = _signed(api, ch["id"], ch["signing_secret"], {
        "user": {"id": "cust-9"}, "text": "hello", "client_message_id": "m1"})
    conv = deps.conversations.get(out["conversation_id"], consistent=True)
    assert status == 201 and "department" not in conv["attrs"]
    assert depts.kb_of(conv) == "demo"


def admin_token(api, deps):
    from chalicelib.services import agents
    agents.create_agent(deps, {"email": "boss@example.com", "name": "Boss",
                               "password": "password1", "role": "admin"})
    return api.agent_login("boss@example.com", "password1")["token"]

"""Deleting a team on moto: refused (409 team_in_use, nothing deleted) while a site, a
department, another team's overflow, a member or a waiting chat names it; allowed once
none does. Through the service and through the HTTP API."""
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.errors import AppError
from chalicelib.services import admin, agents, lifecycle, sites
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues
from tests.integration.test_queue import make_agent
from tests.integration.test_routing_load import handoff

URL = "https://widget.example/parley.js"


@pytest.fixture
def floor(deps):
    for team in ("sales", "support"):
        admin.create_team(deps, {"id": team, "name": team.title()})
    sites.create_site(deps, "shop", "Shop", {"bot_enabled": False})
    drain_queues(deps)


def refused(deps, team):
    with pytest.raises(AppError) as err:
        admin.delete_team(deps, team)
    assert (err.value.status, err.value.code) == (409, "team_in_use")
    assert deps.directory.get("team", team) is not None          # nothing deleted
    return err.value.details["references"]


def test_each_reference_blocks_the_delete_until_it_is_changed(deps, floor):
    admin.put_site(deps, "shop", {"team": "sales", "teams": ["sales", "support"],
                                  "departments": [{"id": "returns", "name": {"en": "Returns"},
                                                   "team": "sales"}]}, URL)
    admin.update_team(deps, "support", {"overflow": {"after_seconds": 300, "to_team": "sales"}})
    ann = make_agent(deps, "Ann", teams=["sales"], online=False)
    assert refused(deps, "sales") == [
        {"kind": "site", "id": "shop", "field": "team"},
        {"kind": "site", "id": "shop", "field": "teams"},
        {"kind": "site", "id": "shop", "field": "departments", "department": "returns"},
        {"kind": "team", "id": "support", "field": "overflow"},
        {"kind": "agent", "id": ann.id, "name": "Ann"}]

    admin.put_site(deps, "shop", {"team": None, "teams": ["support"],
                                  "departments": [{"id": "returns", "name": {"en": "Returns"}}]},
                   URL)
    admin.update_team(deps, "support", {"overflow": None})
    assert refused(deps, "sales") == [{"kind": "agent", "id": ann.id, "name": "Ann"}]
    admin.update_agent(deps, Actor(kind="agent", id="root", role="admin"), ann.id,
                       {"teams": []})
    assert admin.delete_team(deps, "sales") == {"deleted": "sales"}
    assert deps.directory.get("team", "sales") is None
    # "support" is still the site's pickable team: refused, named by its field
    assert refused(deps, "support") == [{"kind": "site", "id": "shop", "field": "teams"}]


def test_a_chat_waiting_in_the_line_blocks_the_delete(deps, floor):
    admin.put_site(deps, "shop", {"teams": ["support"]}, URL)
    cid, _ = handoff(deps, team="support", site="shop")
    drain_queues(deps)                              # nobody online: it stays in line
    assert refused(deps, "support") == [{"kind": "site", "id": "shop", "field": "teams"},
                                        {"kind": "queue", "count": 1}]
    admin.put_site(deps, "shop", {"teams": []}, URL)
    lifecycle.close_now(deps, deps.conversations.get(cid, consistent=True), None, "closed")
    assert admin.delete_team(deps, "support") == {"deleted": "support"}


def test_the_api_answers_409_with_the_list_and_404_for_no_such_team(deps, floor):
    import app as app_module
    api = Api(app_module.app)
    boss = agents.create_agent(deps, {"email": "boss@example.com", "name": "Boss",
                                     "password": "password1", "role": "admin"})
    token = api.agent_login(boss["email"], "password1")["token"]
    admin.put_site(deps, "shop", {"departments": [
        {"id": "returns", "name": {"en": "Returns"}, "team": "sales"}]}, URL)
    status, body = api.request("DELETE", "/v1/admin/teams/sales", token=token)
    assert status == 409 and body["error"]["code"] == "team_in_use"
    assert body["error"]["details"] == {"count": 1, "references": [
        {"kind": "site", "id": "shop", "field": "departments", "department": "returns"}]}
    assert "department 'returns' of site 'shop'" in body["error"]["message"]
    assert api.request("DELETE", "/v1/admin/teams/nope", token=token)[0] == 404
    assert api.request("DELETE", "/v1/admin/teams/support", token=token)[0] == 200

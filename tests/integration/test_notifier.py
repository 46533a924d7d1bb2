"""Who hears a state change (services/notifier.py, domain/audience.py), on moto: each push is
counted per connection. Three teams with agents in each, a supervisor and an admin."""
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import admin, lifecycle, presence, realtime, routing, sessions, sites
from chalicelib.services import conversations as convs
from chalicelib.errors import AppError, Conflict

TEAMS = ("alpha", "beta", "gamma")


@pytest.fixture
def floor(deps):
    """Agents a1, a2 (alpha), b1 (beta), c1 (gamma), a supervisor and an admin, all online
    with one console socket each (connection id = their name)."""
    for team in TEAMS:
        deps.directory.create("team", team, {"name": team.title()})
    sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False, "teams": list(TEAMS)})
    people = {}
    for name, role, teams in (("a1", "agent", ["alpha"]), ("a2", "agent", ["alpha"]),
                              ("b1", "agent", ["beta"]), ("c1", "agent", ["gamma"]),
                              ("sup", "supervisor", []), ("adm", "admin", [])):
        a = agent_svc.create_agent(deps, {"email": f"{name}@example.com", "name": name.upper(),
                                          "password": "password1", "role": role,
                                          **({"teams": teams} if teams else {})})
        actor = Actor(kind="agent", id=a["agent_id"], role=role, name=name.upper(),
                      teams=tuple(teams))
        presence.set_status(deps, actor, {"status": "online"})
        token = agent_svc.issue_token(deps, deps.agents.get(a["agent_id"]))["token"]
        realtime.connect(deps, name, {"token": token, "role": "agent"})
        people[name] = actor
    return people


def chat(deps, team=None, connection="vis"):
    """A visitor (with a socket) who asked for a human, in `team`'s queue; nothing assigned
    (the assignments queue is not drained)."""
    s = sessions.start_session(deps, {"site_key": "nobot"})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="nobot")
    realtime.connect(deps, connection, {"token": s["token"]})
    routing.visitor_handoff(deps, v, s["conversation_id"], {"team": team} if team else {})
    return s["conversation_id"]


def heard(posted, type_="conversation", cid=None):
    """Connection ids that received at least one push of that type (about `cid`)."""
    out = set()
    for conn, events in posted.posts.items():
        for e in events:
            if e.get("type") != type_:
                continue
            if cid and (e.get("conversation") or {}).get("conversation_id") != cid:
                continue
            out.add(conn)
    return out


def test_a_team_change_reaches_only_that_team_supervisors_and_the_visitor(deps, floor, posted):
    posted.clear()
    cid = chat(deps, "alpha")
    assert heard(posted, cid=cid) == {"a1", "a2", "sup", "adm", "vis"}
    # the visitor gets the visitor view, agents the agent view (with its rev)
    to_visitor = posted.events("vis", "conversation")[-1]["conversation"]
    to_agent = posted.events("a2", "conversation")[-1]["conversation"]
    assert "participants" not in to_visitor and "participants" in to_agent
    assert to_agent["rev"] >= 1 and to_agent["status"] == "queued"

    posted.clear()
    lifecycle.accept(deps, floor["a1"], cid)
    assert heard(posted, cid=cid) == {"a1", "a2", "sup", "adm", "vis"}
    # load: the agent themself and supervisors/admins, nobody else
    assert heard(posted, "agent") == {"a1", "sup", "adm"}
    assert posted.events("a1", "agent")[-1]["agent"]["active_count"] == 1

    posted.clear()
    lifecycle.transfer(deps, floor["a1"], cid, {"agent_id": floor["b1"].id})
    # b1 now holds it, a1 took part in it, it stays alpha's conversation: never gamma
    assert heard(posted, cid=cid) == {"a1", "a2", "b1", "sup", "adm", "vis"}
    assert "c1" not in heard(posted, "agent")

    posted.clear()
    lifecycle.close(deps, floor["b1"], cid)
    assert heard(posted, cid=cid) == {"a1", "a2", "b1", "sup", "adm", "vis"}
    # a push per connection, not per agent in the account table: 1 each
    assert len(posted.events("a2", "conversation")) == 1


def test_a_general_queue_change_reaches_every_agent(deps, floor, posted):
    posted.clear()
    cid = chat(deps)
    assert heard(posted, cid=cid) == {"a1", "a2", "b1", "c1", "sup", "adm", "vis"}


def test_the_transfer_target_hears_its_new_load(deps, floor, posted):
    """The console's load counter follows a transfer without a reload: the agent who gets the
    chat is told their load, as is the one who handed it over."""
    cid = chat(deps, "alpha")
    lifecycle.accept(deps, floor["a1"], cid)
    posted.clear()
    lifecycle.transfer(deps, floor["a1"], cid, {"agent_id": floor["a2"].id})
    assert posted.events("a2", "agent")[-1]["agent"]["active_count"] == 1
    assert posted.events("a1", "agent")[-1]["agent"]["active_count"] == 0
    assert "b1" not in heard(posted, "agent")
    # the conversation says how it reached the agent (the console words its notice by it)
    assert posted.events("a2", "conversation")[-1]["conversation"]["attrs"]["assign_kind"] \
        == "transferred"


def test_connections_carry_teams_and_a_team_change_makes_the_console_reconnect(deps, floor,
                                                                              posted):
    row = deps.connections.get("a1")
    assert row["teams"] == ["alpha"] and row["role"] == "agent"
    admin_actor = floor["adm"]
    admin.update_agent(deps, admin_actor, floor["a1"].id, {"teams": ["alpha", "beta"]})
    assert deps.connections.get("a1") is None          # closed: $connect reads the new teams
    admin.update_agent(deps, admin_actor, floor["b1"].id, {"capacity": 3})
    assert deps.connections.get("b1") is not None      # nothing the rule reads changed


def test_accept_is_idempotent_for_the_holder_when_auto_assignment_wins_the_race(deps, floor,
                                                                               monkeypatch):
    """The agent goes online and accepts a queued chat while the assignment handler gives it
    to them: 200 with the conversation, not 409 already_assigned."""
    cid = chat(deps, "gamma")
    move = deps.waiting.move_with_event

    def racing_move(conversation, *args, **kwargs):
        monkeypatch.setattr(deps.waiting, "move_with_event", move)
        assert routing.assign_next(deps, "gamma") == 1          # the handler wins
        return move(conversation, *args, **kwargs)              # ...and accept's move fails

    monkeypatch.setattr(deps.waiting, "move_with_event", racing_move)
    result = lifecycle.accept(deps, floor["c1"], cid)
    assert result["conversation"]["agent_id"] == floor["c1"].id
    assert result["conversation"]["status"] == "assigned"
    assert deps.agents.get(floor["c1"].id)["active_count"] == 1  # counted once


def test_accept_at_capacity_because_the_race_gave_it_to_me_is_a_success(deps, floor,
                                                                        monkeypatch):
    cid = chat(deps, "gamma")
    admin.update_agent(deps, floor["adm"], floor["c1"].id, {"capacity": 1})
    get = deps.agents.get
    raced = []

    def racing_get(agent_id, *a, **kw):
        if agent_id == floor["c1"].id and not raced:
            raced.append(1)
            routing.assign_next(deps, "gamma")                  # fills c1's only slot
        return get(agent_id, *a, **kw)

    monkeypatch.setattr(deps.agents, "get", racing_get)
    assert lifecycle.accept(deps, floor["c1"], cid)["conversation"]["agent_id"] == \
        floor["c1"].id


def test_accept_lost_to_someone_else_is_still_a_conflict(deps, floor, monkeypatch):
    cid = chat(deps, "alpha")
    move = deps.waiting.move_with_event

    def racing_move(conversation, *args, **kwargs):
        monkeypatch.setattr(deps.waiting, "move_with_event", move)
        lifecycle.accept(deps, floor["a2"], cid)
        return move(conversation, *args, **kwargs)

    monkeypatch.setattr(deps.waiting, "move_with_event", racing_move)
    with pytest.raises(Conflict) as err:
        lifecycle.accept(deps, floor["a1"], cid)
    assert err.value.code == "already_assigned"
    assert deps.conversations.get(cid, consistent=True)["agent_id"] == floor["a2"].id


def test_a_message_still_reaches_only_the_conversation(deps, floor, posted):
    cid = chat(deps, "beta")
    lifecycle.accept(deps, floor["b1"], cid)
    posted.clear()
    v = Actor(kind="visitor", id=deps.conversations.get(cid)["visitor_id"])
    convs.post_message(deps, v, cid, {"client_message_id": "m1", "text": "hello"})
    assert heard(posted, "message") == {"b1", "vis"}    # holder and visitor, no one else


# ------------------------------------------------------------------ re-sync after a reconnect
def test_changes_since_lists_what_the_agent_would_have_been_pushed(deps, floor, posted):
    from tests.helpers.aws import AwsCallCounter
    first = chat(deps, "alpha", connection="v1")
    mark = int(deps.conversations.get(first)["updated_at"])
    gamma = chat(deps, "gamma", connection="v2")
    general = chat(deps, connection="v3")
    lifecycle.accept(deps, floor["a1"], first)
    with AwsCallCounter(deps) as counter:
        got = agent_svc.changes_since(deps, floor["a2"], mark)
    ids = [c["conversation_id"] for c in got["conversations"]]
    assert set(ids) == {first, general}                   # not gamma's
    assert got["has_more"] is False and got["next_since"] >= mark
    by_id = {c["conversation_id"]: c for c in got["conversations"]}
    assert by_id[first]["status"] == "assigned" and by_id[first]["rev"] >= 1
    # one Query per listed status and one GetItem for the agent; no Scan
    assert counter.calls.count("dynamodb:Query") == len(agent_svc.CHANGE_STATUSES)
    assert not [c for c in counter.calls if c.endswith(":Scan")]
    sup = agent_svc.changes_since(deps, floor["sup"], mark)
    assert {c["conversation_id"] for c in sup["conversations"]} == {first, gamma, general}
    # nothing newer than the last answer: an empty re-sync
    again = agent_svc.changes_since(deps, floor["a2"], got["next_since"])
    assert again["conversations"] == []


def test_changes_since_pages_when_a_status_has_more(deps, floor):
    cids = [chat(deps, "beta", connection=f"p{i}") for i in range(3)]
    got = agent_svc.changes_since(deps, floor["b1"], 0, limit=2)
    assert got["has_more"] is True
    rest = agent_svc.changes_since(deps, floor["b1"], got["next_since"], limit=2)
    seen = {c["conversation_id"] for c in got["conversations"] + rest["conversations"]}
    assert set(cids) <= seen


def test_changes_endpoint_validates_since(deps, floor):
    import app as app_module
    from tests.helpers.api import Api
    api = Api(app_module.app)
    token = agent_svc.issue_token(deps, deps.agents.get(floor["a1"].id))["token"]
    for path, code in (("/v1/agent/changes", "missing_field"),
                       ("/v1/agent/changes?since=abc", "invalid_type"),
                       ("/v1/agent/changes?since=-1", "out_of_range"),
                       ("/v1/agent/changes?since=0&limit=500", "out_of_range")):
        status, body = api.get(path, token=token)
        assert (status, body["error"]["code"]) == (400, code), path
    assert api.get("/v1/agent/changes?since=0")[0] == 401
    status, body = api.get("/v1/agent/changes?since=0", token=token)
    assert status == 200 and body["has_more"] is False


# ------------------------------------------------------------------ a visitor's choice of team
def test_a_visitor_may_only_ask_for_a_team_the_site_routes_to(deps, floor):
    deps.directory.create("team", "secret", {"name": "Back office"})
    s = sessions.start_session(deps, {"site_key": "nobot"})
    v = Actor(kind="visitor", id=s["visitor_id"], site_key="nobot")
    cid = s["conversation_id"]
    before = deps.conversations.get(cid, consistent=True)
    for team in ("secret", "no-such-team"):
        with pytest.raises(AppError) as err:
            routing.visitor_handoff(deps, v, cid, {"team": team})
        assert (err.value.status, err.value.code) == (403, "team_not_allowed")
    after = deps.conversations.get(cid, consistent=True)
    assert after["status"] == before["status"] and after["rev"] == before["rev"]
    assert not deps.messages.after(cid, 0)                     # nothing written
    # a team the site names is fine, and so is the site's own team
    routing.visitor_handoff(deps, v, cid, {"team": "beta"})
    assert deps.conversations.get(cid, consistent=True)["queue_key"] == "beta"
    assert routing.visitor_teams({"team": "alpha", "teams": ["beta"]}, {"team": "gamma"}) == \
        {"alpha", "beta", "gamma"}


def test_site_settings_name_only_existing_teams(deps, floor):
    with pytest.raises(AppError) as err:
        admin.put_site(deps, "nobot", {"teams": ["alpha", "nope"]}, "https://w.example/w.js")
    assert err.value.code == "unknown_team"
    assert deps.sites.get("nobot")["settings"]["teams"] == list(TEAMS)     # nothing written
    admin.put_site(deps, "nobot", {"teams": ["alpha"]}, "https://w.example/w.js")
    assert deps.sites.get("nobot")["settings"]["teams"] == ["alpha"]

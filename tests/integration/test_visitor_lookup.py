"""The console's visitor lookup (GET /v1/agent/visitors?q=) on moto: name and email prefixes,
normalization, ids, index upkeep when a name or email changes, validation, and its AWS calls."""
import pytest

from chalicelib.services import agents
from tests.helpers.api import Api
from tests.helpers.aws import AwsCallCounter


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def agent_token(api, deps):
    agents.create_agent(deps, {"email": "look@example.com", "name": "Lou",
                               "password": "password1"})
    return api.agent_login("look@example.com", "password1")["token"]


@pytest.fixture
def people(api):
    return {
        "alice": api.visitor_session(name="Alice Wong", email="alice.w@example.com"),
        "alicia": api.visitor_session(name="Alicia Keys"),
        "bob": api.visitor_session(name="Bob", email="bob@shop.example"),
        "zhang": api.visitor_session(name="张伟", email="zw@example.cn"),
        "anon": api.visitor_session(),
    }


def lookup(api, token, q, expect=200, **params):
    from urllib.parse import urlencode
    status, data = api.get("/v1/agent/visitors?" + urlencode({"q": q, **params}), token=token)
    assert status == expect, data
    return data


def names(data):
    return [r["visitor"]["name"] for r in data["results"]]


def test_name_prefix_finds_visitors_with_their_conversations(api, agent_token, people):
    data = lookup(api, agent_token, "ali")
    assert sorted(names(data)) == ["Alice Wong", "Alicia Keys"]
    alice = next(r for r in data["results"] if r["visitor"]["name"] == "Alice Wong")
    assert alice["visitor"]["email"] == "alice.w@example.com"
    assert [c["conversation_id"] for c in alice["conversations"]] == \
        [people["alice"]["conversation_id"]]
    # the lookup keys stay internal
    assert not {"name_p", "name_lc", "email_p", "email_lc"} & set(alice["visitor"])


def test_case_width_and_spacing_do_not_matter(api, agent_token, people):
    for q in ("ALICE", "ａｌｉｃｅ", "  alice   wong ", "Alice Wong"):
        assert names(lookup(api, agent_token, q))[0] == "Alice Wong", q
    assert names(lookup(api, agent_token, "alice  w")) == ["Alice Wong"]


def test_email_prefix_and_chinese_names(api, agent_token, people):
    assert names(lookup(api, agent_token, "bob@shop")) == ["Bob"]
    assert names(lookup(api, agent_token, "zw@")) == ["张伟"]
    assert names(lookup(api, agent_token, "张")) == ["张伟"]


def test_exact_match_first(api, agent_token, people):
    api.visitor_session(name="Bobby Tables")
    assert names(lookup(api, agent_token, "bob")) == ["Bob", "Bobby Tables"]


def test_ids_find_their_visitor(api, agent_token, people):
    by_conv = lookup(api, agent_token, people["anon"]["conversation_id"])
    assert [r["visitor"]["visitor_id"] for r in by_conv["results"]] == \
        [people["anon"]["visitor_id"]]
    by_visitor = lookup(api, agent_token, people["bob"]["visitor_id"])
    assert names(by_visitor) == ["Bob"]


def test_no_match_is_an_empty_list(api, agent_token, people):
    assert lookup(api, agent_token, "nobody-like-this")["results"] == []
    assert lookup(api, agent_token, "c_doesnotexist")["results"] == []


def test_renaming_a_visitor_moves_them_in_the_index(api, deps, agent_token, people):
    vid = people["alicia"]["visitor_id"]
    status, data = api.request("PATCH", f"/v1/agent/visitors/{vid}",
                               {"name": "Robert Paulson", "email": "rp@example.com"},
                               token=agent_token)
    assert status == 200, data
    assert data["visitor"]["name"] == "Robert Paulson"
    assert names(lookup(api, agent_token, "ali")) == ["Alice Wong"]
    assert names(lookup(api, agent_token, "robert")) == ["Robert Paulson"]
    assert names(lookup(api, agent_token, "rp@")) == ["Robert Paulson"]
    # clearing the email (the repository's update) takes it out of the email index too
    deps.visitors.update(vid, {"email": None})
    assert lookup(api, agent_token, "rp@")["results"] == []
    assert names(lookup(api, agent_token, "rob")) == ["Robert Paulson"]


def test_a_returning_visitor_who_gives_a_name_becomes_findable(api, agent_token, people):
    anon = people["anon"]
    assert lookup(api, agent_token, "carol")["results"] == []
    status, data = api.post("/v1/visitor/sessions", {"site_key": "demo", "name": "Carol Danvers",
                                                     "email": "carol@example.com"},
                            token=anon["token"])
    assert status == 200, data
    assert data["visitor_id"] == anon["visitor_id"]
    assert names(lookup(api, agent_token, "carol")) == ["Carol Danvers"]


def test_bad_queries_are_refused(api, agent_token, people):
    for path, code in (("/v1/agent/visitors", "missing_field"),
                       ("/v1/agent/visitors?q=%20%20", "missing_field"),
                       ("/v1/agent/visitors?q=" + "x" * 101, "too_long"),
                       ("/v1/agent/visitors?q=al&limit=0", "out_of_range"),
                       ("/v1/agent/visitors?q=al&limit=ten", "invalid_type")):
        status, data = api.get(path, token=agent_token)
        assert status == 400 and data["error"]["code"] == code, (path, data)


def test_only_agents_may_look_up(api, people):
    status, _ = api.get("/v1/agent/visitors?q=ali", token=people["alice"]["token"])
    assert status in (401, 403)
    status, _ = api.get("/v1/agent/visitors?q=ali")
    assert status == 401


def test_lookup_is_queries_only(api, deps, agent_token, people):
    with AwsCallCounter() as counter:
        data = lookup(api, agent_token, "ali")
    assert len(data["results"]) == 2
    ops = [c.split(":")[1] for c in counter.calls]
    assert "Scan" not in ops
    # the agent account (GetItem), one Query per lookup index, one Query per visitor found
    assert ops.count("Query") == 2 + 2
    assert ops.count("GetItem") == 1
    assert len(ops) == 5

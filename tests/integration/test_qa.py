"""Quality inspection on moto: a closed conversation goes through the table streams, the relay,
the topic and the `qa` queue to the QA consumer, which stores its automatic score; the
results API answers supervisors and the agent who held the chat, nobody else."""
import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, sessions, sites
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues
from tests.integration.test_event_stream import StreamTail, receive, relay, sqs_event


def _agent(deps, email, role="agent"):
    a = agent_svc.create_agent(deps, {"email": email, "name": email.split("@")[0].title(),
                                      "password": "password1", "role": role})
    return Actor(kind="agent", id=a["agent_id"], role=role, name=a["name"]), a


def test_a_closed_conversation_is_scored_once_with_its_findings(deps, aws):
    tails = {table: StreamTail(aws, table) for table in ("conversations", "messages")}
    sites.create_site(deps, "qa-site", "QA", {"bot_enabled": False})
    ann, _ = _agent(deps, "ann@example.com")
    s = sessions.start_session(deps, {"site_key": "qa-site"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="qa-site")
    convs.post_message(deps, vis, cid, {"client_message_id": "v1", "text": "my card?"})
    presence.set_status(deps, ann, {"status": "online"})
    drain_queues(deps)                                   # the chat is assigned to Ann
    # no greeting, a Luhn-valid card number sent to the visitor, no closing phrase
    convs.post_message(deps, ann, cid, {"client_message_id": "a1",
                                        "text": "it is 4111 1111 1111 1111"})
    lifecycle.close(deps, ann, cid)
    lifecycle.rate(deps, vis, cid, {"score": 1})

    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    delivered = receive(aws["QaConsumerQueueUrl"])
    event = sqs_event(delivered, aws["QaConsumerQueueArn"])
    assert app_module.consume_qa(event, None) == {"batchItemFailures": []}
    first = deps.qa.get(cid)
    assert first is not None and first["agent_id"] == ann.id and first["site_key"] == "qa-site"
    checks = {f["check"] for f in first["result"]["findings"]}
    assert {"greeting", "closing", "sensitive", "frustration"} <= checks
    assert first["score"] == 100 - 10 - 10 - 20 - 10
    [masked] = first["result"]["masked"].values()
    assert masked == "it is **** **** **** 1111"
    # a redelivered batch rewrites the same result
    assert app_module.consume_qa(event, None) == {"batchItemFailures": []}
    again = deps.qa.get(cid)
    assert (again["score"], again["result"]) == (first["score"], first["result"])


def test_results_api_answers_the_holder_and_supervisors_only(deps, site):
    api = Api(app_module.app)
    ann, a = _agent(deps, "ann@example.com")
    bob, b = _agent(deps, "bob@example.com")
    _, sup = _agent(deps, "sue@example.com", role="supervisor")
    s = sessions.start_session(deps, {"site_key": "demo"})
    cid = s["conversation_id"]
    presence.set_status(deps, ann, {"status": "online"})
    lifecycle.accept(deps, ann, cid)
    convs.post_message(deps, ann, cid, {"client_message_id": "a1",
                                        "text": "您好,有什么可以帮您?谢谢,再见"})
    lifecycle.close(deps, ann, cid)
    from chalicelib.services import qa
    qa.on_event(deps, {"type": "conversation.closed", "conversation_id": cid})

    def login(email):
        return api.agent_login(email, "password1")["token"]

    status, data = api.get(f"/v1/agent/qa/{cid}", login("ann@example.com"))
    assert status == 200 and data["result"]["score"] == 100, data
    status, data = api.get(f"/v1/agent/qa/{cid}", login("bob@example.com"))
    assert status == 403 and data["error"]["code"] == "forbidden"
    sue = login("sue@example.com")
    status, data = api.get("/v1/agent/qa?site_key=demo&days=1", sue)
    assert status == 200 and [r["conversation_id"] for r in data["results"]] == [cid]
    status, data = api.get("/v1/agent/qa?site_key=demo&max_score=50", sue)
    assert status == 200 and data["results"] == []
    status, data = api.get("/v1/agent/qa", login("bob@example.com"))   # bob's own: none
    assert status == 200 and data["results"] == []
    status, data = api.get(f"/v1/agent/qa?agent_id={a['agent_id']}", login("bob@example.com"))
    assert status == 403
    status, data = api.get("/v1/agent/qa?days=zero", sue)
    assert status == 400 and data["error"]["code"] == "invalid_type"
    status, data = api.get("/v1/agent/qa/c_unknown", sue)
    assert status == 404 and data["error"]["code"] == "qa_not_found"


def test_site_qa_rules_are_validated(deps, site):
    api = Api(app_module.app)
    _agent(deps, "root@example.com", role="admin")
    token = api.agent_login("root@example.com", "password1")["token"]
    before = deps.sites.get("demo")
    for bad in ({"nope": {}}, {"greeting": {"weight": 101}}, {"silence": {"phrases": "x"}}):
        status, data = api.request("PUT", "/v1/admin/sites/demo", {"qa_rules": bad}, token)
        assert status == 400 and data["error"]["code"] == "invalid_value", data
    assert deps.sites.get("demo") == before
    status, data = api.request("PUT", "/v1/admin/sites/demo",
                               {"qa_rules": {"greeting": {"weight": 30, "phrases": ["hey"]}}},
                               token)
    assert status == 200, data


def test_a_team_conversation_is_scored_with_the_teams_rules(deps, site):
    from chalicelib.services import admin, qa
    api = Api(app_module.app)
    _agent(deps, "root@example.com", role="admin")
    token = api.agent_login("root@example.com", "password1")["token"]
    admin.create_team(deps, {"id": "sales", "name": "Sales"})
    a = agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                      "password": "password1", "role": "agent",
                                      "teams": ["sales"]})
    ann = Actor(kind="agent", id=a["agent_id"], role="agent", name="Ann")
    presence.set_status(deps, ann, {"status": "online"})
    before = deps.sites.get("demo")
    for bad, code in (({"nosuch": {}}, "unknown_team"),
                      ({"sales": {"forbidden": {"phrases": "roger"}}}, "invalid_value")):
        status, data = api.request("PUT", "/v1/admin/sites/demo", {"qa_team_rules": bad}, token)
        assert status == 400 and data["error"]["code"] == code, data
    assert deps.sites.get("demo") == before
    status, data = api.request("PUT", "/v1/admin/sites/demo", {
        "team": "sales", "report_tz": "Asia/Shanghai", "qa_rules": {"forbidden": {"weight": 30}},
        "qa_team_rules": {"sales": {"forbidden": {"phrases": ["roger"]}}}}, token)
    assert status == 200 and data["site"]["qa_defaults"]["forbidden"]["weight"] == 25, data

    def chat(n):
        s = sessions.start_session(deps, {"site_key": "demo"})
        cid = s["conversation_id"]
        lifecycle.accept(deps, ann, cid)
        convs.post_message(deps, ann, cid, {"client_message_id": f"a{n}",
                                            "text": "您好,roger,谢谢,再见"})
        lifecycle.close(deps, ann, cid)
        qa.on_event(deps, {"type": "conversation.closed", "conversation_id": cid})
        return deps.conversations.get(cid), deps.qa.get(cid)

    conv, scored = chat(1)
    assert conv["team"] == "sales"
    assert [f["detail"] for f in scored["result"]["findings"]] == [{"phrase": "roger"}]
    assert scored["score"] == 70                     # the team's phrases, the site's weight
    from zoneinfo import ZoneInfo
    from chalicelib.domain.qa.figures import day_of    # the figures' day: the site's zone
    assert scored["result"]["day"] == day_of(scored["closed_at"], ZoneInfo("Asia/Shanghai"))
    status, _ = api.request("PUT", "/v1/admin/sites/demo", {"team": None}, token)
    assert status == 200
    conv, scored = chat(2)
    assert not conv.get("team") and scored["score"] == 100   # the site's rules alone

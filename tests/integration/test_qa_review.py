"""Manual QA review on moto (docs/qa.md): rubrics (admins), the review queue filled by the
`qa` consumer by the team's sampling rules (once per conversation), reviewing with the
rubric and message comments, the agent's one answer and the supervisor's settlement; every
refusal is a 4xx that writes nothing; lists are paged."""
import app as app_module
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, qa_review
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues
from tests.integration.test_queue import make_agent, nobot, visitor_chat  # noqa: F401

RUBRIC = {"criteria": [
    {"id": "greeting", "label": {"en": "Greeting", "zh": "问候"}, "weight": 1},
    {"id": "solution", "label": {"en": "Solved the problem", "zh": "解决问题"}, "weight": 3}],
    "sampling": {"random_percent": 0, "max_rating": 2, "max_auto_score": 0}}
BASE = "/v1/agent/qa-review"


@pytest.fixture
def api(deps):
    return Api(app_module.app)


def person(api, deps, name, role="agent"):
    a = agent_svc.create_agent(deps, {"email": f"{name}@example.com", "name": name.title(),
                                      "password": "password1", "role": role})
    return {"id": a["agent_id"], "token": api.agent_login(f"{name}@example.com",
                                                          "password1")["token"]}


def closed_chat(deps, ann, rating):
    s, vis = visitor_chat(deps)
    drain_queues(deps)
    cid = s["conversation_id"]
    convs.post_message(deps, ann, cid, {"client_message_id": "a1", "text": "Hello, I can help"})
    lifecycle.close(deps, ann, cid)
    lifecycle.rate(deps, vis, cid, {"score": rating})
    qa_review.on_event(deps, {"type": "conversation.rated", "conversation_id": cid})
    return cid


def test_review_flow(api, deps, nobot):
    admin, sup = person(api, deps, "ada", "admin"), person(api, deps, "sue", "supervisor")
    bob, carl = person(api, deps, "bob"), person(api, deps, "carl")
    call = lambda m, p, b=None, who=admin: api.request(m, BASE + p, b, token=who["token"])  # noqa

    # rubrics: admins write, validated, nothing stored on a refusal
    assert call("PUT", "/rubrics/_default", RUBRIC, sup)[0] == 403
    status, err = call("PUT", "/rubrics/_default", {"criteria": []})
    assert status == 400 and err["error"]["code"] == "empty_rubric"
    assert call("GET", "/rubrics/_default", None, bob)[1]["error"]["code"] == "rubric_not_found"
    assert call("PUT", "/rubrics/nosuchteam", RUBRIC)[0] == 404
    status, out = call("PUT", "/rubrics/_default", {**RUBRIC, "reviewers": [bob["id"]]})
    assert status == 200 and out["rubric"]["reviewers"] == [bob["id"]]
    assert [r["team"] for r in call("GET", "/rubrics", None, carl)[1]["rubrics"]] == ["_default"]

    # the consumer queues the low-rated chat once, not the well-rated one
    ann = make_agent(deps, "Ann")
    cid = closed_chat(deps, ann, rating=1)
    closed_chat(deps, ann, rating=5)
    qa_review.on_event(deps, {"type": "conversation.closed", "conversation_id": cid})
    status, q = call("GET", "/queue?site_key=nobot", None, bob)
    assert status == 200 and [r["conversation_id"] for r in q["reviews"]] == [cid]
    assert q["reviews"][0]["reasons"] == ["low_rating"] and q["cursor"] is None
    for who in (carl, {"token": api.agent_login("ann@example.com", "password1")["token"]}):
        assert call("GET", "/queue?site_key=nobot", None, who)[1]["error"]["code"] == \
            "not_reviewer"
    ann_t = {"token": api.agent_login("ann@example.com", "password1")["token"]}
    assert call("GET", "/mine", None, ann_t)[1]["reviews"] == []      # not reviewed yet

    # the reviewer reads the transcript with the automatic findings and scores it
    status, page = call("GET", f"/reviews/{cid}", None, bob)
    assert status == 200 and [c["id"] for c in page["criteria"]] == ["greeting", "solution"]
    seqs = [m["seq"] for m in page["messages"]]
    assert seqs == sorted(seqs) and "Hello, I can help" in [m.get("text") for m in page["messages"]]
    assert isinstance(page["findings"], list)
    bad = call("POST", f"/reviews/{cid}", {"scores": {"greeting": 9, "solution": 1}}, bob)
    assert bad[0] == 400 and bad[1]["error"]["code"] == "invalid_score"
    assert call("GET", f"/reviews/{cid}", None, bob)[1]["review"]["status"] == "queued"
    status, out = call("POST", f"/reviews/{cid}", {
        "scores": {"greeting": 5, "solution": 1},
        "comments": [{"seq": seqs[-1], "text": "The problem was not solved"}]}, bob)
    assert status == 200 and out["review"]["status"] == "reviewed"
    assert out["review"]["score"] == round(100 * (5 + 3) / 20)
    assert call("GET", "/queue?site_key=nobot", None, bob)[1]["reviews"] == []
    again = call("POST", f"/reviews/{cid}", {"scores": {"greeting": 5, "solution": 5}}, bob)
    assert again[0] == 409 and again[1]["error"]["code"] == "invalid_review_state"

    # the agent sees it and disputes once
    mine = call("GET", "/mine", None, ann_t)[1]["reviews"]
    assert [(r["conversation_id"], r["status"]) for r in mine] == [(cid, "reviewed")]
    assert call("POST", f"/reviews/{cid}/dispute", {"reason": "x"}, carl)[0] == 403
    assert call("POST", f"/reviews/{cid}/dispute", {}, ann_t)[0] == 400
    assert call("POST", f"/reviews/{cid}/dispute", {"reason": "It was solved by e-mail"},
                ann_t)[0] == 200
    twice = call("POST", f"/reviews/{cid}/dispute", {"reason": "again"}, ann_t)
    assert twice[0] == 409 and twice[1]["error"]["code"] == "already_disputed"
    assert call("POST", f"/reviews/{cid}/acknowledge", {}, ann_t)[0] == 409

    # the supervisor settles: the reviewer may not
    assert call("POST", f"/reviews/{cid}/settle", {"decision": "uphold", "comment": "ok"},
                bob)[1]["error"]["code"] == "not_supervisor"
    disputes = call("GET", "/queue?site_key=nobot&status=disputed", None, sup)[1]["reviews"]
    assert [r["conversation_id"] for r in disputes] == [cid]
    status, out = call("POST", f"/reviews/{cid}/settle", {
        "decision": "amend", "comment": "Solved by e-mail indeed",
        "scores": {"greeting": 5, "solution": 5}}, sup)
    assert status == 200 and out["review"]["status"] == "settled"
    assert (out["review"]["score"], out["review"]["original_score"]) == (100, 40)
    assert [h["action"] for h in out["review"]["history"]] == ["reviewed", "disputed", "amend"]

    # the figures: both chats' automatic scores once (the rescoring counted once), the
    # amended review per agent, team and criterion; supervisors only
    status, fig = api.request("GET", "/v1/agent/qa/summary?site_key=nobot&days=7",
                              token=sup["token"])
    assert status == 200, fig
    assert fig["auto"]["n"] == 2 and fig["reviews"] == {"n": 1, "avg": 100.0}
    assert {c["criterion"]: c["avg"] for c in fig["criteria"]} == {"greeting": 100.0,
                                                                   "solution": 100.0}
    (row,) = fig["agents"]
    assert row["agent_id"] == ann.id and row["auto_n"] == 2 and row["review_avg"] == 100.0
    assert fig["teams"] == [{"team": "_default", "review_n": 1, "review_avg": 100.0}]
    assert fig["top_findings"] and len(fig["series"]) == 1
    assert api.request("GET", "/v1/agent/qa/summary?site_key=nobot", token=ann_t["token"])[0] \
        == 403
    assert api.request("GET", "/v1/agent/qa/summary?site_key=nobot&days=91",
                       token=sup["token"])[0] == 400


def test_the_queue_pages_and_a_conversation_is_queued_once(api, deps):
    sup = person(api, deps, "sue", "supervisor")
    for i in range(5):
        review = {"conversation_id": f"c_{i}", "site_key": "s", "team": "_default",
                  "agent_id": "a", "closed_at": 1000 + i, "auto_score": 50,
                  "reasons": ["random"], "status": "queued", "history": []}
        assert deps.qa_reviews.create_review(review) is True
        assert deps.qa_reviews.create_review({**review, "reasons": ["low_rating"]}) is False
    seen, cursor = [], None
    while True:
        path = f"{BASE}/queue?site_key=s&limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = api.request("GET", path, token=sup["token"])
        assert status == 200 and len(page["reviews"]) <= 2
        seen += [r["conversation_id"] for r in page["reviews"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == [f"c_{i}" for i in (4, 3, 2, 1, 0)]          # newest closed first
    assert {r["reasons"][0] for r in (deps.qa_reviews.get_review(f"c_{i}")
                                      for i in range(5))} == {"random"}
    status, err = api.request("GET", f"{BASE}/queue?site_key=s&cursor=junk", token=sup["token"])
    assert status == 200                                       # a forged cursor starts over
    assert api.request("GET", f"{BASE}/queue", token=sup["token"])[0] == 400


def test_the_consumer_queues_from_the_event_stream(deps, aws):
    """The whole path: streams -> relay -> topic -> the qa queue -> consume_qa."""
    from chalicelib.services import presence, sessions, sites
    from tests.integration.test_event_stream import StreamTail, receive, relay, sqs_event
    tails = {table: StreamTail(aws, table) for table in ("conversations", "messages")}
    sites.create_site(deps, "qa-site", "QA", {"bot_enabled": False})
    deps.qa_reviews.put_config("_default", {**RUBRIC, "sampling": {
        "random_percent": 100, "max_rating": 0, "max_auto_score": 0, "seed": "x"},
        "reviewers": []})
    a = agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                      "password": "password1"})
    ann = Actor(kind="agent", id=a["agent_id"], role="agent", name="Ann")
    s = sessions.start_session(deps, {"site_key": "qa-site"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="qa-site")
    convs.post_message(deps, vis, cid, {"client_message_id": "v1", "text": "hello"})
    presence.set_status(deps, ann, {"status": "online"})
    drain_queues(deps)
    lifecycle.close(deps, ann, cid)
    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    event = sqs_event(receive(aws["QaConsumerQueueUrl"]), aws["QaConsumerQueueArn"])
    assert app_module.consume_qa(event, None) == {"batchItemFailures": []}
    review = deps.qa_reviews.get_review(cid)
    assert review["status"] == "queued" and review["reasons"] == ["random"]
    assert review["agent_id"] == ann.id and review["site_key"] == "qa-site"
    assert app_module.consume_qa(event, None) == {"batchItemFailures": []}   # redelivered
    assert deps.qa_reviews.get_review(cid)["_version"] == review["_version"]

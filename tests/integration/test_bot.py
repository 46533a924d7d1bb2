"""The bot inside conversations, on moto: visitor message -> bot_turn on the events queue ->
the SQS handler answers from the KB; handoff to the queue; flows against a local HTTP stub;
the KB admin API."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import boto3
import pytest

from chalicelib.services import agents, tasks
from chalicelib.services import bot as bot_service
from tests.helpers.api import Api
from tests.helpers.aws import AwsCallCounter

ROOT = Path(__file__).resolve().parents[2]
DEMO_KB = ROOT / "infra" / "local" / "demo_kb.csv"


@pytest.fixture
def api(deps, site):
    import app as app_module
    bot_service.clear_caches()
    return Api(app_module.app)


@pytest.fixture
def kb(deps, site):
    return bot_service.seed_kb(deps, "demo", str(DEMO_KB))


@pytest.fixture
def admin_token(api, deps):
    agents.create_agent(deps, {"email": "ada@example.com", "name": "Ada", "password": "correct horse",
                               "role": "admin"})
    return api.agent_login("ada@example.com", "correct horse")["token"]


@pytest.fixture
def agent_token(api, deps):
    agents.create_agent(deps, {"email": "ann@example.com", "name": "Ann", "password": "correct horse",
                               "role": "agent"})
    return api.agent_login("ann@example.com", "correct horse")["token"]


# ------------------------------------------------------------------ helpers
def receive_events(deps):
    """Everything published to the events queue so far, as Lambda SQS records (deleted)."""
    sqs = boto3.client("sqs")
    url = deps.queue.url("events")
    records = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  VisibilityTimeout=0).get("Messages", [])
        if not got:
            return records
        for msg in got:
            records.append({"messageId": msg["MessageId"], "body": msg["Body"],
                            "receiptHandle": msg["ReceiptHandle"]})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])


def sqs_event(records):
    return {"Records": [{"messageId": r["messageId"], "receiptHandle": r.get("receiptHandle", "rh"),
                         "body": r["body"], "attributes": {"ApproximateReceiveCount": "1"},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:parley-dev-events",
                         "awsRegion": "us-east-1"} for r in records]}


def run_events(deps, records=None):
    """Run the events Lambda (app.handle_events, the SQS entry point) on the records."""
    import app as app_module
    records = receive_events(deps) if records is None else records
    result = app_module.handle_events(sqs_event(records), None)
    assert result == {"batchItemFailures": []}, result
    return records


class Visitor:
    def __init__(self, api, **session):
        self.api = api
        self.session = api.visitor_session(**session)
        self.cid = self.session["conversation_id"]
        self.token = self.session["token"]
        self.n = 0

    def say(self, text, deps=None):
        self.n += 1
        status, data = self.api.post(f"/v1/visitor/conversations/{self.cid}/messages",
                                     {"client_message_id": f"m-{self.n}", "text": text},
                                     token=self.token)
        assert status == 201, data
        if deps is not None:
            run_events(deps)
        return data["message"]

    def messages(self):
        status, page = self.api.get(f"/v1/visitor/conversations/{self.cid}/messages?after=0",
                                    token=self.token)
        assert status == 200, page
        return page["messages"]

    def bot_replies(self):
        return [m for m in self.messages() if m["sender"]["type"] == "bot"]

    def last_bot(self):
        return self.bot_replies()[-1]


def extra(message):
    return message.get("extra") or {}


# ------------------------------------------------------------------ answering
def test_bot_answers_in_chinese_and_english(api, deps, kb):
    assert kb["imported"] == 20
    v = Visitor(api, locale="zh-CN")
    v.say("套餐多少钱?")
    records = receive_events(deps)
    assert [json.loads(r["body"]) for r in records] == [
        {"type": "bot_turn", "conversation_id": v.cid, "seq": 1}]
    run_events(deps, records)
    reply = v.last_bot()
    assert reply["seq"] == 2 and reply["text"].startswith("个人版每月15元")
    assert extra(reply)["entry_id"] == "plan-price" and extra(reply)["confidence"] >= 0.5
    assert extra(reply)["handoff_offered"] is False

    v.say("How much does it cost?", deps)
    reply = v.last_bot()
    assert extra(reply)["entry_id"] == "en-price" and reply["text"].startswith("Personal is $3")
    conv = deps.conversations.get(v.cid, consistent=True)
    assert conv["bot_state"]["seq"] == 3 and conv["bot_state"]["lang"] == "en"


def test_suggestions_in_the_middle_band(api, deps, kb):
    v = Visitor(api)
    # two entries fit about as well (sync failures, deleted files): offered, not answered
    v.say("do you keep files after deletion", deps)
    reply = v.last_bot()
    ex = extra(reply)
    assert ex["kind"] == "suggest" and ex["entry_id"] is None
    assert 0 < ex["confidence"] < 1
    assert {"id": "recover-file", "question": "误删的文件能找回吗?"} in ex["suggestions"]
    assert ex["handoff_offered"] is True
    assert reply["text"].startswith("Did you mean:")


def test_redelivered_bot_turn_adds_nothing(api, deps, kb):
    v = Visitor(api)
    v.say("有免费试用吗")
    records = receive_events(deps)
    run_events(deps, records)
    before = v.messages()
    run_events(deps, records)               # SQS delivers the same record again
    # and a retry after a crash between the post and the state update
    deps.conversations.update(v.cid, set_fields={"bot_state": {}}, bump_rev=False)
    run_events(deps, records)
    assert v.messages() == before and len(before) == 2


def test_out_of_scope_gets_fallback_and_is_recorded_as_a_miss(api, deps, kb):
    v = Visitor(api)
    v.say("今天天气怎么样?", deps)
    reply = v.last_bot()
    assert extra(reply)["kind"] == "fallback" and extra(reply)["handoff_offered"] is True
    assert "换个说法" in reply["text"]
    misses = bot_service.kb_repo(deps).misses("demo")
    assert [(m["text"], m["conversation_id"], m["reason"]) for m in misses] == [
        ("今天天气怎么样?", v.cid, "fallback")]
    # the redelivered turn does not record it twice
    deps.conversations.update(v.cid, set_fields={"bot_state": {}}, bump_rev=False)
    tasks.handle_records(deps, [{"messageId": "x", "body": json.dumps(
        {"type": "bot_turn", "conversation_id": v.cid, "seq": 1})}])
    assert len(bot_service.kb_repo(deps).misses("demo")) == 1


def test_bot_turn_request_budget(api, deps, kb):
    """A warm turn: what one answered visitor message costs in the events Lambda."""
    v = Visitor(api)
    v.say("怎么开发票", deps)            # warms the matcher cache for this KB version
    v.say("误删的文件能找回吗")
    records = receive_events(deps)
    with AwsCallCounter(deps) as counter:
        run_events(deps, records)
    ddb = counter.by_service("dynamodb")
    assert extra(v.last_bot())["entry_id"] == "recover-file"
    # GetItem conversation, BatchGetItem (2 KB versions), GetItem message, GetItem visitor,
    # GetItem site (its handoff rule), post: GetItem conversation + TransactWriteItems (the
    # recipients are the sockets the item names), UpdateItem bot_state
    assert sorted(ddb) == sorted([
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:GetItem",
        "dynamodb:GetItem",
        "dynamodb:GetItem", "dynamodb:TransactWriteItems",
        "dynamodb:UpdateItem"]), ddb
    assert counter.by_service("sqs") == []

    # cold (new KB version): + synonyms x2 (GetItem), flows (Query), entries x2 (Query),
    bot_service.clear_caches()
    v.say("怎么开发票")
    records = receive_events(deps)
    with AwsCallCounter(deps) as counter:
        run_events(deps, records)
    # + the examples the calibration learns from (GetItem)
    assert len(counter.by_service("dynamodb")) == 8 + 6, counter.calls


def test_kb_change_rebuilds_the_matcher_once(api, deps, kb, admin_token):
    v = Visitor(api)
    v.say("怎么养猫", deps)
    assert extra(v.last_bot())["kind"] == "fallback"
    status, _ = api.request("POST", "/v1/admin/kb", {"site_key": "demo", "id": "cats",
                                                     "question": "怎么养猫?", "answer": "多陪它玩。"},
                            token=admin_token)
    assert status == 201
    v.say("怎么养猫", deps)
    assert extra(v.last_bot())["entry_id"] == "cats"


# ------------------------------------------------------------------ handoff
@pytest.mark.parametrize("ask", ["转人工", "talk to a human"])
def test_handoff_request_reaches_the_queue_with_the_transcript(api, deps, kb, agent_token, ask):
    v = Visitor(api)
    v.say("套餐多少钱", deps)
    v.say(ask, deps)
    conv = deps.conversations.get(v.cid, consistent=True)
    assert conv["status"] == "queued"
    bot = v.bot_replies()
    assert extra(bot[-1])["kind"] == "handoff"
    if extra(bot[-1]).get("offline"):  # queued, but nobody online: no promise either
        t = bot[-1]["text"]
        assert "转接" not in t and "connecting" not in t and ("排队" in t or "in line" in t)
    # the agent sees the whole bot transcript
    status, page = api.get(f"/v1/agent/conversations/{v.cid}/messages", token=agent_token)
    assert status == 200
    texts = [(m["sender"]["type"], m.get("text")) for m in page["messages"]]
    assert ("visitor", "套餐多少钱") in texts and ("visitor", ask) in texts
    assert any(t == "bot" and s and s.startswith("个人版") for t, s in texts)
    assert any(m.get("event", {}) and m["event"].get("kind") == "queued" for m in page["messages"])
    # out of bot mode: a later message and a redelivered turn get no bot reply
    n = len(v.bot_replies())
    v.say("还在吗?", deps)
    tasks.handle_records(deps, [{"messageId": "y", "body": json.dumps(
        {"type": "bot_turn", "conversation_id": v.cid, "seq": 3})}])
    assert len(v.bot_replies()) == n


def test_the_bot_says_it_hands_over_before_the_queue_and_the_agent_do(api, deps, kb):
    """Order as the visitor reads it: the bot's reply, then "waiting", then "assigned"."""
    from chalicelib.domain.actors import Actor
    from chalicelib.services import presence
    a = agents.create_agent(deps, {"email": "order@example.com", "name": "Ola",
                                       "password": "password1"})
    presence.set_status(deps, Actor(kind="agent", id=a["agent_id"], role="agent", name="Ola"),
                         {"status": "online"})
    from tests.helpers.aws import drain_queues
    v = Visitor(api)
    v.say("talk to a human", deps)
    drain_queues(deps)                      # the assignments queue too
    seq_of = {}
    for m in v.messages():
        key = "bot" if m["sender"]["type"] == "bot" else (m.get("event") or {}).get("kind")
        seq_of.setdefault(key, m["seq"])
    assert seq_of["bot"] < seq_of["queued"] < seq_of["assigned"], seq_of
    assert "connecting" in v.last_bot()["text"].lower()


def _close_site(deps, key="demo"):
    site = deps.sites.get(key)
    site["settings"] = {**(site.get("settings") or {}),
                        "business_hours": {"tz": "UTC", "days": {}}}  # never open
    deps.sites.put(site)


def _offline_events(v):
    return [m for m in v.messages() if (m.get("event") or {}).get("kind") == "offline"]


def test_handoff_outside_business_hours_offers_a_message_and_does_not_loop(api, deps, kb):
    _close_site(deps)
    v = Visitor(api)
    v.say("转人工", deps)
    reply = v.last_bot()
    assert "转接" not in reply["text"] and "留言" in reply["text"]
    assert extra(reply)["kind"] == "handoff" and extra(reply)["offline"] is True
    assert not extra(reply)["handoff_offered"]
    assert deps.conversations.get(v.cid, consistent=True)["status"] in ("new", "open")
    assert len(_offline_events(v)) == 1
    n = len(v.bot_replies())
    # what the visitor writes next is not met by "rephrase" / another handoff
    v.say("我想留言:我的订单还没到", deps)
    assert len(v.bot_replies()) == n + 1
    assert extra(v.last_bot())["kind"] == "fallback" and "留言" in v.last_bot()["text"]
    assert "换个说法" not in v.last_bot()["text"]
    v.say("请尽快回复我", deps)
    v.say("今天天气怎么样", deps)
    assert len(v.bot_replies()) == n + 1  # silent: the reminder was given once
    conv = deps.conversations.get(v.cid, consistent=True)
    assert conv["status"] in ("new", "open") and conv["bot_state"]["misses"] == 0
    # questions the KB covers are still answered
    v.say("套餐多少钱", deps)
    assert extra(v.last_bot())["kind"] == "answer"
    # asking again: no second offline event, no promise
    v.say("转人工", deps)
    assert "转接" not in v.last_bot()["text"]
    assert len(_offline_events(v)) == 1
    assert all("转接" not in m["text"] for m in v.bot_replies())
    # the unanswered messages are still recorded for learning
    texts = {m["text"] for m in bot_service.kb_repo(deps).misses("demo")}
    assert {"请尽快回复我", "今天天气怎么样"} <= texts


def test_offline_handoff_in_english(api, deps, kb):
    _close_site(deps)
    v = Visitor(api, locale="en-US")
    v.say("I want to talk to a human", deps)
    text = v.last_bot()["text"]
    assert "connecting" not in text.lower() and "leave us a message" in text


def test_repeated_misses_hand_off(api, deps, kb):
    v = Visitor(api)
    v.say("今天天气怎么样", deps)
    v.say("附近有好吃的餐厅吗", deps)
    assert extra(v.last_bot())["kind"] == "handoff"
    assert deps.conversations.get(v.cid, consistent=True)["status"] == "queued"
    reasons = sorted(m["reason"] for m in bot_service.kb_repo(deps).misses("demo"))
    assert reasons == ["fallback", "handoff"]


def test_a_sites_own_handoff_rule(api, deps, kb):
    from chalicelib.services import admin
    admin.put_site(deps, "demo", {"bot_handoff_keywords": ["chargeback", "投诉"],
                                  "bot_handoff_misses": 1}, "https://cdn.example/parley.js")
    v = Visitor(api)
    v.say("I see a CHARGE BACK on my card", deps)
    ex = extra(v.last_bot())
    assert ex["kind"] == "handoff"
    assert deps.conversations.get(v.cid, consistent=True)["status"] == "queued"
    # one miss is enough on this site
    w = Visitor(api)
    w.say("今天天气怎么样", deps)
    assert extra(w.last_bot())["kind"] == "handoff"


# ------------------------------------------------------------------ flows
class _Stub(BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append(body)
        if body.get("order_id", "").startswith("EF"):
            self.send_response(500)
            self.end_headers()
            return
        data = json.dumps({"ok": True, "status": "已发货" if body["order_id"] != "GH111111"
                           else "shipped"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    _Stub.calls = []
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/orders/status", _Stub.calls
    server.shutdown()
    server.server_close()


def order_flow(url):
    """The demo site's order-status flow (the same definition the seed installs)."""
    from infra.local.seed import demo_order_flow
    return demo_order_flow(url)


def test_flow_with_correction_interruption_and_failure(api, deps, kb, admin_token, stub):
    url, calls = stub
    status, data = api.request("PUT", "/v1/admin/kb/flows?site_key=demo",
                               {"flows": [order_flow(url)]}, token=admin_token)
    assert status == 200, data
    v = Visitor(api)
    v.say("我想查订单", deps)
    assert v.last_bot()["text"] == "请提供订单号(例如 AB123456)。"
    v.say("AB123456", deps)
    assert v.last_bot()["text"] == "请提供下单时的手机号。"
    v.say("不对,订单号是CD654321", deps)          # correction while asked for the phone
    assert v.last_bot()["text"] == "请提供下单时的手机号。"
    v.say("13800138000", deps)
    assert v.last_bot()["text"] == "订单CD654321的状态:已发货"
    assert calls[-1] == {"order_id": "CD654321", "phone": "+8613800138000"}

    # interruption: an FAQ question mid-flow is answered and the flow continues; the phone
    # number given before is remembered (context memory), so it is not asked again
    v.say("order status", deps)
    assert v.last_bot()["text"] == "What is your order number (e.g. AB123456)?"
    v.say("How much does it cost?", deps)
    assert extra(v.last_bot())["entry_id"] == "en-price"
    v.say("GH111111", deps)
    assert v.last_bot()["text"] == "Order GH111111: shipped"
    assert calls[-1] == {"order_id": "GH111111", "phone": "+8613800138000"}

    # the endpoint fails: polite failure, the human button is offered
    v.say("查订单 EF000000", deps)
    reply = v.last_bot()
    assert reply["text"].startswith("抱歉,暂时查不到订单状态") and extra(reply)["handoff_offered"] is True
    # cancel in the middle
    v.say("订单状态", deps)
    v.say("算了", deps)
    assert "取消" in v.last_bot()["text"]
    assert "flow" not in deps.conversations.get(v.cid, consistent=True)["bot_state"]


def test_flow_endpoint_unreachable(api, deps, kb, admin_token):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                     # nothing listens there
    api.request("PUT", "/v1/admin/kb/flows?site_key=demo",
                {"flows": [order_flow(f"http://127.0.0.1:{port}/x")]}, token=admin_token)
    v = Visitor(api, attributes={"phone": "13900139000"})
    v.say("查订单 AB123456", deps)                  # phone known from the visitor record
    assert v.last_bot()["text"].startswith("抱歉,暂时查不到订单状态")


def test_http_endpoint_adapter_limits(stub):
    from chalicelib.adapters import http_endpoint as he
    url, calls = stub
    assert he.call(url, {"order_id": "AB123456", "_method": "POST"}, 2)["status"] == "已发货"
    for bad in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http:///nohost"):
        with pytest.raises(he.EndpointError):
            he.call(bad, {}, 1)
    with pytest.raises(he.EndpointError):
        he.call(url, {"order_id": "EF000001"}, 2)   # HTTP 500


# ------------------------------------------------------------------ admin API
def test_admin_role_is_required(api, deps, agent_token):
    v = api.visitor_session()
    assert api.get("/v1/admin/kb?site_key=demo")[0] == 401
    status, data = api.get("/v1/admin/kb?site_key=demo", token=v["token"])
    assert status == 401, data
    status, data = api.get("/v1/admin/kb?site_key=demo", token=agent_token)
    assert status == 403 and data["error"]["code"] == "forbidden"
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "csv": "x"},
                            token=agent_token)
    assert status == 403


def test_admin_crud_search_and_validation(api, deps, admin_token):
    t = admin_token
    status, data = api.post("/v1/admin/kb", {"site_key": "demo", "id": "hours",
                                             "question": "What are your opening hours?",
                                             "similar": ["when are you open"],
                                             "answer": "9-18 on weekdays.", "tags": ["general"]},
                            token=t)
    assert status == 201, data
    v1 = data["version"]
    assert api.post("/v1/admin/kb", {"site_key": "demo", "id": "hours", "question": "q",
                                     "answer": "a"}, token=t)[0] == 409
    for bad in ({"site_key": "demo", "question": "q", "answer": "a", "colour": "red"},
                {"site_key": "demo", "question": "", "answer": "a"},
                {"site_key": "demo", "question": "q", "answer": "a" * 5001},
                {"site_key": "demo", "question": "q", "answer": "a", "similar": "x"},
                {"site_key": "demo", "question": "q", "answer": "a", "enabled": "yes"}):
        status, data = api.post("/v1/admin/kb", bad, token=t)
        assert status == 400, (bad, data)
    assert api.post("/v1/admin/kb", {"site_key": "nope", "question": "q", "answer": "a"},
                    token=t)[0] == 404
    status, data = api.get("/v1/admin/kb?site_key=demo", token=t)
    assert [e["id"] for e in data["entries"]] == ["hours"] and data["version"] == v1
    assert data["entries"][0] == {"id": "hours", "question": "What are your opening hours?",
                                  "similar": ["when are you open"], "answer": "9-18 on weekdays.",
                                  "tags": ["general"], "enabled": True, "site_key": "demo",
                                  "learned": []}
    status, data = api.request("PUT", "/v1/admin/kb/hours?site_key=demo",
                               {"question": "When are you open?", "answer": "9-18.",
                                "enabled": False}, token=t)
    assert status == 200 and data["version"] != v1
    status, data = api.get("/v1/admin/kb?site_key=demo&q=are%20you%20open", token=t)
    assert data["entries"][0]["enabled"] is False and data["entries"][0]["answer"] == "9-18."
    assert api.request("PUT", "/v1/admin/kb/missing?site_key=demo",
                       {"question": "q", "answer": "a"}, token=t)[0] == 404
    assert api.request("DELETE", "/v1/admin/kb/hours?site_key=demo", token=t)[0] == 200
    assert api.request("DELETE", "/v1/admin/kb/hours?site_key=demo", token=t)[0] == 404
    assert api.get("/v1/admin/kb?site_key=demo", token=t)[1]["entries"] == []


def test_csv_import_good_and_bad(api, deps, admin_token):
    t = admin_token
    csv_text = DEMO_KB.read_text(encoding="utf-8")
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "csv": csv_text}, token=t)
    assert status == 200 and data["imported"] == 20, data
    version = data["version"]

    bad = ("id,question,similar,answer\n"
           "ok-1,Good question?,,Good answer.\n"
           "ok-1,Duplicate id?,,Answer.\n"
           "no-answer,Where is the answer?,,\n"
           "short,too few\n")
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "csv": bad}, token=t)
    assert status == 400 and data["error"]["code"] == "invalid_csv"
    assert [e["line"] for e in data["error"]["details"]["errors"]] == [3, 4, 5]
    status, data = api.post("/v1/admin/kb/import",
                            {"site_key": "demo", "csv": "question,answer\nq,a\n"}, token=t)
    assert status == 400 and data["error"]["details"]["errors"][0]["line"] == 1
    # nothing half-imported: the KB and its version are as before
    status, data = api.get("/v1/admin/kb?site_key=demo", token=t)
    assert len(data["entries"]) == 20 and data["version"] == version
    assert "ok-1" not in {e["id"] for e in data["entries"]}

    # export round-trips (CSV, UTF-8)
    resp = api.client.http.get("/v1/admin/kb/export?site_key=demo",
                               headers={"Authorization": f"Bearer {t}"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    from chalicelib.domain.bot import import_csv
    exported = import_csv(resp.body)
    assert exported.ok and len(exported.entries) == 20
    assert {e.id for e in exported.entries} == {e["id"] for e in data["entries"]}

    # merge (default) keeps the rest; replace swaps everything
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "csv":
                            "id,question,similar,answer\nnew-1,New?,,Yes.\n"}, token=t)
    assert status == 200 and data["total"] == 21
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "mode": "replace", "csv":
                            "id,question,similar,answer\nnew-1,New?,,Yes.\n"}, token=t)
    assert status == 200 and data["total"] == 1
    assert [e["id"] for e in api.get("/v1/admin/kb?site_key=demo", token=t)[1]["entries"]] == ["new-1"]


def test_failed_batch_write_leaves_the_kb_unchanged(api, deps, admin_token, monkeypatch):
    from chalicelib.adapters import models
    t = admin_token
    api.post("/v1/admin/kb/import", {"site_key": "demo", "csv": DEMO_KB.read_text("utf-8")}, token=t)
    before = api.get("/v1/admin/kb?site_key=demo", token=t)[1]
    real = models.KbItem.batch_write

    class Failing:
        def __init__(self):
            self.inner = real()
            self.n = 0

        def __enter__(self):
            self.inner.__enter__()
            return self

        def save(self, item):
            self.n += 1
            if self.n > 5:
                raise RuntimeError("throttled")
            self.inner.save(item)

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    monkeypatch.setattr(models.KbItem, "batch_write", classmethod(lambda cls: Failing()))
    csv_text = "id,question,similar,answer\n" + "".join(f"e{i},Q{i}?,,A{i}.\n" for i in range(30))
    status, data = api.post("/v1/admin/kb/import", {"site_key": "demo", "csv": csv_text,
                                                    "mode": "replace"}, token=t)
    assert status == 503 and data["error"]["code"] == "kb_write_failed"
    monkeypatch.setattr(models.KbItem, "batch_write", real)
    after = api.get("/v1/admin/kb?site_key=demo", token=t)[1]
    assert after == before


def test_proposals_cluster_paraphrases_of_missed_questions(api, deps, kb, admin_token):
    for text in ("你们支持微信支付吗", "支持微信支付吗?", "你們支持微信支付嗎？", "can I pay with paypal",
                 "paypal payment possible?", "Can I pay with PayPal?", "今天天气怎么样"):
        v = Visitor(api)
        v.say(text, deps)
    status, data = api.get("/v1/admin/kb/proposals?site_key=demo", token=admin_token)
    assert status == 200, data
    props = data["proposals"]
    by_size = sorted(props, key=lambda p: -p["count"])
    wechat = next(p for p in props if "微信" in p["representative"])
    assert wechat["count"] == 3 and len(wechat["examples"]) == 3
    paypal = next(p for p in props if "paypal" in p["representative"].lower())
    assert paypal["count"] == 3 and "paypal payment possible?" in paypal["examples"]
    assert [p["count"] for p in by_size] == [3, 3, 1] and data["misses"] == 7


def test_duplicates_synonyms_and_flow_validation(api, deps, kb, admin_token):
    t = admin_token
    api.post("/v1/admin/kb", {"site_key": "demo", "id": "price-2", "question": "套餐多少钱一个月?",
                              "similar": ["收费标准是什么"], "answer": "见价格页。"}, token=t)
    status, data = api.get("/v1/admin/kb/duplicates?site_key=demo", token=t)
    assert status == 200
    assert any({p["a"], p["b"]} == {"plan-price", "price-2"} for p in data["pairs"]), data

    status, data = api.request("PUT", "/v1/admin/kb/synonyms?site_key=demo",
                               {"groups": [["网盘", "云盘"]]}, token=t)
    assert status == 200, data
    assert api.get("/v1/admin/kb/synonyms?site_key=demo", token=t)[1]["groups"] == [["网盘", "云盘"]]
    for bad in ({"groups": [["only-one"]]}, {"groups": "x"}, {"groups": [[1, 2]]}, {"x": []}):
        assert api.request("PUT", "/v1/admin/kb/synonyms?site_key=demo", bad, token=t)[0] == 400

    good = order_flow("https://api.example.com/orders")
    bads = [
        {**good, "action": {"url": "file:///etc/passwd"}},
        {**good, "slots": [{"name": "x", "kind": "order", "prompt": "p"}]},      # no pattern
        {**good, "slots": [{"name": "x", "kind": "regex", "pattern": "([", "prompt": "p"}]},
        {**good, "slots": [{"name": "x", "kind": "spaceship", "prompt": "p"}]},
        {**good, "slots": [{"name": "", "kind": "text", "prompt": "p"}]},         # no name
        {**good, "slots": [{"name": "x", "kind": "regex", "pattern": "(?=a)", "prompt": "p"}]},
        {**good, "triggers": []},
        {**good, "answers": {}},
        {**good, "surprise": 1},
    ]
    for bad in bads:
        status, data = api.request("PUT", "/v1/admin/kb/flows?site_key=demo", {"flows": [bad]},
                                   token=t)
        assert status == 400, (bad, data)
    assert api.get("/v1/admin/kb/flows?site_key=demo", token=t)[1]["flows"] == []
    status, data = api.request("PUT", "/v1/admin/kb/flows?site_key=demo", {"flows": [good]}, token=t)
    assert status == 200, data
    assert [f["id"] for f in api.get("/v1/admin/kb/flows?site_key=demo", token=t)[1]["flows"]] == \
        ["order-status"]
    status, _ = api.request("PUT", "/v1/admin/kb/flows?site_key=demo", {"flows": []}, token=t)
    assert status == 200 and api.get("/v1/admin/kb/flows?site_key=demo", token=t)[1]["flows"] == []


def test_common_base_is_shared_and_overridden_per_site(api, deps, admin_token):
    t = admin_token
    api.post("/v1/admin/kb", {"id": "hours", "question": "营业时间是几点?",
                              "answer": "工作日9点到18点。"}, token=t)       # site_key defaults to _common
    v = Visitor(api)
    v.say("你们营业时间是几点", deps)
    assert v.last_bot()["text"] == "工作日9点到18点。"
    api.post("/v1/admin/kb", {"site_key": "demo", "id": "hours", "question": "营业时间是几点?",
                              "answer": "每天都营业。"}, token=t)
    v.say("营业时间是几点", deps)
    assert v.last_bot()["text"] == "每天都营业。"


def test_demo_seed_loads_the_kb_and_the_order_flow(deps, api):
    from infra.local.seed import seed_demo
    seed_demo(deps)
    seed_demo(deps)                                # idempotent
    repo = bot_service.kb_repo(deps)
    assert len(repo.entries("demo")) == 20
    assert [f["id"] for f in repo.flows("demo")] == ["order-status"]
    v = Visitor(api)
    v.say("怎么申请发票?", deps)
    assert extra(v.last_bot())["entry_id"] == "invoice-cn"
    v.say("查订单", deps)
    assert v.last_bot()["text"].startswith("请提供订单号")


def test_bot_stays_quiet_once_an_agent_has_joined(api, deps, kb, agent_token):
    v = Visitor(api)
    v.say("How much does it cost?", deps)
    assert len(v.bot_replies()) == 1
    status, _ = api.post(f"/v1/agent/conversations/{v.cid}/join", {}, token=agent_token)
    assert status == 200
    v.say("Is there a free trial?")
    assert receive_events(deps) == []  # no bot turn: a human is in the conversation
    assert len(v.bot_replies()) == 1


def test_concurrent_turns_keep_the_latest_state(api, deps, kb):
    """Turns of one conversation may run at once; an older turn never overwrites a newer
    turn's state, and a newer one replaces an older one even if it read a stale state."""
    from chalicelib.services.bot import _save_state
    v = Visitor(api)
    deps.conversations.update(v.cid, set_fields={"bot_state": {"seq": 1, "misses": 0}},
                              bump_rev=False)
    read = {"seq": 1, "misses": 0}
    _save_state(deps, v.cid, read, {"seq": 5, "misses": 1})
    _save_state(deps, v.cid, read, {"seq": 3, "misses": 0})    # older turn, finishing later
    assert deps.conversations.get(v.cid, consistent=True)["bot_state"]["seq"] == 5
    _save_state(deps, v.cid, read, {"seq": 7, "misses": 2})    # newer turn, stale read
    assert deps.conversations.get(v.cid, consistent=True)["bot_state"] == {"seq": 7, "misses": 2}


def test_suggestions_are_recorded_and_answered_misses_leave_the_proposals(api, deps, kb,
                                                                         admin_token):
    v = Visitor(api)
    v.say("what happens to deleted files", deps)   # suggestions only
    assert extra(v.last_bot())["kind"] == "suggest"
    reasons = {m["text"]: m["reason"] for m in bot_service.kb_repo(deps).misses("demo")}
    assert reasons == {"what happens to deleted files": "suggest"}
    for text in ("can I pay with paypal", "paypal payment possible?"):
        Visitor(api).say(text, deps)
    status, data = api.get("/v1/admin/kb/proposals?site_key=demo", token=admin_token)
    assert any("paypal" in p["representative"].lower() for p in data["proposals"])
    # the admin adds an entry: those misses are answered now and leave the proposals
    status, _ = api.request("POST", "/v1/admin/kb", {
        "site_key": "demo", "id": "paypal", "question": "Can I pay with PayPal?",
        "similar": ["paypal payment possible"], "answer": "Yes, PayPal is accepted."},
        token=admin_token)
    assert status == 201
    status, data = api.get("/v1/admin/kb/proposals?site_key=demo", token=admin_token)
    assert not any("paypal" in p["representative"].lower() for p in data["proposals"])
    assert data["misses"] == 1

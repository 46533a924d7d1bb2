"""Learning from traffic on moto: "helpful?" feedback, clicked suggestions, the admin's
learning queue (approve / reject / add from a transcript) and the examples the site's
calibration learns from."""
from chalicelib.services import bot as bot_service
from tests.integration.test_bot import (  # noqa: F401  (fixtures)
    Visitor, admin_token, api, extra, kb, run_events)


def _labels(api, token, site="demo"):
    status, data = api.get(f"/v1/admin/kb/labels?site_key={site}", token=token)
    assert status == 200, data
    return data


def test_helpful_feedback_goes_to_the_learning_queue(api, deps, kb, admin_token):
    v = Visitor(api)
    v.say("套餐多少钱", deps)
    answer = v.last_bot()
    assert extra(answer)["kind"] == "answer"
    url = f"/v1/visitor/conversations/{v.cid}/bot-feedback"
    status, data = api.post(url, {"seq": answer["seq"], "helpful": False}, token=v.token)
    assert status == 200 and data == {"recorded": True, "helpful": False}
    status, data = api.post(url, {"seq": answer["seq"], "helpful": True}, token=v.token)
    assert status == 200  # changed their mind: the same label, replaced
    labels = _labels(api, admin_token)["labels"]
    assert [(x["text"], x["entry_id"], x["source"]) for x in labels] == [
        ("套餐多少钱", "plan-price", "helpful_yes")]
    # validation: not a bot answer, bad body, someone else's conversation
    status, data = api.post(url, {"seq": 1, "helpful": True}, token=v.token)
    assert status == 404 and data["error"]["code"] == "answer_not_found"
    status, data = api.post(url, {"seq": answer["seq"], "helpful": "yes"}, token=v.token)
    assert status == 400
    status, data = api.post(url, {"seq": answer["seq"]}, token=v.token)
    assert status == 400 and data["error"]["code"] == "missing_field"
    other = Visitor(api)
    status, data = api.post(url, {"seq": answer["seq"], "helpful": True}, token=other.token)
    assert status == 403
    assert len(_labels(api, admin_token)["labels"]) == 1


def test_clicked_suggestion_is_labelled_and_approval_teaches_the_bot(api, deps, kb, admin_token):
    v = Visitor(api)
    v.say("what happens to deleted files", deps)
    sugg = extra(v.last_bot())
    assert sugg["kind"] == "suggest" and sugg["suggestions"][0]["id"] == "recover-file"
    v.say(sugg["suggestions"][0]["question"], deps)          # the chip sends its question
    assert extra(v.last_bot())["entry_id"] == "recover-file"
    labels = _labels(api, admin_token)["labels"]
    assert [(x["text"], x["entry_id"], x["source"]) for x in labels] == [
        ("what happens to deleted files", "recover-file", "clicked")]
    # the admin approves: the question becomes a similar question, and the bot answers it
    status, data = api.post(f"/v1/admin/kb/labels/{labels[0]['id']}/approve",
                            {"site_key": "demo"}, token=admin_token)
    assert status == 200, data
    assert "what happens to deleted files" in data["entry"]["similar"]
    after = _labels(api, admin_token)
    assert after["labels"] == [] and after["examples"] == 1
    assert bot_service.kb_repo(deps).examples("demo") == [
        ["what happens to deleted files", "recover-file"]]
    w = Visitor(api)
    w.say("what happens to deleted files", deps)
    assert extra(w.last_bot())["kind"] == "answer"
    assert extra(w.last_bot())["entry_id"] == "recover-file"


def test_admin_adds_a_question_from_a_transcript_and_rejects_a_label(api, deps, kb, admin_token):
    status, data = api.post("/v1/admin/kb/labels", {"site_key": "demo", "text": "网盘能开几个账号",
                                                    "entry_id": "plan-price"}, token=admin_token)
    assert status == 201 and "网盘能开几个账号" in data["entry"]["similar"]
    status, data = api.post("/v1/admin/kb/labels", {"site_key": "demo", "text": "你们卖咖啡吗",
                                                    "entry_id": None}, token=admin_token)
    assert status == 201 and data["entry"] is None      # a negative example
    assert bot_service.kb_repo(deps).examples("demo")[-1] == ["你们卖咖啡吗", None]
    # validation and errors: nothing written
    for body, code in [({"site_key": "demo", "text": ""}, None),
                       ({"site_key": "demo", "text": "x", "entry_id": "nope"}, "entry_not_found"),
                       ({"site_key": "demo", "text": "x", "extra": 1}, "unknown_field"),
                       ({"site_key": "nosuch", "text": "x"}, "unknown_site")]:
        status, data = api.post("/v1/admin/kb/labels", body, token=admin_token)
        assert status in (400, 404) and (code is None or data["error"]["code"] == code), (body, data)
    assert len(bot_service.kb_repo(deps).examples("demo")) == 2
    # reject a queued label
    v = Visitor(api)
    v.say("套餐多少钱", deps)
    api.post(f"/v1/visitor/conversations/{v.cid}/bot-feedback",
             {"seq": v.last_bot()["seq"], "helpful": False}, token=v.token)
    label = _labels(api, admin_token)["labels"][0]
    status, data = api.request("DELETE", f"/v1/admin/kb/labels/{label['id']}?site_key=demo",
                               token=admin_token)
    assert status == 200 and data["deleted"] == label["id"]
    status, data = api.request("DELETE", f"/v1/admin/kb/labels/{label['id']}?site_key=demo",
                               token=admin_token)
    assert status == 404 and data["error"]["code"] == "label_not_found"
    status, data = api.post("/v1/admin/kb/labels/bad id/approve", {"site_key": "demo"},
                            token=admin_token)
    assert status in (400, 404)


def test_labels_need_an_admin(api, deps, kb):
    from chalicelib.services import agents
    agents.create_agent(deps, {"email": "bo@example.com", "name": "Bo", "password": "correct horse",
                               "role": "agent"})
    token = api.agent_login("bo@example.com", "correct horse")["token"]
    status, _ = api.get("/v1/admin/kb/labels?site_key=demo", token=token)
    assert status == 403
    status, _ = api.get("/v1/admin/kb/labels?site_key=demo")
    assert status == 401


def test_flow_dry_run_calls_the_endpoint_and_stores_nothing(api, deps, kb, admin_token):
    calls = []

    def endpoint(url, payload, timeout):
        calls.append((url, payload))
        return {"ok": True, "status": "processing"}

    deps.extras["call_endpoint"] = endpoint
    flow = {"id": "order-status", "triggers": {"zh": ["查订单"], "en": ["track my order"]},
            "slots": [{"name": "order_id", "kind": "order", "pattern": "[A-Z]{2}\\d{6,}",
                       "prompt": {"zh": "请提供订单号", "en": "Your order number?"}}],
            "action": {"url": "https://orders.example/status", "method": "POST"},
            "answers": {"success": {"zh": "订单{order_id}:{status}", "en": "Order {order_id}: {status}"}},
            "labels": {"status": {"processing": {"zh": "仓库处理中", "en": "being packed"}}}}
    status, data = api.post("/v1/admin/kb/flows/test",
                            {"flow": flow, "messages": ["你好", "查订单", "AB123456"]},
                            token=admin_token)
    assert status == 200, data
    assert [r["status"] for r in data["replies"]] == [None, "ask", "done"]
    assert data["replies"][2]["text"] == "订单AB123456:仓库处理中"
    assert calls and calls[0][0] == "https://orders.example/status"
    status, data = api.get("/v1/admin/kb/flows?site_key=demo", token=admin_token)
    assert all(f["id"] != "order-status" or "labels" not in f for f in data["flows"])
    # validation: a bad flow, no messages, too many
    bad = dict(flow, action={"url": "ftp://x"})
    for body in ({"flow": bad, "messages": ["查订单"]}, {"flow": flow, "messages": []},
                 {"flow": flow, "messages": ["x"] * 11}, {"flow": flow}):
        status, data = api.post("/v1/admin/kb/flows/test", body, token=admin_token)
        assert status == 400, (body, data)


def test_a_learned_question_stays_marked_through_edits_of_its_entry(api, deps, kb, admin_token):
    """Approved traffic is marked as learned (an example for the matcher: docs/bot.md
    "Learning"); an edit that does not name `learned` (the console's Save) keeps the mark on
    the similar questions the entry still has; `learned` in the body replaces it."""
    text = "网盘能开几个账号"
    status, data = api.post("/v1/admin/kb/labels", {"site_key": "demo", "text": text,
                                                    "entry_id": "plan-price"}, token=admin_token)
    assert status == 201 and data["entry"]["learned"] == [text]
    entry = data["entry"]
    body = {k: entry[k] for k in ("question", "similar", "answer", "tags", "enabled")}
    url = "/v1/admin/kb/plan-price?site_key=demo"
    status, data = api.request("PUT", url, dict(body, answer=entry["answer"] + " "),
                               token=admin_token)
    assert status == 200 and data["entry"]["learned"] == [text]
    assert bot_service.kb_repo(deps).get_entry("demo", "plan-price").learned == [text]
    # the same text stays the entry's words when the admin says so, or goes with its question
    status, data = api.request("PUT", url, dict(body, learned=[]), token=admin_token)
    assert status == 200 and data["entry"]["learned"] == [] and text in data["entry"]["similar"]
    status, data = api.request("PUT", url, dict(body, learned=[text, "not one of them"]),
                               token=admin_token)
    assert data["entry"]["learned"] == [text]
    status, data = api.request("PUT", url, dict(body, similar=[s for s in body["similar"]
                                                               if s != text]), token=admin_token)
    assert status == 200 and data["entry"]["learned"] == []
    # validated like similar questions: nothing written
    status, data = api.request("PUT", url, dict(body, learned="x"), token=admin_token)
    assert status == 400
    status, data = api.request("PUT", url, dict(body, learned=[""]), token=admin_token)
    assert status == 400
    assert bot_service.kb_repo(deps).get_entry("demo", "plan-price").learned == []

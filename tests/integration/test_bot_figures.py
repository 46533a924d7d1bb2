"""Per-entry bot figures: bot replies counted from the conversation event stream (the real
event derivation, the reports consumer), the widget's "helpful?" counted once per answer,
and the admin API that lists them (validation, paging, roles)."""
from chalicelib.domain import events
from chalicelib.services.reports import consumer
from tests.helpers.event_envelopes import rows
from tests.integration import test_bot
from tests.integration.test_bot import Visitor, extra

api, kb, admin_token, agent_token = test_bot.api, test_bot.kb, test_bot.admin_token, test_bot.agent_token

URL = "/v1/admin/kb/figures"


def stream(deps, cid):
    """Every event of the conversation through the reports consumer, as the stream would."""
    for row in rows(deps, cid):
        for env in events.from_message(row):
            consumer.handle(deps, env)


def figures(api, token, query="site_key=demo"):
    status, data = api.get(f"{URL}?{query}", token=token)
    assert status == 200, data
    return data


def by_id(data):
    return {e["id"]: e for e in data["entries"]}


def test_answers_suggestions_feedback_and_handoffs_are_counted_per_entry(api, deps, kb,
                                                                         admin_token):
    v = Visitor(api, locale="zh-CN")
    v.say("套餐多少钱?", deps)                      # answered: plan-price
    answer = v.last_bot()
    assert extra(answer)["entry_id"] == "plan-price"
    url = f"/v1/visitor/conversations/{v.cid}/bot-feedback"
    for helpful in (True, True, False):             # the first choice counts, once
        status, _ = api.post(url, {"seq": answer["seq"], "helpful": helpful}, token=v.token)
        assert status == 200
    v.say("转人工", deps)                            # a person after that answer
    w = Visitor(api, locale="en-US")
    w.say("what happens to deleted files", deps)  # offered, not answered
    offered = [s["id"] for s in extra(w.last_bot())["suggestions"]]
    assert extra(w.last_bot())["kind"] == "suggest" and offered[0] == "recover-file"
    for cid in (v.cid, w.cid, v.cid):               # a redelivered stream counts nothing twice
        stream(deps, cid)

    data = figures(api, admin_token, "site_key=demo&limit=100")
    f = by_id(data)
    assert f["plan-price"]["answered"] == 1 and f["plan-price"]["asked"] == 1
    assert (f["plan-price"]["helpful"], f["plan-price"]["not_helpful"]) == (1, 0)
    assert f["plan-price"]["helpful_rate"] == 1.0 and f["plan-price"]["handed_off"] == 1
    assert f["recover-file"]["offered"] == 1 and f["recover-file"]["offered_first"] == 1
    assert f["recover-file"]["asked"] == 1 and f["recover-file"]["answered"] == 0
    for other in offered[1:]:
        assert f[other]["offered"] == 1 and f[other]["offered_first"] == 0
    # every entry is listed, asked or not, most asked first
    assert data["total"] == 20 and len(data["entries"]) == 20
    assert [e["asked"] for e in data["entries"]] == sorted(
        (e["asked"] for e in data["entries"]), reverse=True)
    assert f["en-sso"] == {**f["en-sso"], "asked": 0, "answered": 0, "deleted": False}


def test_a_chat_the_bot_closed_alone_counts_as_resolved_by_its_last_answer(api, deps, kb,
                                                                          admin_token):
    v = Visitor(api, locale="en-US")
    v.say("Can I use it offline?", deps)
    assert extra(v.last_bot())["entry_id"] == "en-offline"
    status, _ = api.post(f"/v1/visitor/conversations/{v.cid}/close", {}, token=v.token)
    assert status == 200
    stream(deps, v.cid)
    f = by_id(figures(api, admin_token, "site_key=demo&limit=100"))
    assert f["en-offline"]["resolved"] == 1 and f["en-offline"]["handed_off"] == 0


def test_figures_page_and_validate(api, deps, kb, admin_token, agent_token):
    first = figures(api, admin_token, "site_key=demo&limit=8")
    assert len(first["entries"]) == 8 and first["next_cursor"] == "8"
    second = figures(api, admin_token, "site_key=demo&limit=8&cursor=8")
    third = figures(api, admin_token, "site_key=demo&limit=8&cursor=16")
    assert len(third["entries"]) == 4 and third["next_cursor"] is None
    ids = [e["id"] for page in (first, second, third) for e in page["entries"]]
    assert len(ids) == len(set(ids)) == 20
    ranged = figures(api, admin_token, "site_key=demo&from=2026-01-01&to=2026-01-31")
    assert (ranged["from"], ranged["to"]) == ("2026-01-01", "2026-01-31")
    for query, code in [("site_key=_common", "site_required"),
                        ("site_key=demo&from=2026-13-01", "invalid_date"),
                        ("site_key=demo&from=2026-02-01&to=2026-01-01", "invalid_range"),
                        ("site_key=demo&from=2026-01-01&to=2026-06-01", "range_too_long"),
                        ("site_key=demo&limit=0", "out_of_range"),
                        ("site_key=demo&cursor=x", "out_of_range")]:
        status, data = api.get(f"{URL}?{query}", token=admin_token)
        assert status == 400 and data["error"]["code"] == code, (query, data)
    status, data = api.get(f"{URL}?site_key=nowhere", token=admin_token)
    assert status == 404 and data["error"]["code"] == "unknown_site"
    assert api.get(f"{URL}?site_key=demo", token=agent_token)[0] == 403
    assert api.get(f"{URL}?site_key=demo")[0] == 401

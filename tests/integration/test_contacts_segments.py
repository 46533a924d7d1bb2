"""Segments on moto: a filter over channel, rating, chats and a custom field reads one index
and matches in memory, paged with a cursor; saved, exported as CSV and bulk-tagged."""
import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services.contacts import links, records
from tests.helpers.api import Api


def test_filter_save_export_and_bulk_tag_a_segment(deps, site):
    api = Api(app_module.app)
    agent_svc.create_agent(deps, {"email": "sue@example.com", "name": "Sue",
                                  "password": "password1", "role": "supervisor"})
    sue = api.agent_login("sue@example.com", "password1")["token"]
    sup = Actor(kind="agent", id="sup", role="admin")
    records.set_field_defs(deps, sup, "demo", {"fields": [
        {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
         "options": [{"value": "pro"}, {"value": "basic"}]}]})
    status, data = api.get("/v1/agent/contact-fields?site_key=demo", sue)   # any agent reads
    assert status == 200 and [d["key"] for d in data["fields"]] == ["plan"], data
    status, data = api.get("/v1/agent/contact-fields", sue)
    assert status == 400, data
    status, data = api.get("/v1/agent/contact-fields?site_key=demo", None)
    assert status == 401, data
    wanted = []
    for i in range(6):
        c = links.link(deps, "demo", f"v{i}", name=f"客户{i}",
                       channel_ids=[("wechat", f"o{i}")] if i % 2 == 0 else ())
        c = records.resolve(deps, c["contact_id"])
        stats = {**c["stats"], "last_rating": 5 if i < 4 else 2, "chats": i}
        records.commit(deps, c, {**c, "stats": stats,
                                 "fields": {"plan": "pro" if i != 2 else "basic"}})
        if i % 2 == 0 and i < 4 and i != 2:
            wanted.append(c["contact_id"])
    f = {"channel": "wechat", "min_rating": 4, "fields": {"plan": "pro"}}
    status, data = api.post("/v1/agent/contacts/search",
                            {"site_key": "demo", "filter": f, "limit": 10}, sue)
    assert status == 200, data
    assert [c["contact_id"] for c in data["contacts"]] == wanted      # only v0
    assert data["index"] == "site" and data["scanned"] == 6 and data["next"] is None
    status, data = api.post("/v1/agent/contacts/search",
                            {"site_key": "demo", "filter": {"channel": "fax"}}, sue)
    assert status == 400 and data["error"]["details"]["field"] == "filter.channel"

    status, data = api.post("/v1/agent/segments", {"site_key": "demo", "name": "微信高分",
                                                   "filter": f}, sue)
    assert status == 200, data
    seg = data["segment"]["segment_id"]
    status, data = api.get("/v1/agent/segments?site_key=demo", sue)
    assert [s["name"] for s in data["segments"]] == ["微信高分"]
    status, body = api.get(f"/v1/agent/segments/{seg}/export?site_key=demo", sue)
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    assert status == 200 and text.startswith("\ufeff") and "客户0" in text
    assert "客户2" not in text and "客户1" not in text

    status, data = api.post("/v1/agent/contacts/bulk-tag",
                            {"site_key": "demo", "filter": f, "tag": "活动"}, sue)
    assert status == 200 and data["tagged"] == 1, data
    assert deps.contacts.by_tag("demo", "活动") == wanted
    status, data = api.post("/v1/agent/contacts/bulk-tag",
                            {"site_key": "demo", "filter": f, "tag": "活动"}, sue)
    assert data["tagged"] == 0                                        # idempotent
    status, data = api.request("DELETE", f"/v1/agent/segments/{seg}?site_key=demo", None, sue)
    assert status == 200
    status, data = api.request("DELETE", f"/v1/agent/segments/{seg}?site_key=demo", None, sue)
    assert status == 404 and data["error"]["code"] == "segment_not_found"

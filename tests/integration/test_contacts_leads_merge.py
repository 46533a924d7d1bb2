"""Leads and merging on moto: two agents claiming one lead at once (exactly one wins), a
claimed lead returning to the pool on a simulated clock, a merge that keeps everything and is
idempotent, custom fields through the API."""
import threading

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import sessions
from chalicelib.services.contacts import leads, links, merging, records
from chalicelib.errors import AppError
from tests.helpers.api import Api

HOUR = 3600 * 1000


def _agent(deps, email, role="agent"):
    a = agent_svc.create_agent(deps, {"email": email, "name": email.split("@")[0].title(),
                                      "password": "password1", "role": role})
    return Actor(kind="agent", id=a["agent_id"], role=role, name=a["name"])


def _lead(deps, email="lead@example.com"):
    s = sessions.start_session(deps, {"site_key": "demo", "name": "Lead", "email": email})
    return records.of_identity(deps, "demo", f"visitor:{s['visitor_id']}")


def test_two_agents_claiming_one_lead_at_once_exactly_one_wins(deps, site):
    c = _lead(deps)
    agents = [_agent(deps, f"sales{i}@example.com") for i in range(4)]
    results, barrier = {}, threading.Barrier(len(agents))

    def go(agent):
        barrier.wait()
        try:
            results[agent.id] = leads.claim(deps, agent, c["contact_id"])["contact"]
        except AppError as exc:
            results[agent.id] = exc.code

    threads = [threading.Thread(target=go, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [aid for aid, r in results.items() if isinstance(r, dict)]
    assert len(winners) == 1, results
    assert sorted(r for r in results.values() if isinstance(r, str)) == ["already_claimed"] * 3
    stored = records.resolve(deps, c["contact_id"], consistent=True)
    assert stored["lead"]["owner_id"] == winners[0] == stored["owner_id"]
    assert records.list_contacts(deps, None, "demo", {"lead": "pool"})["contacts"] == []
    mine = records.list_contacts(deps, None, "demo", {"owner": winners[0]})["contacts"]
    assert [x["contact_id"] for x in mine] == [c["contact_id"]]


def test_an_untouched_lead_returns_to_the_pool_on_time(deps, site):
    clock = {"ms": 1_800_000_000_000}
    deps.clock = lambda: clock["ms"] / 1000
    deps.sites.put({**site, "settings": {**site["settings"], "lead_return_hours": 2}})
    ann = _agent(deps, "ann@example.com")
    c = _lead(deps)
    leads.claim(deps, ann, c["contact_id"])
    clock["ms"] += HOUR
    leads.move(deps, ann, c["contact_id"], {"status": "contacted", "note": "called",
                                            "next_contact_at": clock["ms"] + HOUR})
    clock["ms"] += 2 * HOUR - 1                 # one ms before the return time
    assert leads.sweep(deps) == 0
    due = leads.due_follow_ups(deps, ann)["contacts"]
    assert [x["contact_id"] for x in due] == [c["contact_id"]]       # the follow-up is due
    clock["ms"] += 1
    assert leads.sweep(deps) == 1
    back = records.resolve(deps, c["contact_id"])
    assert back["lead"]["owner_id"] is None and back["lead"]["status"] == "contacted"
    assert back["owner_id"] is None
    pool = records.list_contacts(deps, None, "demo", {"lead": "pool"})["contacts"]
    assert [x["contact_id"] for x in pool] == [c["contact_id"]]
    assert leads.sweep(deps) == 0                                    # nothing twice
    kinds = [e["kind"] for e in deps.contacts.timeline(c["contact_id"])]
    assert {"lead_returned", "lead_claimed", "lead_moved"} <= set(kinds)


def test_merge_preview_then_merge_keeps_everything_and_is_idempotent(deps, site):
    sup = _agent(deps, "sue@example.com", role="supervisor")
    a = links.link(deps, "demo", "v_a", name="Ann", email="ann@example.com")
    b = links.link(deps, "demo", "v_b", name="Annie", phone="13800138000",
                   channel_ids=[("wechat", "oWx_1")])
    records.update(deps, sup, b["contact_id"], {"tags": ["vip"], "notes": "called twice"})
    records.timeline_entry(deps, records.resolve(deps, b["contact_id"]), "note",
                           {"text": "b's history"}, event_id="e-b-1")
    pre = merging.merge(deps, sup, a["contact_id"], {"from_contact_id": b["contact_id"],
                                                     "preview": True})["preview"]
    assert pre["moves"]["identities"] == ["phone:+8613800138000", "visitor:v_b",
                                          "wechat:oWx_1"]
    assert pre["conflicts"] == [{"field": "name", "kept": "Ann", "dropped": "Annie"}]
    assert records.resolve(deps, b["contact_id"])["contact_id"] == b["contact_id"]  # no write

    done = merging.merge(deps, sup, a["contact_id"], {"from_contact_id": b["contact_id"]})
    merged = done["contact"]
    assert merged["tags"] == ["vip"] and merged["phones"] == ["+8613800138000"]
    assert "called twice" in merged["notes"]
    for ident in ("visitor:v_b", "wechat:oWx_1", "phone:+8613800138000"):
        assert deps.contacts.owner_of("demo", ident) == a["contact_id"]
    # the loser redirects; its timeline and tag moved; the visitor finds the survivor
    assert records.resolve(deps, b["contact_id"])["contact_id"] == a["contact_id"]
    assert links.link(deps, "demo", "v_b")["contact_id"] == a["contact_id"]
    texts = [e.get("text") for e in deps.contacts.timeline(a["contact_id"])]
    assert "b's history" in texts
    assert deps.contacts.by_tag("demo", "vip") == [a["contact_id"]]
    # again: nothing changes, nothing is duplicated
    again = merging.merge(deps, sup, a["contact_id"], {"from_contact_id": b["contact_id"]})
    assert again["repeat"] is True
    assert len(deps.contacts.timeline(a["contact_id"])) == \
        len(deps.contacts.timeline(a["contact_id"], limit=100))
    assert texts.count("b's history") == 1
    # the other way round is refused: b is a tombstone now
    try:
        merging.merge(deps, sup, b["contact_id"], {"from_contact_id": a["contact_id"]})
        raise AssertionError("merged into a tombstone")
    except AppError as exc:
        assert exc.code == "same_contact"


def test_fields_are_defined_by_admins_and_validated_over_http(deps, site):
    api = Api(app_module.app)
    _agent(deps, "root@example.com", role="admin")
    _agent(deps, "ann@example.com")
    root = api.agent_login("root@example.com", "password1")["token"]
    ann = api.agent_login("ann@example.com", "password1")["token"]
    defs = {"fields": [{"key": "plan", "type": "select", "label_en": "Plan",
                        "label_zh": "套餐", "options": [{"value": "pro"}]}]}
    status, data = api.request("PUT", "/v1/admin/contact-fields?site_key=demo", defs, ann)
    assert status == 403 and data["error"]["code"] == "admin_only"
    status, data = api.request("PUT", "/v1/admin/contact-fields?site_key=demo", defs, root)
    assert status == 200, data
    c = _lead(deps)
    path = f"/v1/agent/contacts/{c['contact_id']}"
    status, data = api.request("PATCH", path, {"fields": {"plan": "gold"}}, ann)
    assert status == 400 and data["error"]["code"] == "invalid_field_value"
    assert records.resolve(deps, c["contact_id"])["fields"] == {}          # nothing written
    status, data = api.request("PATCH", path, {"fields": {"plan": "pro"}, "tags": ["b2b"]},
                               ann)
    assert status == 200 and data["contact"]["fields"] == {"plan": "pro"}
    status, data = api.get("/v1/agent/contacts?site_key=demo&tag=b2b", ann)
    assert status == 200 and [x["contact_id"] for x in data["contacts"]] == [c["contact_id"]]
    status, data = api.get(f"{path}/timeline", ann)
    assert status == 200 and data["timeline"][0]["kind"] == "fields_changed"
    assert data["timeline"][0]["changes"]["plan"] == [None, "pro"]
    status, data = api.post(f"/v1/agent/leads/{c['contact_id']}/claim", None, ann)
    assert status == 200 and data["contact"]["lead"]["owner_id"]
    status, data = api.post(f"/v1/agent/leads/{c['contact_id']}/claim", None, root)
    assert status == 409 and data["error"]["code"] == "already_claimed"
    status, data = api.get("/v1/agent/leads?site_key=demo&bucket=mine", ann)
    assert [x["contact_id"] for x in data["contacts"]] == [c["contact_id"]]
    status, data = api.get("/v1/agent/contacts/ct_nope", ann)
    assert status == 404 and data["error"]["code"] == "contact_not_found"

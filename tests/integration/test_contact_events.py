"""contact.* events on moto: a contact created, a field changed, a lead claimed, two contacts
merged, one erased; the contacts table's stream read as Lambda would, relayed twice (a
retried batch: the same ids), and the events arrive on a consumer queue with no personal
values in them; an endpoint subscribed to `contact.*` receives them signed."""
import json

import pytest

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services.contacts import leads, links, merging, privacy, records
from infra.local.streams import lambda_event
from tests.helpers.streams import drain_bodies, read_records, shard_starts

ADMIN = Actor(kind="agent", id="root", role="admin")
PERSONAL = ("赵六", "zhao@example.com", "Zhao Old", "13800138001", "Acme 中文", "pro",
            "private notes")


def test_contact_changes_reach_the_event_topic_through_the_stream(deps, site, aws):
    arn = aws["ContactsTableStreamArn"]
    assert ":table/" in arn and "-contacts/stream/" in arn
    starts = shard_starts(arn)
    a = agent_svc.create_agent(deps, {"email": "sales@example.com", "name": "Sal",
                                      "password": "password1", "role": "agent"})
    sal = Actor(kind="agent", id=a["agent_id"], role="agent", name="Sal")
    records.set_field_defs(deps, ADMIN, "demo", {"fields": [
        {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
         "options": [{"value": "pro"}, {"value": "basic"}]}]})
    c = links.link(deps, "demo", "v_ev1", name="赵六", email="zhao@example.com")   # created
    cid = c["contact_id"]
    records.update(deps, ADMIN, cid, {"fields": {"plan": "pro"}, "company": "Acme 中文",
                                      "notes": "private notes", "tags": ["vip"]})
    records.update(deps, ADMIN, cid, {"lead": True})                  # into the pool
    leads.claim(deps, sal, cid)                                       # claimed
    other = links.link(deps, "demo", "v_ev2", name="Zhao Old", phone="13800138001")
    oid = other["contact_id"]
    merging.merge(deps, ADMIN, cid, {"from_contact_id": oid})         # other -> cid
    privacy.erase(deps, ADMIN, cid)                                   # the survivor erased

    recs = read_records(starts, {f"contact#{cid}", f"contact#{oid}"}.__contains__)
    assert recs and all(r["eventName"] in ("INSERT", "MODIFY", "REMOVE") for r in recs)
    assert {r["dynamodb"]["StreamViewType"] for r in recs} == {"NEW_AND_OLD_IMAGES"}
    drain_bodies(aws["QaConsumerQueueUrl"])                          # earlier tests' events
    event = lambda_event(recs, "us-east-1", arn)
    app_module.relay_contacts(event, None)
    app_module.relay_contacts(event, None)                            # a retried batch

    envs = [b for b in drain_bodies(aws["QaConsumerQueueUrl"])
            if b.get("contact_id") in (cid, oid)]
    first = {}
    for e in envs:
        first.setdefault(e["id"], e)
    assert len(envs) == 2 * len(first)                    # the replay repeats the same ids
    mine = [e for e in first.values() if e["contact_id"] == cid]
    theirs = [e for e in first.values() if e["contact_id"] == oid]
    assert {e["type"] for e in mine} == {"contact.created", "contact.updated",
                                         "contact.lead_changed", "contact.deleted"}
    assert sorted(e["type"] for e in theirs) == ["contact.created", "contact.merged"]
    assert all(e["site_key"] == "demo" and e["conversation_id"] is None and e["version"] == 1
               for e in envs)
    by_type = {}
    for e in sorted(mine, key=lambda e: (int(e["id"].split(":")[2])
                                         if e["id"].split(":")[2].isdigit() else 10 ** 9,
                                         e["id"])):
        by_type.setdefault(e["type"], []).append(e)
    assert by_type["contact.created"][0]["id"] == f"ct:{cid}:1:0"
    changed = set().union(*(e["data"]["changed"] for e in by_type["contact.updated"]))
    assert {"fields", "company", "notes", "tags", "owner_id"} <= changed
    field_change = next(e for e in by_type["contact.updated"] if "fields" in e["data"])
    assert field_change["data"]["fields"] == ["plan"]
    assert field_change["data"]["tags"]["after"] == ["vip"]
    lead_changes = [e["data"]["change"] for e in by_type["contact.lead_changed"]]
    assert lead_changes[:2] == [["entered_pool"], ["claimed"]]
    claimed = by_type["contact.lead_changed"][1]["data"]
    assert claimed["owner_id"] == {"before": None, "after": sal.id}
    assert claimed["status"] == {"before": "new", "after": "new"}
    assert [e["id"] for e in by_type["contact.deleted"]] == [f"ct:{cid}:deleted"]
    merged = next(e for e in theirs if e["type"] == "contact.merged")
    assert merged["data"] == {"merged_into": cid}
    text = json.dumps(envs, ensure_ascii=False)
    assert not [p for p in PERSONAL if p in text], text


@pytest.fixture
def receiver():
    from tests.integration.test_webhooks import Receiver
    r = Receiver()
    yield r
    r.close()


def test_an_endpoint_subscribed_to_contact_events_receives_them_signed(deps, aws, receiver):
    from chalicelib.services import sites
    from tests.helpers.api import Api
    from tests.integration.test_event_stream import receive, sqs_event
    from tests.integration.test_webhooks import create_hook, run_deliveries, verify
    agent_svc.create_agent(deps, {"email": "root@example.com", "name": "Root",
                                  "password": "password1", "role": "admin"})
    api = Api(app_module.app)
    token = api.agent_login("root@example.com", "password1")["token"]
    sites.create_site(deps, "crmhooks", "CRM hooks", {"bot_enabled": False})
    created = create_hook(api, token, receiver.url, "crmhooks", ("contact.*",))
    secret = created["secret"]
    arn = aws["ContactsTableStreamArn"]
    starts = shard_starts(arn)
    c = links.link(deps, "crmhooks", "v_hook1", name="赵六", email="zhao@example.com")
    records.update(deps, ADMIN, c["contact_id"], {"tags": ["vip"], "company": "Acme 中文"})
    recs = read_records(starts, f"contact#{c['contact_id']}".__eq__)
    app_module.relay_contacts(lambda_event(recs, "us-east-1", arn), None)
    delivered = receive(aws["WebhooksConsumerQueueUrl"])
    assert app_module.consume_webhooks(sqs_event(delivered, aws["WebhooksConsumerQueueArn"]),
                                       None) == {"batchItemFailures": []}
    # at least this endpoint's two (a retry of an earlier test's delivery may fall due now:
    # it goes to that test's endpoint, not here)
    assert run_deliveries(aws) >= 2
    assert len(receiver.requests) == 2
    types = sorted(r["headers"]["Parley-Event-Type"] for r in receiver.requests)
    assert types == ["contact.created", "contact.updated"]
    for req in receiver.requests:
        assert verify(secret, req["headers"]["Parley-Signature"], req["body"])
        body = json.loads(req["body"])
        assert body["contact_id"] == c["contact_id"] and body["site_key"] == "crmhooks"
        assert not [p for p in PERSONAL if p in req["body"].decode("utf-8")]
    updated = next(json.loads(r["body"]) for r in receiver.requests
                   if r["headers"]["Parley-Event-Type"] == "contact.updated")
    assert updated["data"]["changed"] == ["company", "tags"]
    assert updated["data"]["tags"]["added"] == ["vip"]

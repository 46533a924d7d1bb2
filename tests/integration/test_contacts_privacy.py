"""Privacy on moto: an admin exports everything about a contact (JSON), then erases it: the
contact, its timeline, identities and tags, its visitors, conversations, messages,
attachments and quality results are gone from every table and the bucket; both audited."""
import boto3

import app as app_module
from chalicelib.adapters import models as m
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import sessions
from chalicelib.services.contacts import links, merging, records
from tests.helpers.api import Api


def test_export_then_erase_removes_the_contact_everywhere(deps, site, aws):
    api = Api(app_module.app)
    for email, role in (("root@example.com", "admin"), ("ann@example.com", "agent")):
        agent_svc.create_agent(deps, {"email": email, "name": email[:4], "password": "password1",
                                      "role": role})
    root = api.agent_login("root@example.com", "password1")["token"]
    ann = api.agent_login("ann@example.com", "password1")["token"]
    s = sessions.start_session(deps, {"site_key": "demo", "name": "张三",
                                      "email": "zhang@example.cn"})
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    cid = s["conversation_id"]
    convs.post_message(deps, vis, cid, {"client_message_id": "m1", "text": "我的地址是..."})
    # an attachment in the bucket and on a message row, and a quality result
    s3 = boto3.client("s3")
    bucket = aws["AttachmentsBucketName"]
    s3.put_object(Bucket=bucket, Key="attachments/demo/x.png", Body=b"png")
    m.Message(cid, 99, message_id="att", sender_type="visitor", type="attachment",
              attachment={"key": "attachments/demo/x.png", "name": "x.png"},
              created_at=1).save()
    m.QaResult(cid, site_key="demo", closed_at=1, score=90, result={}, updated_at=1).save()
    c = records.of_identity(deps, "demo", f"visitor:{s['visitor_id']}")
    sup = Actor(kind="agent", id="sup", role="admin")
    records.update(deps, sup, c["contact_id"], {"tags": ["vip"]})
    other = links.link(deps, "demo", "v_old", name="Old copy")
    merging.merge(deps, sup, c["contact_id"], {"from_contact_id": other["contact_id"]})

    path = f"/v1/agent/contacts/{c['contact_id']}"
    status, data = api.get(f"{path}/export", ann)
    assert status == 403 and data["error"]["code"] == "admin_only"
    status, data = api.get(f"{path}/export", root)
    assert status == 200, data
    assert data["contact"]["name"] == "张三"
    [conv] = [x for x in data["conversations"] if x["conversation_id"] == cid]
    assert "我的地址是..." in [msg.get("text") for msg in conv["messages"]]
    assert {v["visitor_id"] for v in data["visitors"]} == {s["visitor_id"]}
    assert {e["kind"] for e in data["timeline"]} >= {"fields_changed", "merged"}

    status, data = api.request("DELETE", path, None, ann)
    assert status == 403
    status, data = api.request("DELETE", path, None, root)
    assert status == 200 and data["deleted"] == c["contact_id"], data
    assert data["conversations"] == 1 and data["attachments"] == 1
    # nothing left in any table or the bucket
    assert deps.visitors.get(s["visitor_id"]) is None
    assert deps.conversations.get(cid) is None
    assert list(m.Message.query(cid)) == []
    assert deps.qa.get(cid) is None
    # the conversation's attachment is gone (other tests of the session share the bucket)
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert "attachments/demo/x.png" not in left, left
    for ident in ("email:zhang@example.cn", f"visitor:{s['visitor_id']}", "visitor:v_old"):
        assert deps.contacts.owner_of("demo", ident) is None
    assert deps.contacts.all_items(c["contact_id"]) == []
    assert deps.contacts.all_items(other["contact_id"]) == []        # the tombstone too
    assert deps.contacts.by_tag("demo", "vip") == []
    status, data = api.get(path, root)
    assert status == 404
    status, data = api.get("/v1/admin/audit?action=contact.deleted", root)
    assert status == 200 and [e["target"]["id"] for e in data["entries"]] == [c["contact_id"]]

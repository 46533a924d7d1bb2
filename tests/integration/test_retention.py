"""Retention: a site's retention_days becomes a TTL (expires_at) on the visitor, the
conversation and every message written under it; TTL is on for those tables."""
from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib.adapters import models as m
from chalicelib.services import conversations as convs
from tests.helpers.api import Api


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def admin(api, deps):
    from chalicelib.services import agents
    agents.create_agent(deps, {"email": "root@x.example", "name": "Root",
                               "password": "password1", "role": "admin"})
    return api.agent_login("root@x.example", "password1")["token"]


def test_ttl_is_enabled_on_visitors_conversations_and_messages(aws):
    ddb = boto3.client("dynamodb")
    for model in (m.Visitor, m.Conversation, m.Message):
        ttl = ddb.describe_time_to_live(TableName=model.Meta.table_name)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
        assert ttl["AttributeName"] == "expires_at"


def test_retention_days_expire_every_record_of_the_site(api, deps, admin):
    status, data = api.request("PUT", "/v1/admin/sites/demo", {"retention_days": 30},
                               token=admin)
    assert status == 200, data
    s = api.visitor_session()
    cid = s["conversation_id"]
    assert api.post(f"/v1/visitor/conversations/{cid}/messages",
                    {"client_message_id": "m1", "text": "hello"}, token=s["token"])[0] == 201
    conv = deps.conversations.get(cid, consistent=True)
    convs.post_system_event(deps, conv, "closed", {"reason": "closed", "by": "system"})
    convs.post_bot_message(deps, conv, "bye")

    c = m.Conversation.get(cid, consistent_read=True)
    assert c.retention_days == 30
    assert c.expires_at - timedelta(days=30) == _at(c.created_at)
    v = m.Visitor.get(s["visitor_id"], consistent_read=True)
    assert v.expires_at - timedelta(days=30) == _at(v.created_at)
    msgs = list(m.Message.query(cid, consistent_read=True))
    assert len(msgs) == 3
    for msg in msgs:
        assert msg.expires_at is not None
        assert abs((msg.expires_at - timedelta(days=30) - _at(msg.created_at)).total_seconds()) < 5


def test_without_retention_nothing_expires(api, deps):
    s = api.visitor_session()
    cid = s["conversation_id"]
    api.post(f"/v1/visitor/conversations/{cid}/messages",
             {"client_message_id": "m1", "text": "hello"}, token=s["token"])
    assert m.Conversation.get(cid, consistent_read=True).expires_at is None
    assert m.Visitor.get(s["visitor_id"], consistent_read=True).expires_at is None
    assert [x.expires_at for x in m.Message.query(cid, consistent_read=True)] == [None]


def test_retention_days_is_validated(api, admin):
    for bad in (0, 3651, "30", 1.5):
        status, data = api.request("PUT", "/v1/admin/sites/demo",
                                   {"retention_days": bad}, token=admin)
        assert status == 400, (bad, data)
        assert data["error"]["details"]["field"] == "retention_days"


def _at(ms):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(int(ms) // 1000, timezone.utc)

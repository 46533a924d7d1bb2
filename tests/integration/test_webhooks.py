"""Outgoing webhooks on moto: a real conversation's events go through the table streams, the
relay, the topic and the `webhooks` consumer queue to the consumer, which fans out delivery
tasks on the deliveries queue; the delivery function POSTs them, signed, to a receiver on
loopback. The admin REST API: validation, the paged delivery log, redelivery, disabling
with an e-mail (SES on moto)."""
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, sessions, sites
from chalicelib.services import webhook_delivery as wd
from tests.helpers.api import Api
from tests.integration.test_event_stream import StreamTail, receive, relay, sqs_event


def verify(secret: str, header: str, body: bytes) -> bool:
    """A receiver's few lines (docs/webhooks.md), independent of Parley's signing code."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


class Receiver:
    """An HTTP receiver on 127.0.0.1 answering `status` and recording each request."""

    def __init__(self):
        self.requests, self.status = [], 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append({"headers": dict(self.headers), "body": body,
                                       "path": self.path})
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def admin(deps):
    agent_svc.create_agent(deps, {"email": "root@example.com", "name": "Root",
                                  "password": "password1", "role": "admin"})
    api = Api(app_module.app)
    return api, api.agent_login("root@example.com", "password1")["token"]


def run_deliveries(aws):
    """Run the delivery function on the deliveries queue, one record per call (batch 1)."""
    handled = 0
    for _ in range(20):
        msgs = receive(aws["WebhookDeliveryQueueUrl"])
        if not msgs:
            break
        for m in msgs:
            result = app_module.deliver_webhooks(
                sqs_event([m], aws["WebhookDeliveryQueueArn"]), None)
            assert result == {"batchItemFailures": []}
            handled += 1
    return handled


def create_hook(api, token, url, site_key="demo", events=("message.created",)):
    status, data = api.post("/v1/admin/webhooks", {"site_key": site_key, "url": url,
                                                   "events": list(events),
                                                   "description": "CRM"}, token)
    assert status == 201, data
    return data


def test_a_conversations_events_reach_a_loopback_receiver_signed(deps, aws, admin, receiver):
    api, token = admin
    tails = {table: StreamTail(aws, table) for table in ("conversations", "messages")}
    sites.create_site(deps, "hooks", "Hooks", {"bot_enabled": False})
    created = create_hook(api, token, receiver.url, "hooks",
                          ("message.created", "conversation.closed"))
    secret, hook_id = created["secret"], created["webhook"]["id"]
    assert secret.startswith("whsec_") and "secret" not in created["webhook"]
    status, listed = api.get("/v1/admin/webhooks?site_key=hooks", token)
    assert status == 200 and [w["id"] for w in listed["webhooks"]] == [hook_id]
    assert secret not in json.dumps(listed)

    s = sessions.start_session(deps, {"site_key": "hooks"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="hooks")
    convs.post_message(deps, vis, cid, {"client_message_id": "v1", "text": "where is order 7?"})
    lifecycle.close(deps, vis, cid)
    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    delivered = receive(aws["WebhooksConsumerQueueUrl"])
    event = sqs_event(delivered, aws["WebhooksConsumerQueueArn"])
    assert app_module.consume_webhooks(event, None) == {"batchItemFailures": []}
    # SQS redelivers the batch before any delivery ran: the pending deliveries' tasks are
    # sent again (a crash between the record and its task loses nothing), and the duplicate
    # tasks post nothing
    assert app_module.consume_webhooks(event, None) == {"batchItemFailures": []}
    assert run_deliveries(aws) == 4
    assert len(receiver.requests) == 2

    types = [r["headers"]["Parley-Event-Type"] for r in receiver.requests]
    assert sorted(types) == ["conversation.closed", "message.created"]
    for req in receiver.requests:
        assert verify(secret, req["headers"]["Parley-Signature"], req["body"])
        body = json.loads(req["body"])
        assert body["id"] == req["headers"]["Parley-Event-Id"]
        assert body["conversation_id"] == cid and body["site_key"] == "hooks"
    msg = next(json.loads(r["body"]) for r in receiver.requests
               if r["headers"]["Parley-Event-Type"] == "message.created")
    assert msg["data"]["text"] == "where is order 7?"

    status, log = api.get(f"/v1/admin/webhooks/{hook_id}/deliveries?limit=1", token)
    assert status == 200 and len(log["deliveries"]) == 1 and log["next_cursor"]
    first = log["deliveries"][0]
    assert first["status"] == "succeeded" and first["response_code"] == 200
    status, rest = api.get(f"/v1/admin/webhooks/{hook_id}/deliveries?limit=5&cursor="
                           f"{log['next_cursor']}", token)
    assert status == 200 and len(rest["deliveries"]) == 1
    assert rest["deliveries"][0]["id"] != first["id"]

    # manual redelivery: one more signed attempt of the same event
    status, data = api.post(f"/v1/admin/webhooks/{hook_id}/deliveries/{first['id']}/redeliver",
                            None, token)
    assert status == 202, data
    assert run_deliveries(aws) == 1 and len(receiver.requests) == 3
    again = receiver.requests[-1]
    assert again["headers"]["Parley-Event-Id"] == first["event_id"]
    assert verify(secret, again["headers"]["Parley-Signature"], again["body"])
    status, data = api.get(f"/v1/admin/webhooks/{hook_id}/deliveries?limit=5", token)
    redone = next(d for d in data["deliveries"] if d["id"] == first["id"])
    assert redone["attempts"] == 2 and redone["status"] == "succeeded"


def test_ping_rotate_and_validation(deps, admin, receiver, site):
    api, token = admin
    created = create_hook(api, token, receiver.url)
    hook_id = created["webhook"]["id"]
    status, data = api.post(f"/v1/admin/webhooks/{hook_id}/test", None, token)
    assert status == 200 and data["ok"] and data["status_code"] == 200, data
    assert verify(created["secret"], receiver.requests[0]["headers"]["Parley-Signature"],
                  receiver.requests[0]["body"])
    status, rotated = api.post(f"/v1/admin/webhooks/{hook_id}/rotate-secret", None, token)
    assert status == 200 and rotated["secret"] != created["secret"]
    api.post(f"/v1/admin/webhooks/{hook_id}/test", None, token)
    assert verify(rotated["secret"], receiver.requests[1]["headers"]["Parley-Signature"],
                  receiver.requests[1]["body"])

    before = api.get("/v1/admin/webhooks?site_key=demo", token)[1]["webhooks"]
    bad = [({"url": "http://hooks.example.com/in"}, "invalid_url"),
           ({"url": "https://169.254.169.254/latest"}, "invalid_url"),
           ({"url": "https://10.0.0.8/in"}, "invalid_url"),
           ({"events": ["nope.created"]}, "invalid_value"),
           ({"events": []}, "empty"),
           ({"events": "message.created"}, "invalid_type"),
           ({"site_key": "ghost"}, "unknown_site"),
           ({"extra": 1}, "unknown_field")]
    for change, code in bad:
        body = {"site_key": "demo", "url": "https://hooks.example.com/in",
                "events": ["message.created"], **change}
        status, data = api.post("/v1/admin/webhooks", body, token)
        assert status == 400 and data["error"]["code"] == code, (change, data)
    assert api.get("/v1/admin/webhooks?site_key=demo", token)[1]["webhooks"] == before
    status, data = api.request("PATCH", f"/v1/admin/webhooks/{hook_id}",
                               {"url": "http://example.com/x"}, token)
    assert status == 400 and data["error"]["code"] == "invalid_url"
    status, data = api.get("/v1/admin/webhooks/wh_0000000000000000", token)
    assert status == 404 and data["error"]["code"] == "webhook_not_found"
    status, data = api.post(f"/v1/admin/webhooks/{hook_id}/deliveries/1-2/redeliver", None,
                            token)
    assert status == 404 and data["error"]["code"] == "delivery_not_found"
    status, data = api.get(f"/v1/admin/webhooks/{hook_id}/deliveries?cursor=zz", token)
    assert status == 400 and data["error"]["code"] == "invalid_cursor"
    status, data = api.get("/v1/admin/webhooks", token)
    assert status == 400 and data["error"]["code"] == "missing_field"
    status, data = api.request("PATCH", f"/v1/admin/webhooks/{hook_id}", {"enabled": False},
                               token)
    assert status == 200 and data["webhook"]["enabled"] is False
    status, data = api.request("DELETE", f"/v1/admin/webhooks/{hook_id}", None, token)
    assert status == 200
    actions = {e["action"] for e in api.get("/v1/admin/audit", token)[1]["entries"]}
    assert {"webhook.created", "webhook.tested", "webhook.secret_rotated", "webhook.updated",
            "webhook.deleted"} <= actions


def test_sustained_failure_disables_the_endpoint_and_emails_the_admins(deps, aws, admin,
                                                                        receiver, site):
    api, token = admin
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress="support@parley.invalid")
    receiver.status = 500
    hook_id = create_hook(api, token, receiver.url)["webhook"]["id"]
    t0 = deps.clock()
    deps.clock = lambda: t0 - 25 * 3600                    # a failure 25 h ago...
    wd.on_event(deps, {"id": "msg:c_1:1", "type": "message.created", "at": 1, "version": 1,
                       "site_key": "demo", "conversation_id": "c_1", "data": {}})
    run_deliveries(aws)
    assert deps.integrations.get_endpoint(hook_id)["enabled"] is True
    deps.clock = lambda: t0                                # ...and still failing now
    wd.on_event(deps, {"id": "msg:c_1:2", "type": "message.created", "at": 2, "version": 1,
                       "site_key": "demo", "conversation_id": "c_1", "data": {}})
    run_deliveries(aws)
    status, data = api.get(f"/v1/admin/webhooks/{hook_id}", token)
    assert data["webhook"]["enabled"] is False
    assert data["webhook"]["disabled_reason"] == "sustained_failure"
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent[-1].destinations["ToAddresses"] == ["root@example.com"]
    assert hook_id in sent[-1].body
    # enabling it again clears the failure state
    status, data = api.request("PATCH", f"/v1/admin/webhooks/{hook_id}", {"enabled": True},
                               token)
    assert status == 200 and data["webhook"]["enabled"] and \
        data["webhook"]["failing_since"] is None


def test_a_site_has_at_most_twenty_endpoints_and_the_list_shows_them_all(deps, admin, receiver,
                                                                        site):
    from chalicelib.domain import webhooks as rules
    api, token = admin
    for _ in range(rules.MAX_ENDPOINTS):
        create_hook(api, token, receiver.url)
    status, data = api.post("/v1/admin/webhooks", {"site_key": "demo", "url": receiver.url,
                                                   "events": ["conversation.created"]}, token)
    assert status == 409 and data["error"]["code"] == "too_many_webhooks", data
    listed = api.get("/v1/admin/webhooks?site_key=demo", token)[1]["webhooks"]
    assert len(listed) == rules.MAX_ENDPOINTS              # nothing cut off, nothing written
    hook_id = listed[0]["id"]
    assert api.request("DELETE", f"/v1/admin/webhooks/{hook_id}", None, token=token)[0] in (
        200, 204)
    assert create_hook(api, token, receiver.url)["webhook"]["id"]   # room again

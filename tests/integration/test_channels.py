"""Channels on moto: WeChat webhook (URL check, plaintext and safe mode, retry dedupe),
replies through the outbound task to the loopback WeChat stub (48-hour window, retries with
backoff, token refresh under concurrency), the API channel's signed inbound path, admin CRUD
that never shows secrets."""
import json
import threading
import time
from pathlib import Path

import pytest

from chalicelib.adapters.wechat_api import WeChatApi
from chalicelib.domain.actors import Actor
from chalicelib.domain.channels import api_sign
from chalicelib.domain.channels import wechat_crypto as wc
from chalicelib.services import agents, channel_admin
from chalicelib.services import channels as channel_service
from chalicelib.services import conversations as convs
from chalicelib.services import wechat
from infra.local.wechat_stub import WeChatStub
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "wechat"
SIGNED = json.loads((FIX / "signed.json").read_text(encoding="utf-8"))
ADMIN = Actor(kind="agent", id="a_admin", role="admin", name="Ada")
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def stub(deps):
    with WeChatStub() as s:
        deps.channels.wechat = WeChatApi(base=s.url)
        wechat._memo.clear()
        yield s
    wechat._memo.clear()


@pytest.fixture
def api():
    import app
    return Api(app.app)


def _wechat_channel(deps, mode="compat"):
    return channel_admin.create_channel(deps, ADMIN, {
        "kind": "wechat", "site_key": "demo", "name": "公众号", "app_id": SIGNED["app_id"],
        "app_secret": "0123456789abcdef0123456789abcdef", "token": SIGNED["token"],
        "encoding_aes_key": SIGNED["encoding_aes_key"], "mode": mode})


def _query(extra=None):
    q = {"signature": SIGNED["signature"], "timestamp": SIGNED["timestamp"],
         "nonce": SIGNED["nonce"], **(extra or {})}
    return "&".join(f"{k}={v}" for k, v in q.items())


def _push(api, channel_id, name, safe=False):
    if safe:
        entry = SIGNED["messages"][name]
        body = (f"<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>"
                f"<Encrypt><![CDATA[{entry['encrypt']}]]></Encrypt></xml>")
        q = _query({"encrypt_type": "aes", "msg_signature": entry["msg_signature"]})
    else:
        body, q = (FIX / f"{name}.xml").read_text(encoding="utf-8"), _query()
    return api.request("POST", f"/v1/channels/wechat/{channel_id}?{q}", raw=body.encode("utf-8"),
                       headers={"Content-Type": "text/xml"})


def _conversation(deps, channel_id, external=OPENID):
    vid = deps.channels.links.get(f"chuser#{channel_id}#{external}")
    visitor = deps.visitors.get(vid)
    return deps.conversations.get(visitor["current_conversation_id"], consistent=True)


def _agent_reply(deps, conv, text):
    agent = agents.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                       "password": "password-123", "role": "supervisor"})
    actor = Actor(kind="agent", id=agent["agent_id"], role="supervisor", name="Ann")
    convs.join(deps, actor, conv["conversation_id"])
    return convs.post_message(deps, actor, conv["conversation_id"],
                              {"client_message_id": "reply-1", "text": text})[0]


# ---------------------------------------------------------------- webhook
def test_url_verification_echoes_and_refuses_bad_signatures(deps, site, stub, api):
    ch = _wechat_channel(deps)
    status, body = api.get(f"/v1/channels/wechat/{ch['id']}?{_query({'echostr': 'e123'})}")
    assert (status, body) == (200, b"e123")
    bad = _query({"echostr": "e123"}).replace(SIGNED["nonce"], "1")
    status, body = api.get(f"/v1/channels/wechat/{ch['id']}?{bad}")
    assert status == 403 and body["error"]["code"] == "invalid_signature"
    status, body = api.get(f"/v1/channels/wechat/ch_00000000ffffffff?{_query({'echostr': 'x'})}")
    assert status == 404
    assert deps.channels.repo.get(ch["id"])["verified_at"]


def test_plaintext_push_reaches_the_inbox_once_despite_retries(deps, site, stub, api):
    ch = _wechat_channel(deps)
    for _ in range(3):                      # WeChat retries three times
        status, body = _push(api, ch["id"], "text")
        assert (status, body) == (200, b"success")
    conv = _conversation(deps, ch["id"])
    assert conv["channel"] == "wechat" and conv["attrs"]["external_id"] == OPENID
    texts = [m["text"] for m in deps.messages.after(conv["conversation_id"], 0, 50)
             if m["sender_type"] == "visitor"]
    assert texts == ["你好，我想问一下订单"]
    assert abs(conv["attrs"]["last_user_at"] - time.time() * 1000) < 60_000   # receipt time


def test_event_retries_dedupe_by_sender_and_time(deps, site, stub, api):
    ch = _wechat_channel(deps)
    for _ in range(2):
        assert _push(api, ch["id"], "click")[0] == 200
    assert _push(api, ch["id"], "unsubscribe")[0] == 200      # stores nothing
    conv = _conversation(deps, ch["id"])
    texts = [m["text"] for m in deps.messages.after(conv["conversation_id"], 0, 50)
             if m["sender_type"] == "visitor"]
    assert texts == ["[菜单 menu] CONTACT_SUPPORT"]


def test_safe_mode_push_decrypts_and_checks_msg_signature(deps, site, stub, api):
    ch = _wechat_channel(deps, mode="safe")
    assert _push(api, ch["id"], "voice", safe=True) == (200, b"success")
    conv = _conversation(deps, ch["id"])
    assert [m["text"] for m in deps.messages.after(conv["conversation_id"], 0, 5)
            if m["sender_type"] == "visitor"] == ["[语音 voice] 退货怎么办"]
    # tampered ciphertext: refused, nothing stored
    entry = SIGNED["messages"]["text"]
    body = f"<xml><Encrypt><![CDATA[{entry['encrypt']}]]></Encrypt></xml>"
    q = _query({"encrypt_type": "aes", "msg_signature": "0" * 40})
    status, out = api.request("POST", f"/v1/channels/wechat/{ch['id']}?{q}", raw=body.encode())
    assert status == 403 and out["error"]["code"] == "invalid_signature"
    # a plaintext push to a safe-mode channel is refused
    status, out = _push(api, ch["id"], "text")
    assert status == 400 and out["error"]["code"] == "encryption_required"
    assert conv["last_seq"] == _conversation(deps, ch["id"])["last_seq"]


def test_malformed_push_is_a_400_not_a_500(deps, site, stub, api):
    ch = _wechat_channel(deps)
    q = _query()
    for raw in (b"<xml><a>", b"<!DOCTYPE x [<!ENTITY e 'x'>]><xml/>", b""):
        status, out = api.request("POST", f"/v1/channels/wechat/{ch['id']}?{q}", raw=raw)
        assert status == 400, out


# ---------------------------------------------------------------- outbound
def test_agent_reply_reaches_the_wechat_stub(deps, site, stub, api):
    ch = _wechat_channel(deps)
    _push(api, ch["id"], "text")
    drain_queues(deps)                          # the bot's turn, if any
    conv = _conversation(deps, ch["id"])
    _agent_reply(deps, conv, "您好，请提供订单号")
    drain_queues(deps)
    sent = [m for m in stub.sent if m.get("text", {}).get("content") == "您好，请提供订单号"]
    assert sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "您好，请提供订单号"}}]
    drain_queues(deps)                          # nothing is sent twice
    assert len([m for m in stub.sent if m["text"]["content"] == "您好，请提供订单号"]) == 1


def test_reply_outside_48_hours_is_refused_and_the_agent_is_told(deps, site, stub, api):
    ch = _wechat_channel(deps)
    _push(api, ch["id"], "text")
    drain_queues(deps)
    conv = _conversation(deps, ch["id"])
    old = int(time.time() * 1000) - 49 * 3600 * 1000
    deps.conversations.update(conv["conversation_id"], map_sets={("attrs", "last_user_at"): old})
    before = len(stub.sent)
    _agent_reply(deps, conv, "too late")
    drain_queues(deps)
    assert len(stub.sent) == before
    events = [m for m in deps.messages.after(conv["conversation_id"], 0, 50)
              if m["type"] == "event" and m["event"]["kind"] == "channel_delivery_failed"]
    assert [e["event"]["reason"] for e in events] == ["window_expired"]
    assert "48-hour" in events[0]["text"]


class _Queue:
    def __init__(self):
        self.sent = []

    def send(self, queue, body, delay=0):
        self.sent.append((queue, body, delay))


def test_failures_retry_with_backoff_then_tell_the_agent(deps, site, stub, api):
    ch = _wechat_channel(deps)
    _push(api, ch["id"], "text")
    conv = _conversation(deps, ch["id"])
    real_queue, deps.queue = deps.queue, _Queue()
    try:
        reply = _agent_reply(deps, conv, "hello")
        assert deps.queue.sent[-1] == ("events", {"type": "channel_deliver",
                                                  "conversation_id": conv["conversation_id"],
                                                  "seq": reply["seq"], "attempt": 0}, 0)
        deps.queue.sent.clear()
        stub.fail_next = [-1] * 8                  # WeChat "system busy", every time
        body = {"conversation_id": conv["conversation_id"], "seq": reply["seq"], "attempt": 0}
        delays = []
        for _ in range(8):
            channel_service.deliver(deps, body)
            if not deps.queue.sent:
                break
            _, body, delay = deps.queue.sent.pop()
            delays.append(delay)
        assert delays == [5, 10, 20, 40, 80, 160, 320]
        assert stub.sent == []
        failed = [m for m in deps.messages.after(conv["conversation_id"], 0, 50)
                  if m["type"] == "event" and m["event"]["kind"] == "channel_delivery_failed"]
        assert [(f["event"]["reason"], f["event"]["attempts"]) for f in failed] == \
            [("wechat_error", 8)]
        channel_service.deliver(deps, body)        # a redelivered last task: done, no repeat
        assert len([m for m in deps.messages.after(conv["conversation_id"], 0, 50)
                    if m["type"] == "event"
                    and m["event"]["kind"] == "channel_delivery_failed"]) == 1
    finally:
        deps.queue = real_queue


def test_expired_token_is_refreshed_and_the_send_retried(deps, site, stub, api):
    ch = _wechat_channel(deps)
    _push(api, ch["id"], "text")
    drain_queues(deps)
    conv = _conversation(deps, ch["id"])
    secrets = deps.channels.secrets.get(ch["id"])
    wechat.access_token(deps, deps.channels.repo.get(ch["id"]), secrets)
    stub.expire_tokens()                        # WeChat invalidated it (40001)
    _agent_reply(deps, conv, "after refresh")
    drain_queues(deps)
    assert [m["text"]["content"] for m in stub.sent][-1] == "after refresh"


def test_one_token_refresh_under_concurrency(deps, site, stub):
    ch = _wechat_channel(deps)
    channel = deps.channels.repo.get(ch["id"])
    secrets = deps.channels.secrets.get(ch["id"])
    stub.token_delay = 0.3                      # a slow WeChat widens the race
    tokens, errors = [], []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            tokens.append(wechat.access_token(deps, channel, secrets, sleep=lambda s: time.sleep(0.05)))
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert len(stub.token_calls) == 1 and len(set(tokens)) == 1 and len(tokens) == 8
    # near expiry: refreshed once more, before it lapses
    deps.channels.tokens.store(channel["app_id"], tokens[0],
                               int(time.time() * 1000) + 60_000)
    wechat._memo.clear()
    wechat.access_token(deps, channel, secrets)
    assert len(stub.token_calls) == 2


# ---------------------------------------------------------------- API channel
def _api_channel(deps):
    return channel_admin.create_channel(deps, ADMIN, {"kind": "api", "site_key": "demo",
                                                      "name": "Our app"})


def _signed(api, channel_id, secret, body, ts=None):
    raw = json.dumps(body).encode()
    ts = ts or int(time.time())
    return api.request("POST", f"/v1/channels/{channel_id}/messages", raw=raw, headers={
        "X-Parley-Timestamp": str(ts), "X-Parley-Signature": api_sign.sign(secret, ts, raw)})


def test_api_channel_signed_inbound_idempotent_and_replay_safe(deps, site, api):
    ch = _api_channel(deps)
    secret = ch["signing_secret"]
    body = {"user": {"id": "cust-42", "name": "Li Lei", "email": "li@example.com"},
            "text": "Where is my parcel?", "client_message_id": "m-1"}
    status, out = _signed(api, ch["id"], secret, body)
    assert status == 201 and out["created"] is True
    status, again = _signed(api, ch["id"], secret, body)
    assert status == 200 and again["message_id"] == out["message_id"]
    conv = deps.conversations.get(out["conversation_id"], consistent=True)
    assert conv["channel"] == "api" and conv["attrs"]["visitor_name"] == "Li Lei"
    assert conv["last_seq"] >= 1
    last = conv["last_seq"]
    for bad_status, code, kwargs in [
            (401, "stale_timestamp", {"ts": int(time.time()) - 301}),
            (401, "invalid_signature", {"secret": "whsec_wrong"})]:
        status, err = _signed(api, ch["id"], kwargs.get("secret", secret),
                              {**body, "client_message_id": "m-2"}, ts=kwargs.get("ts"))
        assert (status, err["error"]["code"]) == (bad_status, code)
    status, err = _signed(api, ch["id"], secret, {"text": "no user", "client_message_id": "m-3"})
    assert status == 400
    status, err = api.request("POST", f"/v1/channels/{ch['id']}/messages", raw=b"{}")
    assert (status, err["error"]["code"]) == (401, "missing_signature")
    assert deps.conversations.get(out["conversation_id"], consistent=True)["last_seq"] == last


def test_api_channel_secret_rotation_keeps_the_previous_secret(deps, site, api):
    ch = _api_channel(deps)
    rotated = channel_admin.rotate_secret(deps, ADMIN, ch["id"])
    body = {"user": {"id": "u1"}, "text": "hi", "client_message_id": "r-1"}
    assert _signed(api, ch["id"], ch["signing_secret"], body)[0] == 201
    assert _signed(api, ch["id"], rotated["signing_secret"],
                   {**body, "client_message_id": "r-2"})[0] == 201


# ---------------------------------------------------------------- admin
def test_admin_routes_never_show_wechat_secrets(deps, site, api):
    admin = agents.create_agent(deps, {"email": "boss@example.com", "name": "Boss",
                                       "password": "password-123", "role": "admin"})
    token = api.agent_login("boss@example.com", "password-123")["token"]
    payload = {"kind": "wechat", "site_key": "demo", "name": "OA", "app_id": "wx0123456789abcdef",
               "app_secret": "S3cretS3cretS3cretS3cret", "token": "tok123",
               "encoding_aes_key": SIGNED["encoding_aes_key"], "mode": "safe"}
    status, created = api.post("/v1/admin/channels", payload, token=token)
    assert status == 201, created
    status, listed = api.get("/v1/admin/channels?site_key=demo", token=token)
    status2, one = api.get(f"/v1/admin/channels/{created['id']}", token=token)
    text = json.dumps([created, listed, one])
    for secret in ("S3cretS3cretS3cretS3cret", "tok123", SIGNED["encoding_aes_key"]):
        assert secret not in text
    assert one["configured"] == {"app_secret": True, "token": True, "encoding_aes_key": True}
    assert one["server_path"] == f"/v1/channels/wechat/{created['id']}"
    status, bad = api.post("/v1/admin/channels", {**payload, "encoding_aes_key": "short"},
                           token=token)
    assert status == 400
    status, patched = api.request("PATCH", f"/v1/admin/channels/{created['id']}",
                                  {"name": "OA 2", "token": "newtok9"}, token=token)
    assert status == 200 and patched["name"] == "OA 2"
    assert deps.channels.secrets.get(created["id"])["token"] == "newtok9"
    agent = agents.create_agent(deps, {"email": "ag@example.com", "name": "Ag",
                                       "password": "password-123"})
    atoken = api.agent_login("ag@example.com", "password-123")["token"]
    assert api.get("/v1/admin/channels", token=atoken)[0] == 403
    assert api.request("DELETE", f"/v1/admin/channels/{created['id']}", token=token)[0] == 200
    assert api.get(f"/v1/admin/channels/{created['id']}", token=token)[0] == 404
    assert admin and agent


def test_image_reply_is_uploaded_as_temporary_media_then_sent(deps, site, stub, api, aws,
                                                               monkeypatch):
    import boto3
    monkeypatch.setenv("PARLEY_ATTACHMENTS_BUCKET", aws["AttachmentsBucketName"])
    ch = _wechat_channel(deps)
    _push(api, ch["id"], "text")
    drain_queues(deps)
    conv = _conversation(deps, ch["id"])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    key = f"attachments/{conv['conversation_id']}/k1k1k1k1k1/map.png"
    boto3.client("s3").put_object(Bucket=deps.storage.bucket, Key=key, Body=png)
    agent = agents.create_agent(deps, {"email": "img@example.com", "name": "Img",
                                       "password": "password-123", "role": "supervisor"})
    actor = Actor(kind="agent", id=agent["agent_id"], role="supervisor", name="Img")
    convs.join(deps, actor, conv["conversation_id"])
    convs.post_message(deps, actor, conv["conversation_id"], {
        "client_message_id": "img-1", "text": "这是地图",
        "attachment": {"key": key, "name": "map.png", "content_type": "image/png",
                       "size": len(png)}})
    drain_queues(deps)
    assert [u["type"] for u in stub.uploads] == ["image"]
    media_id = stub.uploads[0]["media_id"]
    assert stub.sent[-2:] == [
        {"touser": OPENID, "msgtype": "text", "text": {"content": "这是地图"}},
        {"touser": OPENID, "msgtype": "image", "image": {"media_id": media_id}}]


def test_mini_program_json_push(deps, site, stub, api):
    ch = channel_admin.create_channel(deps, ADMIN, {
        "kind": "wechat_mp", "site_key": "demo", "name": "小程序", "app_id": SIGNED["app_id"],
        "app_secret": "0123456789abcdef0123456789abcdef", "token": SIGNED["token"],
        "encoding_aes_key": SIGNED["encoding_aes_key"], "format": "json"})
    inner = json.dumps({"ToUserName": "gh_mp", "FromUserName": "oMiniUser1",
                        "CreateTime": 1764460800, "MsgType": "text", "Content": "小程序你好",
                        "MsgId": 987654321}, ensure_ascii=False)
    enc = wc.encrypt(inner, SIGNED["encoding_aes_key"], SIGNED["app_id"])
    q = _query({"encrypt_type": "aes", "msg_signature": wc.signature(
        SIGNED["token"], SIGNED["timestamp"], SIGNED["nonce"], enc)})
    status, body = api.request("POST", f"/v1/channels/wechat/{ch['id']}?{q}",
                               raw=json.dumps({"ToUserName": "gh_mp", "Encrypt": enc}).encode())
    assert (status, body) == (200, b"success")
    conv = _conversation(deps, ch["id"], external="oMiniUser1")
    assert conv["channel"] == "wechat_mp"
    assert [m["text"] for m in deps.messages.after(conv["conversation_id"], 0, 5)
            if m["sender_type"] == "visitor"] == ["小程序你好"]

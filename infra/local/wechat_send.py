"""Post a message to the local runtime as WeChat would, and show what reached the stub.

    python -m infra.local.wechat_send --text 你好                 # as the demo user
    python -m infra.local.wechat_send --text 你好 --encrypt       # safe mode (AES)
    python -m infra.local.wechat_send --event CLICK --key CONTACT_SUPPORT
    python -m infra.local.wechat_send --replies                   # what the stub was sent

`make run` seeds a demo WeChat Official Account channel (DEMO_CHANNEL_ID, token and
EncodingAESKey below) on the demo site and points the functions at the loopback WeChat stub
(infra/local/wechat_stub.py). This script builds the XML WeChat pushes, signs it the way
WeChat does (signature over token, timestamp, nonce; msg_signature over those and Encrypt)
and posts it to /v1/channels/wechat/{channel}. The agent's reply in the console reaches the
stub through message/custom/send; --replies lists it.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

DEMO_CHANNEL_ID = "ch_00000000000000de"
DEMO_APP_ID = "wxparleydemo000001"
DEMO_APP_SECRET = "parleydemoappsecret0000000000001"
DEMO_TOKEN = "ParleyLocalToken"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"    # WeChat's sample key
DEMO_USER = "oParleyDemoUser0000000000001"
DEFAULT_BASE = "http://127.0.0.1:8000"
DEFAULT_STUB = "http://127.0.0.1:8798"


def seed_demo_channel(deps, site_key: str = "demo") -> dict:
    """The demo WeChat channel (idempotent): record in the directory, secrets in (moto's)
    Secrets Manager."""
    from chalicelib.adapters.dynamo import now_ms
    ts = now_ms()
    deps.channels.secrets.put(DEMO_CHANNEL_ID, {"app_secret": DEMO_APP_SECRET,
                                                "token": DEMO_TOKEN,
                                                "encoding_aes_key": DEMO_AES_KEY})
    if deps.channels.repo.get(DEMO_CHANNEL_ID) is None:
        deps.directory.put("channel", DEMO_CHANNEL_ID, {
            "kind": "wechat", "site_key": site_key, "name": "Demo 公众号",
            "app_id": DEMO_APP_ID, "mode": "compat", "format": "xml", "disabled": False,
            "created_at": ts, "updated_at": ts,
            "configured": {"app_secret": True, "token": True, "encoding_aes_key": True}})
    return {"channel_id": DEMO_CHANNEL_ID, "app_id": DEMO_APP_ID, "token": DEMO_TOKEN,
            "encoding_aes_key": DEMO_AES_KEY, "user": DEMO_USER}


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(from_user: str, text: str | None = None, event: str | None = None,
              key: str | None = None, to_user: str = "gh_parleydemo01",
              create_time: int | None = None, msg_id: int | None = None) -> str:
    t = create_time or int(time.time())
    head = (f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
            f"<FromUserName>{_cdata(from_user)}</FromUserName><CreateTime>{t}</CreateTime>")
    if event:
        body = f"<MsgType>{_cdata('event')}</MsgType><Event>{_cdata(event)}</Event>"
        if key:
            body += f"<EventKey>{_cdata(key)}</EventKey>"
    else:
        body = (f"<MsgType>{_cdata('text')}</MsgType><Content>{_cdata(text or '')}</Content>"
                f"<MsgId>{msg_id or secrets.randbelow(10**17) + 10**16}</MsgId>")
    return head + body + "</xml>"


def signed_request(xml: str, token: str = DEMO_TOKEN, aes_key: str = DEMO_AES_KEY,
                   app_id: str = DEMO_APP_ID, encrypt: bool = False,
                   timestamp: str | None = None, nonce: str | None = None) -> tuple[str, bytes]:
    """(query string, body) exactly as WeChat would send them."""
    from chalicelib.domain.channels import wechat_crypto as wc
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**9))
    q = {"signature": wc.signature(token, timestamp, nonce), "timestamp": timestamp,
         "nonce": nonce}
    if encrypt:
        enc = wc.encrypt(xml, aes_key, app_id)
        q.update(encrypt_type="aes", msg_signature=wc.signature(token, timestamp, nonce, enc))
        body = f"<xml><ToUserName>{_cdata('gh_parleydemo01')}</ToUserName>" \
               f"<Encrypt>{_cdata(enc)}</Encrypt></xml>"
    else:
        body = xml
    return urllib.parse.urlencode(q), body.encode("utf-8")


def post(base: str, channel_id: str, query: str, body: bytes) -> tuple[int, str]:
    req = urllib.request.Request(f"{base.rstrip('/')}/v1/channels/wechat/{channel_id}?{query}",
                                 data=body, method="POST",
                                 headers={"Content-Type": "text/xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:   # moto on a busy machine
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m infra.local.wechat_send",
                                description="Post a WeChat-shaped message to the local runtime.")
    p.add_argument("--text", help="the message text")
    p.add_argument("--event", help="an event instead (subscribe, unsubscribe, CLICK)")
    p.add_argument("--key", help="EventKey for CLICK")
    p.add_argument("--user", default=DEMO_USER, help="the sender's openid")
    p.add_argument("--encrypt", action="store_true", help="safe mode: AES + msg_signature")
    p.add_argument("--base", default=DEFAULT_BASE, help="the local runtime's base URL")
    p.add_argument("--channel", default=DEMO_CHANNEL_ID)
    p.add_argument("--stub", default=DEFAULT_STUB, help="the WeChat stub's URL")
    p.add_argument("--replies", action="store_true", help="list what the stub was sent")
    args = p.parse_args(argv)
    if args.replies:
        with urllib.request.urlopen(f"{args.stub.rstrip('/')}/_stub/sent", timeout=10) as resp:
            print(json.dumps(json.loads(resp.read()), ensure_ascii=False, indent=1))
        return 0
    if not args.text and not args.event:
        p.error("give --text or --event (or --replies)")
    xml = build_xml(args.user, text=args.text, event=args.event, key=args.key)
    query, body = signed_request(xml, encrypt=args.encrypt)
    status, answer = post(args.base, args.channel, query, body)
    print(f"{status} {escape(answer)}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Channel rules without AWS: WeChat signatures and AES against WeChat's published samples,
inbound parsing of every message shape, retry keys, the 48-hour window, API-channel
signatures, backoff."""
import json
from pathlib import Path

import pytest

from chalicelib.domain import channels as ch
from chalicelib.domain.channels import api_sign, window
from chalicelib.domain.channels import wechat_crypto as wc
from chalicelib.domain.channels import wechat_inbound as wi

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "wechat"
PUBLISHED = json.loads((FIX / "published_samples.json").read_text(encoding="utf-8"))
SIGNED = json.loads((FIX / "signed.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- published samples
def test_msg_signature_matches_wechats_published_sample():
    s = PUBLISHED["decrypt"]
    assert wc.signature(s["token"], s["timestamp"], s["nonce"], s["encrypt"]) == s["msg_signature"]
    assert wc.check_signature(s["msg_signature"], s["token"], s["timestamp"], s["nonce"],
                              s["encrypt"])


def test_decrypts_wechats_published_sample():
    s = PUBLISHED["decrypt"]
    plain = wc.decrypt(s["encrypt"], s["encoding_aes_key"], s["app_id"])
    msg = wi.parse(plain.encode("utf-8"))
    assert (msg.from_user, msg.text, msg.msg_id) == (s["plain_from"], s["plain_content"],
                                                     s["plain_msg_id"])


def test_encrypts_to_wechats_published_ciphertext():
    s = PUBLISHED["encrypt"]
    assert wc.encrypt(s["plain"], s["encoding_aes_key"], s["app_id"],
                      random16=s["random"].encode()) == s["encrypt"]
    assert wc.decrypt(s["encrypt"], s["encoding_aes_key"], s["app_id"]) == s["plain"]


# ---------------------------------------------------------------- round trips and refusals
def test_round_trip_with_random_prefix_and_reply_sealing():
    key, app = SIGNED["encoding_aes_key"], SIGNED["app_id"]
    text = "<xml><Content><![CDATA[" + "长消息" * 300 + "]]></Content></xml>"
    enc = wc.encrypt(text, key, app)
    assert enc != wc.encrypt(text, key, app)          # a fresh random prefix each time
    assert wc.decrypt(enc, key, app) == text
    sealed = wc.seal_reply("success", "tok", key, app, "1", "2")
    assert wc.check_signature(sealed["MsgSignature"], "tok", "1", "2", sealed["Encrypt"])
    assert wc.decrypt(sealed["Encrypt"], key, app) == "success"


def test_padding_is_to_32_byte_blocks():
    import base64
    key = SIGNED["encoding_aes_key"]
    for n in range(0, 40):
        raw = base64.b64decode(wc.encrypt("x" * n, key, "wxapp", random16=b"0" * 16))
        assert len(raw) % 32 == 0


@pytest.mark.parametrize("bad,code", [("not base64!!", "decrypt_failed"),
                                      ("QUJD", "decrypt_failed")])
def test_garbage_does_not_decrypt(bad, code):
    with pytest.raises(wc.CryptoError) as err:
        wc.decrypt(bad, SIGNED["encoding_aes_key"], SIGNED["app_id"])
    assert err.value.code == code


def test_message_for_another_app_is_refused():
    enc = wc.encrypt("<xml/>", SIGNED["encoding_aes_key"], "wxotherapp0000000")
    with pytest.raises(wc.CryptoError) as err:
        wc.decrypt(enc, SIGNED["encoding_aes_key"], SIGNED["app_id"])
    assert err.value.code == "app_id_mismatch"


def test_bad_aes_key_is_refused():
    with pytest.raises(wc.CryptoError) as err:
        wc.aes_key("short")
    assert err.value.code == "invalid_aes_key"


def test_url_check_signature_and_tampering():
    sig = SIGNED["signature"]
    assert wc.check_signature(sig, SIGNED["token"], SIGNED["timestamp"], SIGNED["nonce"])
    assert not wc.check_signature(sig, SIGNED["token"], SIGNED["timestamp"], "1")
    assert not wc.check_signature(None, SIGNED["token"], SIGNED["timestamp"], SIGNED["nonce"])


# ---------------------------------------------------------------- inbound shapes
EXPECTED = {
    "text": ("text", "你好，我想问一下订单", True),
    "image": ("image", "[图片 image] http://mmbiz.qpic.cn/mmbiz_jpg/x/0", True),
    "voice": ("voice", "[语音 voice] 退货怎么办", True),
    "location": ("location", "[位置 location] 上海市黄浦区 (31.230416, 121.473701)", True),
    "link": ("link", "[链接 link] 订单详情 https://example.com/o/123", True),
    "subscribe": ("event", "[关注 subscribed]", False),
    "unsubscribe": ("event", None, False),
    "click": ("event", "[菜单 menu] CONTACT_SUPPORT", False),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_parses_plain_and_encrypted(name):
    xml = (FIX / f"{name}.xml").read_bytes()
    msg = wi.parse(xml)
    msg_type, text, has_id = EXPECTED[name]
    assert (msg.msg_type, msg.text, msg.msg_id is not None) == (msg_type, text, has_id)
    entry = SIGNED["messages"][name]
    assert wc.check_signature(entry["msg_signature"], SIGNED["token"], SIGNED["timestamp"],
                              SIGNED["nonce"], entry["encrypt"])
    plain = wc.decrypt(entry["encrypt"], SIGNED["encoding_aes_key"], SIGNED["app_id"])
    assert wi.parse(plain.encode("utf-8")) == msg


def test_retry_keys_msgid_for_messages_sender_and_time_for_events():
    text = wi.parse((FIX / "text.xml").read_bytes())
    click = wi.parse((FIX / "click.xml").read_bytes())
    assert text.dedupe_key == "id:24602479118245467"
    assert click.dedupe_key == f"ev:{click.from_user}:{click.create_time}"
    assert wi.parse((FIX / "click.xml").read_bytes()).dedupe_key == click.dedupe_key
    assert not wi.parse((FIX / "unsubscribe.xml").read_bytes()).is_interaction
    assert click.is_interaction


@pytest.mark.parametrize("body", [
    b"", b"not xml", b"<root/>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
    b"<xml><ToUserName>a</ToUserName></xml>",
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>x</CreateTime>"
    b"<MsgType>text</MsgType></xml>",
])
def test_malformed_pushes_are_refused(body):
    with pytest.raises(wi.InboundError):
        wi.parse(body)


def test_mini_program_json_push():
    body = json.dumps({"ToUserName": "gh_mp", "FromUserName": "oMP123", "CreateTime": 1764460800,
                       "MsgType": "text", "Content": "hi", "MsgId": 12345}).encode()
    msg = wi.parse(body, json_mode=True)
    assert (msg.text, msg.msg_id, msg.create_time) == ("hi", "12345", 1764460800)
    enter = wi.parse(json.dumps({"ToUserName": "gh_mp", "FromUserName": "oMP123",
                                 "CreateTime": 1, "MsgType": "event",
                                 "Event": "user_enter_tempsession"}).encode(), json_mode=True)
    assert enter.text and enter.dedupe_key == "ev:oMP123:1"


# ---------------------------------------------------------------- the 48-hour window
def test_48_hour_window():
    t0 = 1_764_460_800_000
    h = 3600 * 1000
    assert window.is_open(t0, t0 + 47 * h)
    assert window.state(t0, t0 + 47 * h)["remaining_ms"] == h
    assert window.is_open(t0, t0 + 48 * h - 1)
    assert not window.is_open(t0, t0 + 48 * h)
    assert window.state(t0, t0 + 50 * h) == {"open": False, "expires_at": t0 + 48 * h,
                                             "remaining_ms": 0}
    assert not window.is_open(None, t0)


# ---------------------------------------------------------------- API channel signatures
def test_api_signature_verifies_and_refuses():
    body = b'{"text":"hi"}'
    now = 1_764_460_800
    sig = api_sign.sign("whsec_a", now, body)
    api_sign.verify(["whsec_a"], str(now), sig, body, now + 299)
    api_sign.verify(["whsec_new", "whsec_a"], str(now), "v1=00, " + sig, body, now)  # rotation
    cases = [(["whsec_a"], str(now), sig, body + b" ", now, "invalid_signature"),
             (["whsec_b"], str(now), sig, body, now, "invalid_signature"),
             (["whsec_a"], str(now), sig, body, now + 301, "stale_timestamp"),
             (["whsec_a"], str(now), sig, body, now - 301, "stale_timestamp"),
             (["whsec_a"], "12ab", sig, body, now, "invalid_timestamp"),
             (["whsec_a"], None, sig, body, now, "missing_signature")]
    for secrets, ts, header, raw, clock, code in cases:
        with pytest.raises(api_sign.SignatureError) as err:
            api_sign.verify(secrets, ts, header, raw, clock)
        assert err.value.code == code


def test_independent_hmac_matches():
    import hashlib
    import hmac
    body, ts = b'{"a":1}', 1700000000
    want = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert api_sign.sign("k", ts, body) == "v1=" + want


# ---------------------------------------------------------------- outbound rules
def test_backoff_doubles_and_caps():
    assert [ch.backoff_seconds(a) for a in range(9)] == [5, 10, 20, 40, 80, 160, 320, 640, 900]
    assert sum(ch.backoff_seconds(a) for a in range(ch.MAX_ATTEMPTS - 1)) < 30 * 60


def test_outbound_text_and_kinds():
    assert ch.delivers_outbound("wechat") and ch.delivers_outbound("wechat_mp")
    assert not ch.delivers_outbound("web") and not ch.delivers_outbound("api")
    assert ch.outbound_text({"type": "note", "sender_type": "agent", "text": "x"}) is None
    assert ch.outbound_text({"type": "text", "sender_type": "visitor", "text": "x"}) is None
    assert ch.outbound_text({"type": "text", "sender_type": "bot", "text": "Pick one",
                             "extra": {"suggestions": [{"text": "Refunds"}, "Hours"]}}) == \
        "Pick one\n1. Refunds\n2. Hours"


def test_client_message_ids_fit_the_pattern():
    from chalicelib.domain.validation import CLIENT_ID_RE
    for key in ("id:24602479118245467", "ev:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o:1764460800",
                "x" * 200, "中文"):
        cid = ch.client_message_id("wx", key)
        assert CLIENT_ID_RE.match(cid) and len(cid) <= 64
    assert ch.client_message_id("wx", "ev:a:1") == ch.client_message_id("wx", "ev:a:1")

"""WeChat's pushed messages: parse (XML for 公众号, XML or JSON for 小程序) and turn each into
what Parley stores, plus the key that recognises WeChat's retries.

WeChat retries a push three times when the server does not answer within 5 s; a message
carries `MsgId`, an event does not, so an event's retry is recognised by FromUserName +
CreateTime (WeChat's own advice).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MAX_BODY = 64 * 1024


class InboundError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Inbound:
    """One push, normalised. `text` is what the inbox shows (None: nothing to store)."""
    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    event: str | None = None
    msg_id: str | None = None
    text: str | None = None
    fields: dict = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"id:{self.msg_id}" if self.msg_id else f"ev:{self.from_user}:{self.create_time}"

    @property
    def is_interaction(self) -> bool:
        """Opens (or renews) the 48-hour window: any message, and the events a user causes;
        unsubscribing ends the relationship instead."""
        return self.msg_type != "event" or self.event not in ("unsubscribe",)


def parse_fields(body: bytes, json_mode: bool = False) -> dict:
    """The push's top-level fields as strings. XML with a DOCTYPE (entity tricks) is refused."""
    if not body or len(body) > MAX_BODY:
        raise InboundError("invalid_body", "The body is empty or too large.")
    if json_mode:
        try:
            doc = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise InboundError("invalid_body", "The body is not JSON.") from None
        if not isinstance(doc, dict):
            raise InboundError("invalid_body", "The body is not a JSON object.")
        return {k: (v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list))
                    else str(v)) for k, v in doc.items() if v is not None}
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise InboundError("invalid_body", "DOCTYPE and entities are not accepted.")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise InboundError("invalid_body", "The body is not XML.") from None
    if root.tag != "xml":
        raise InboundError("invalid_body", "The root element is not <xml>.")
    out = {}
    for child in root:
        out[child.tag] = (child.text or "").strip() if len(child) == 0 else \
            {c.tag: (c.text or "").strip() for c in child}
    return out


def _text_of(f: dict) -> str | None:
    t = f.get("MsgType", "")
    if t == "text":
        return f.get("Content") or None
    if t == "image":
        return "[图片 image] " + f.get("PicUrl", "")
    if t == "voice":
        rec = f.get("Recognition")
        return f"[语音 voice] {rec}" if rec else "[语音 voice]"
    if t in ("video", "shortvideo"):
        return "[视频 video]"
    if t == "location":
        label = f.get("Label", "")
        return f"[位置 location] {label} ({f.get('Location_X', '')}, {f.get('Location_Y', '')})".strip()
    if t == "link":
        return f"[链接 link] {f.get('Title', '')} {f.get('Url', '')}".strip()
    if t == "miniprogrampage":
        return f"[小程序卡片 mini program page] {f.get('Title', '')} {f.get('PagePath', '')}".strip()
    if t == "event":
        ev = (f.get("Event") or "").lower()
        if ev == "subscribe":
            return "[关注 subscribed]"
        if ev == "click":
            return f"[菜单 menu] {f.get('EventKey', '')}".strip()
        if ev == "user_enter_tempsession":
            return "[进入客服会话 opened the chat]"
        return None   # unsubscribe, VIEW, LOCATION reports...: no message in the inbox
    return f"[{t}]" if t else None


def parse(body: bytes, json_mode: bool = False, fields: dict | None = None) -> Inbound:
    f = fields if fields is not None else parse_fields(body, json_mode)
    for need in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not isinstance(f.get(need), str) or not f.get(need):
            raise InboundError("invalid_message", f"{need} is missing.")
    try:
        created = int(f["CreateTime"])
    except ValueError:
        raise InboundError("invalid_message", "CreateTime is not a number.") from None
    if len(f["FromUserName"]) > 128:
        raise InboundError("invalid_message", "FromUserName is too long.")
    msg_id = f.get("MsgId") or None
    if msg_id is not None and (not msg_id.isdigit() or len(msg_id) > 32):
        raise InboundError("invalid_message", "MsgId is not a number.")
    text = _text_of(f)
    return Inbound(to_user=f["ToUserName"], from_user=f["FromUserName"], create_time=created,
                   msg_type=f["MsgType"], event=(f.get("Event") or "").lower() or None,
                   msg_id=msg_id, text=text[:4000] if text else None,
                   fields={k: f[k] for k in ("PicUrl", "MediaId", "Recognition", "Url", "Title",
                                             "EventKey", "Label") if f.get(k)})

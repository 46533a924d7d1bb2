"""WeChat Official Account (公众号) and Mini Program (小程序) customer service.

Webhook (GET/POST /v1/channels/wechat/{channel_id}):
- GET is WeChat's server URL check: `signature` over token, timestamp, nonce; echo `echostr`.
- POST is a pushed message: checked (`signature`, and `msg_signature` in safe mode),
  decrypted, deduplicated (a conditional put `wxin#{channel}#{MsgId | FromUserName:CreateTime}`
  in the keys table, so WeChat's three retries store one message), stored through
  services/channels.receive, and answered at once with "success": replies never go in the
  passive reply, they go through 客服消息 (message/custom/send) from the outbound task.

Mini Programs: the same code. Their push may be XML or JSON (the admin picks the data
format: channel `format`), the URL check and safe mode are the same, messages are text,
image, miniprogrampage and the user_enter_tempsession event, and replies use the same
message/custom/send API within the same 48-hour window.

Access tokens: one per app, cached in the keys table with their expiry and refreshed (stable
token API) 5 minutes before it; one caller refreshes under a conditional-write lease, the
others wait for its result (`access_token`).
"""
from __future__ import annotations

import time

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.wechat_api import TOKEN_ERRORS, WeChatApiError
from chalicelib.domain import channels as ch
from chalicelib.domain.channels import wechat_crypto as wc
from chalicelib.domain.channels import wechat_inbound as wi
from chalicelib.domain.channels import window
from chalicelib.errors import AppError, Forbidden, NotFound, ValidationError
from chalicelib.services import channels as channel_service
from chalicelib.services.channels import DeliveryFailed

REFRESH_MARGIN_MS = 5 * 60 * 1000
LEASE_MS = 10_000
WAIT_STEPS = 25
WAIT_STEP_S = 0.2
_memo: dict[str, tuple[str, int]] = {}     # app id -> (token, expires at ms), per container


def _channel(deps, channel_id: str) -> tuple[dict, dict]:
    channel = deps.channels.repo.get(channel_id) if ch.CHANNEL_ID_RE.match(channel_id or "") \
        else None
    if channel is None or channel.get("kind") not in ch.WECHAT_KINDS or channel.get("disabled"):
        raise NotFound("No such WeChat channel.", code="channel_not_found")
    return channel, deps.channels.secrets.get(channel_id)


def _check(query: dict, token: str) -> None:
    if not wc.check_signature(query.get("signature"), token, query.get("timestamp") or "",
                              query.get("nonce") or ""):
        raise Forbidden("The signature does not match.", code="invalid_signature")


def verify_url(deps, channel_id: str, query: dict) -> str:
    """WeChat's server URL check: the echostr when the signature matches."""
    channel, secrets = _channel(deps, channel_id)
    _check(query, secrets.get("token") or "")
    echostr = query.get("echostr") or ""
    if not echostr or len(echostr) > 128:
        raise ValidationError("echostr is missing.", code="invalid_request")
    log.info("wechat_url_verified", channel_id=channel_id)
    channel_service.mark_status(deps, channel, "verified_at")
    return echostr


def handle_push(deps, channel_id: str, query: dict, body: bytes) -> str:
    """A pushed message or event; returns the reply body ("success")."""
    channel, secrets = _channel(deps, channel_id)
    token = secrets.get("token") or ""
    _check(query, token)
    json_mode = channel.get("format") == "json"
    try:
        fields = wi.parse_fields(body, json_mode)
        if query.get("encrypt_type") == "aes" or (fields.get("Encrypt") and
                                                  channel.get("mode") != "plain"):
            enc = fields.get("Encrypt") or ""
            if not wc.check_signature(query.get("msg_signature"), token,
                                      query.get("timestamp") or "", query.get("nonce") or "",
                                      enc):
                raise Forbidden("The message signature does not match.",
                                code="invalid_signature")
            plain = wc.decrypt(enc, secrets.get("encoding_aes_key") or "", channel["app_id"])
            fields = wi.parse_fields(plain.encode("utf-8"), json_mode)
        elif channel.get("mode") == "safe":
            raise ValidationError("This channel accepts encrypted messages only.",
                                  code="encryption_required")
        msg = wi.parse(b"", fields=fields)
    except (wi.InboundError, wc.CryptoError) as exc:
        raise ValidationError(str(exc), code=exc.code) from None
    claim = f"wxin#{channel_id}#{msg.dedupe_key}"
    if not deps.claims.claim(claim, ttl_days=2):
        log.info("wechat_retry_ignored", channel_id=channel_id)
        return "success"
    try:
        at = int(deps.clock() * 1000)   # receipt time: CreateTime is WeChat's clock
        if msg.text is not None:
            channel_service.receive(
                deps, channel["site_key"], channel, msg.from_user,
                {"text": msg.text, "at": at,
                 "client_message_id": ch.client_message_id("wx", msg.dedupe_key)})
        elif msg.is_interaction:
            channel_service.touch_window(deps, channel, msg.from_user, at)
    except Exception:
        deps.claims.release(claim)      # WeChat's retry gets another go
        raise
    channel_service.mark_status(deps, channel, "last_message_at")
    return "success"


# ---------------------------------------------------------------- access tokens
def access_token(deps, channel: dict, secrets: dict, force: bool = False,
                 sleep=time.sleep) -> str:
    """The app's access token: from this container's memo, else the shared store, else one
    refresh under a lease while concurrent callers wait for it."""
    app_id, now = channel["app_id"], now_ms()
    memo = _memo.get(app_id)
    if memo and not force and memo[1] - now > REFRESH_MARGIN_MS:
        return memo[0]
    store = deps.channels.tokens
    for _ in range(WAIT_STEPS):
        cached = store.read(app_id)
        if cached.get("token") and not force and \
                cached["expires_at"] - now_ms() > REFRESH_MARGIN_MS:
            _memo[app_id] = (cached["token"], cached["expires_at"])
            return cached["token"]
        if store.take_lease(app_id, now_ms(), LEASE_MS):
            again = store.read(app_id)      # stored between our read and our lease?
            if again.get("token") and not force and \
                    again["expires_at"] - now_ms() > REFRESH_MARGIN_MS:
                store.release(app_id)
                _memo[app_id] = (again["token"], again["expires_at"])
                return again["token"]
            try:
                token, expires_in = deps.channels.wechat.stable_token(
                    app_id, secrets.get("app_secret") or "", force=force)
            except Exception:
                store.release(app_id)
                raise
            expires_at = now_ms() + expires_in * 1000
            store.store(app_id, token, expires_at)
            _memo[app_id] = (token, expires_at)
            log.info("wechat_token_refreshed", channel_id=channel["id"])
            return token
        force = False           # someone else is refreshing: take theirs
        sleep(WAIT_STEP_S)
    raise DeliveryFailed("token_unavailable")


def forget_token(app_id: str) -> None:
    _memo.pop(app_id, None)


# ---------------------------------------------------------------- outbound (channel sender)
def send(deps, channel: dict, conv: dict, message: dict) -> None:
    """Deliver a stored agent/bot message through 客服消息 within the 48-hour window."""
    last = (conv.get("attrs") or {}).get("last_user_at")
    if not window.is_open(last, int(deps.clock() * 1000)):
        raise DeliveryFailed("window_expired", permanent=True)
    secrets = deps.channels.secrets.get(channel["id"])
    touser = (conv.get("attrs") or {}).get("external_id")
    payloads = []
    text = ch.outbound_text(message)
    att = message.get("attachment")
    if att and (att.get("content_type") or "").startswith("image/"):
        payloads.append(("image", att))
    elif att:
        text = ((text or "") + f"\n[{att.get('name')}]").strip()
    if text:
        payloads.insert(0, ("text", text))
    for kind, content in payloads:
        for round_ in (0, 1):
            token = access_token(deps, channel, secrets, force=round_ == 1)
            try:
                if kind == "text":
                    body = {"touser": touser, "msgtype": "text", "text": {"content": content}}
                else:
                    data = deps.storage.read_bytes(content["key"])
                    media = deps.channels.wechat.upload_media(
                        token, "image", content.get("name") or "image", data,
                        content.get("content_type") or "image/png")
                    body = {"touser": touser, "msgtype": "image", "image": {"media_id": media}}
                deps.channels.wechat.send_custom(token, body)
                break
            except WeChatApiError as exc:
                if exc.errcode in TOKEN_ERRORS and round_ == 0:
                    forget_token(channel["app_id"])
                    continue
                raise DeliveryFailed(exc.reason, permanent=exc.permanent) from None


def check_credentials(values: dict) -> None:
    """What an admin pastes, checked before it is stored (AppError on a bad value)."""
    try:
        if values.get("encoding_aes_key"):
            wc.aes_key(values["encoding_aes_key"])
    except wc.CryptoError as exc:
        raise AppError(str(exc), code=exc.code) from None

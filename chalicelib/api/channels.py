"""Channel webhooks (/v1/channels): called by WeChat's servers and by businesses' systems,
never by browsers; each authenticates by its own signature (no tokens, no CORS).

- GET  /wechat/{channel_id}     WeChat's server URL check (echo echostr)
- POST /wechat/{channel_id}     a pushed message or event; answered "success" at once
- POST /{channel_id}/messages   the API channel's inbound message (HMAC-signed, or
                                `Authorization: Bearer pk_live_...` with a channel-scoped
                                API key of the channel's site)
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.common import MAX_BODY, bearer, get_deps, query, route
from chalicelib.api.principal import principal
from chalicelib.errors import AppError
from chalicelib.services import api_channel, api_keys, wechat

bp = Blueprint(__name__)


def _text(body: str, status: int = 200) -> Response:
    return Response(body=body, status_code=status,
                    headers={"Content-Type": "text/plain; charset=utf-8"})


def _raw(request) -> bytes:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY:
        raise AppError("The request body is too large.", code="body_too_large", status=413)
    return raw


def _query(request) -> dict:
    return {k: v for k, v in query(request).items() if isinstance(v, str) and len(v) <= 512}


@route(bp, "/wechat/{channel_id}", methods=["GET"])
def wechat_verify(channel_id):
    req = bp.current_request
    return _text(wechat.verify_url(get_deps(), channel_id, _query(req)))


@route(bp, "/wechat/{channel_id}", methods=["POST"])
def wechat_push(channel_id):
    req = bp.current_request
    return _text(wechat.handle_push(get_deps(), channel_id, _query(req), _raw(req)))


@route(bp, "/{channel_id}/messages", methods=["POST"])
def api_message(channel_id):
    req = bp.current_request
    headers = {k.lower(): v for k, v in (req.headers or {}).items()}
    keyed = headers.get("authorization", "").lower().startswith("bearer ") and \
        api_keys.is_api_key(bearer(req))
    if keyed:       # 401 unknown or revoked, 403 another scope or another site
        principal(req, "channel", api_channel.find_channel(get_deps(), channel_id)["site_key"])
    reply, created = api_channel.receive(get_deps(), channel_id, headers, _raw(req),
                                         authenticated=keyed)
    return Response(body=reply, status_code=201 if created else 200)

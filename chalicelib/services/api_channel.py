"""The API channel's inbound path: a business's own system posts a message for one of its
users (POST /v1/channels/{channel_id}/messages).

Authentication: an HMAC-SHA256 signature over `{timestamp}.{body}` with the channel's
signing secret (domain/channels/api_sign.py; 5-minute replay window), or an API key of scope
`channel` for the channel's site: the route checks the key (api/principal.py,
services/api_keys.py) and calls `receive` with `authenticated=True`, which skips the
signature.
Idempotency: the body's client_message_id (a retried post returns the stored message)."""
from __future__ import annotations

from chalicelib.domain import channels as ch
from chalicelib.domain import strictjson
from chalicelib.domain.channels import api_sign
from chalicelib.domain.validation import CLIENT_ID_RE, EMAIL_RE, MAX_TEXT, Field, validate
from chalicelib.errors import NotFound, Unauthorized, ValidationError
from chalicelib.services import channels as channel_service

SCHEMA = {
    "user": Field(dict, required=True, schema={
        "id": Field(str, required=True, min_len=1, max_len=128, pattern=ch.EXTERNAL_ID_RE),
        "name": Field(str, max_len=100, nullable=True),
        "email": Field(str, max_len=254, pattern=EMAIL_RE, nullable=True),
    }),
    "text": Field(str, required=True, min_len=1, max_len=MAX_TEXT),
    "client_message_id": Field(str, required=True, pattern=CLIENT_ID_RE, min_len=1, max_len=60),
}


def find_channel(deps, channel_id: str) -> dict:
    """The enabled API channel `channel_id`; 404 otherwise."""
    channel = deps.channels.repo.get(channel_id) if ch.CHANNEL_ID_RE.match(channel_id or "") \
        else None
    if channel is None or channel.get("kind") != ch.API or channel.get("disabled"):
        raise NotFound("No such API channel.", code="channel_not_found")
    return channel


def receive(deps, channel_id: str, headers: dict, raw_body: bytes,
            authenticated: bool = False) -> tuple[dict, bool]:
    """Verify, parse and store one inbound message. Returns (reply, created)."""
    channel = find_channel(deps, channel_id)
    if not authenticated:
        secrets = deps.channels.secrets.get(channel_id).get("signing_secrets") or []
        try:
            api_sign.verify(secrets, headers.get("x-parley-timestamp"),
                            headers.get("x-parley-signature"), raw_body, deps.clock())
        except api_sign.SignatureError as exc:
            raise Unauthorized(str(exc), code=exc.code) from None
    if not raw_body.strip():
        raise ValidationError("The body must be a JSON object.", code="invalid_body")
    doc = strictjson.loads(raw_body)
    body = validate(doc, SCHEMA)
    user = body["user"]
    out = channel_service.receive(
        deps, channel["site_key"], channel, user["id"],
        {"text": body["text"], "client_message_id": "api:" + body["client_message_id"]},
        profile={"name": user.get("name"), "email": user.get("email")})
    channel_service.mark_status(deps, channel, "last_message_at")
    msg = out["message"]
    return {"conversation_id": out["conversation_id"], "message_id": msg["id"],
            "seq": msg["seq"], "client_message_id": body["client_message_id"],
            "created": out["created"]}, out["created"]

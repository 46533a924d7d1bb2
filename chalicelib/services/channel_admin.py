"""Admins connect channels to a site: WeChat Official Accounts, Mini Programs, the API channel.

The channel record (directory table) holds what may be shown: kind, site, name, app id,
mode, format, status timestamps. Credentials (AppSecret, token, EncodingAESKey; the API
channel's signing secret) go to Secrets Manager and are never returned, except the API
channel's signing secret once, when it is made (create, rotate-secret)."""
from __future__ import annotations

import re
import secrets as _secrets
import uuid

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import channels as ch
from chalicelib.domain import departments as depts
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import AppError, NotFound
from chalicelib.services import audit
from chalicelib.services.wechat import check_credentials

APP_ID_RE = re.compile(r"^wx[a-zA-Z0-9]{14,30}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9]{3,32}$")           # WeChat: 3-32 letters and digits
AES_KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9]{16,64}$")

CREATE_SCHEMA = {
    "kind": Field(str, required=True, choices=ch.CONNECTABLE),
    "site_key": Field(str, required=True, pattern=SITE_KEY_RE),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "app_id": Field(str, pattern=APP_ID_RE),
    "app_secret": Field(str, pattern=SECRET_RE),
    "token": Field(str, pattern=TOKEN_RE),
    "encoding_aes_key": Field(str, pattern=AES_KEY_RE),
    "mode": Field(str, choices=("plain", "compat", "safe")),
    "format": Field(str, choices=("xml", "json")),
    # the department its users' chats belong to (its bot, its team); none: the site's
    "department": Field(str, nullable=True, max_len=32, pattern=depts.DEPT_ID_RE),
}
UPDATE_SCHEMA = {k: Field(v.type, pattern=v.pattern, choices=v.choices, min_len=v.min_len,
                          max_len=v.max_len, nullable=v.nullable)
                 for k, v in CREATE_SCHEMA.items() if k not in ("kind", "site_key")}
UPDATE_SCHEMA["disabled"] = Field(bool)
WECHAT_SECRETS = ("app_secret", "token", "encoding_aes_key")
SHOWN = ("id", "kind", "site_key", "name", "app_id", "mode", "format", "disabled",
         "department", "created_at", "updated_at", "verified_at", "last_message_at")


def view(channel: dict) -> dict:
    out = {k: channel.get(k) for k in SHOWN}
    out["configured"] = dict(channel.get("configured") or {})
    if channel.get("kind") in ch.WECHAT_KINDS:
        out["server_path"] = f"/v1/channels/wechat/{channel['id']}"
    else:
        out["messages_path"] = f"/v1/channels/{channel['id']}/messages"
    return out


def _get(deps, channel_id: str) -> dict:
    channel = deps.channels.repo.get(channel_id) if ch.CHANNEL_ID_RE.match(channel_id or "") \
        else None
    if channel is None:
        raise NotFound("No such channel.", code="channel_not_found")
    return channel


def _wechat_checks(body: dict, merged: dict) -> None:
    if merged.get("mode") == "safe" and not merged.get("configured", {}).get("encoding_aes_key") \
            and not body.get("encoding_aes_key"):
        raise AppError("Safe mode needs the EncodingAESKey.", code="encoding_aes_key_required")
    check_credentials(body)


def _check_department(site: dict | None, dept_id) -> None:
    """A channel's department is one of its site's (null: none)."""
    if dept_id is None:
        return
    try:
        depts.require((site or {}).get("settings"), dept_id, "department")
    except depts.DepartmentError as exc:
        raise AppError(str(exc), code=exc.code, details=exc.details) from None


def list_channels(deps, site_key: str | None = None) -> dict:
    if site_key is not None and not SITE_KEY_RE.match(site_key):
        raise AppError("Unknown site key.", code="invalid_site_key")
    items = deps.channels.repo.list_for_site(site_key) if site_key else \
        deps.channels.repo.list_all()
    return {"channels": [view(c) for c in sorted(items, key=lambda c: c.get("created_at") or 0)]}


def get_channel(deps, channel_id: str) -> dict:
    return view(_get(deps, channel_id))


def create_channel(deps, actor: Actor, payload: dict) -> dict:
    body = validate(payload, CREATE_SCHEMA)
    site = deps.sites.get(body["site_key"])
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    _check_department(site, body.get("department"))
    kind = body["kind"]
    channel_id = "ch_" + uuid.uuid4().hex[:16]
    values, shown_once = {}, None
    if kind in ch.WECHAT_KINDS:
        for need in ("app_id",) + WECHAT_SECRETS[:2]:
            if not body.get(need):
                raise AppError(f"'{need}' is required for a WeChat channel.",
                               code="missing_field", details={"field": need})
        values = {k: body[k] for k in WECHAT_SECRETS if body.get(k)}
        _wechat_checks(body, {"mode": body.get("mode", "compat")})
    else:
        for k in ("app_id", "app_secret", "token", "encoding_aes_key", "mode", "format"):
            if k in body:
                raise AppError(f"'{k}' is for WeChat channels.", code="unknown_field",
                               details={"field": k})
        shown_once = "whsec_" + _secrets.token_hex(24)
        values = {"signing_secrets": [shown_once]}
    ts = now_ms()
    record = {"kind": kind, "site_key": body["site_key"], "name": body["name"],
              "created_at": ts, "updated_at": ts, "disabled": False,
              "configured": {k: True for k in values}}
    if body.get("department"):
        record["department"] = body["department"]
    if kind in ch.WECHAT_KINDS:
        record.update(app_id=body["app_id"], mode=body.get("mode", "compat"),
                      format=body.get("format", "xml") if kind == ch.WECHAT_MP else "xml")
    deps.channels.secrets.put(channel_id, values)
    stored = deps.channels.repo.create(channel_id, record)
    audit.record(deps, actor, "channel.created", "channel", channel_id,
                 site_key=body["site_key"], details={"kind": kind})
    log.info("channel_created", channel_id=channel_id, kind=kind)
    out = view(stored)
    if shown_once:
        out["signing_secret"] = shown_once      # shown once; stored only in Secrets Manager
    return out


def update_channel(deps, actor: Actor, channel_id: str, payload: dict) -> dict:
    body = validate(payload, UPDATE_SCHEMA)
    channel = _get(deps, channel_id)
    wechat = channel["kind"] in ch.WECHAT_KINDS
    if not wechat and any(k in body for k in ("app_id", "mode", "format") + WECHAT_SECRETS):
        raise AppError("Only name, department and disabled change on an API channel.",
                       code="unknown_field")
    if channel["kind"] != ch.WECHAT_MP and "format" in body:
        raise AppError("Only Mini Programs push JSON.", code="invalid_format")
    if "department" in body:
        _check_department(deps.sites.get(channel.get("site_key") or ""), body["department"])
    new_secrets = {k: body.pop(k) for k in WECHAT_SECRETS if k in body}
    merged = {**channel, **body}
    if merged.get("department") is None:
        merged.pop("department", None)              # null: back to the site's bot and team
    if wechat:
        _wechat_checks(new_secrets, merged)
    if new_secrets:
        deps.channels.secrets.put(channel_id, {**deps.channels.secrets.get(channel_id),
                                               **new_secrets})
        merged["configured"] = {**(channel.get("configured") or {}),
                                **{k: True for k in new_secrets}}
    merged["updated_at"] = now_ms()
    merged.pop("id", None)
    stored = deps.channels.repo.replace(channel_id, merged)
    audit.record(deps, actor, "channel.updated", "channel", channel_id,
                 site_key=channel.get("site_key"),
                 details={"fields": sorted(set(body) | set(new_secrets))})
    return view(stored)


def rotate_secret(deps, actor: Actor, channel_id: str) -> dict:
    """API channel: a new signing secret; the previous one keeps verifying until the next
    rotation, so the business can switch without a gap. Shown once."""
    channel = _get(deps, channel_id)
    if channel["kind"] != ch.API:
        raise AppError("Only API channels have a signing secret.", code="not_api_channel")
    old = deps.channels.secrets.get(channel_id).get("signing_secrets") or []
    fresh = "whsec_" + _secrets.token_hex(24)
    deps.channels.secrets.put(channel_id, {"signing_secrets": [fresh] + old[:1]})
    audit.record(deps, actor, "channel.secret_rotated", "channel", channel_id,
                 site_key=channel.get("site_key"))
    return {**view(channel), "signing_secret": fresh}


def delete_channel(deps, actor: Actor, channel_id: str) -> dict:
    channel = _get(deps, channel_id)
    deps.channels.repo.delete(channel_id)
    deps.channels.secrets.delete(channel_id)
    audit.record(deps, actor, "channel.deleted", "channel", channel_id,
                 site_key=channel.get("site_key"))
    return {"deleted": channel_id}

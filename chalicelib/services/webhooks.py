"""Webhook endpoints for admins: create, list, edit, delete, rotate the signing secret, ping,
the delivery log and manual redelivery (REST: chalicelib/api/integrations.py).

The signing secret is shown once (on create and on rotate) and stored sealed
(chalicelib/sealing.py, the site identity secrets' keys). Every change is audited.
"""
from __future__ import annotations

import re
import secrets
import uuid

from chalicelib.adapters.webhook_http import url_refusal
from chalicelib.domain import webhooks as rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Conflict, NotFound, ValidationError
from chalicelib.sealing import seal
from chalicelib.services import audit
from chalicelib.services import webhook_delivery as delivery

ENDPOINT_ID_RE = re.compile(r"^wh_[a-f0-9]{16}$")
DELIVERY_ID_RE = re.compile(r"^\d{13}-[a-f0-9]{16}$")

SCHEMA = {
    "site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
    "url": Field(str, required=True, min_len=1, max_len=2000),
    "description": Field(str, max_len=200),
    "events": Field(list, required=True, item=Field(str, min_len=1, max_len=60),
                    max_items=rules.MAX_TYPES),
    "enabled": Field(bool),
}
PATCH = {k: Field(v.type, max_len=v.max_len, min_len=v.min_len, item=v.item,
                  max_items=v.max_items) for k, v in SCHEMA.items() if k != "site_key"}


def _check_url(url: str) -> None:
    why = url_refusal(url)
    if why:
        raise ValidationError(f"This URL cannot receive webhooks: {why}.",
                              code="invalid_url", details={"field": "url"})


def _check_events(events: list) -> list:
    if not events:
        raise ValidationError("Pick at least one event type.", code="empty",
                              details={"field": "events"})
    for name in events:
        if not rules.valid_event_type(name):
            raise ValidationError(f"Unknown event type '{name[:60]}'.", code="invalid_value",
                                  details={"field": "events"})
    return sorted(set(events))


def view(item: dict) -> dict:
    data = item.get("data") or {}
    out = {"id": item["pk"][3:], "site_key": item.get("site_key"), "url": data.get("url"),
           "description": data.get("description") or "", "events": data.get("events") or [],
           "enabled": bool(item.get("enabled")), "created_at": item.get("created_at"),
           "secret_hint": data.get("secret_hint"),
           "failing_since": item.get("failing_since"),
           "consecutive_parked": int(item.get("consecutive_parked") or 0)}
    if not item.get("enabled") and (item.get("status") or "").startswith("disabled:"):
        out["disabled_reason"] = item["status"].split(":", 1)[1]
        out["disabled_at"] = item.get("revoked_at")
    return out


def _endpoint(deps, endpoint_id: str) -> dict:
    item = deps.integrations.get_endpoint(endpoint_id) \
        if isinstance(endpoint_id, str) and ENDPOINT_ID_RE.match(endpoint_id) else None
    if item is None:
        raise NotFound("No such webhook endpoint.", code="webhook_not_found")
    return item


def _new_secret(deps) -> tuple[str, dict]:
    secret = rules.new_secret()
    return secret, {"secret": seal(secret, delivery._keys(deps)), "secret_hint": secret[-4:]}


def create_endpoint(deps, actor: Actor, payload: dict) -> dict:
    q = validate(payload, SCHEMA)
    _check_url(q["url"])
    events = _check_events(q["events"])
    if deps.sites.get(q["site_key"]) is None:
        raise ValidationError("No such site.", code="unknown_site",
                              details={"field": "site_key"})
    if len(deps.integrations.list_endpoints(q["site_key"], rules.MAX_ENDPOINTS)) \
            >= rules.MAX_ENDPOINTS:
        raise Conflict(f"A site has at most {rules.MAX_ENDPOINTS} webhook endpoints; delete "
                       "one first.", code="too_many_webhooks")
    secret, sealed = _new_secret(deps)
    endpoint_id = "wh_" + secrets.token_hex(8)
    data = {"url": q["url"], "description": q.get("description", ""), "events": events,
            **sealed}
    item = deps.integrations.create_endpoint(endpoint_id, q["site_key"], data,
                                             q.get("enabled", True), delivery.now_ms(deps))
    audit.record(deps, actor, "webhook.created", "webhook", endpoint_id, q["site_key"],
                 {"events": events})
    return {"webhook": view(item), "secret": secret}


def list_endpoints(deps, site_key: str | None) -> dict:
    if not site_key or not SITE_KEY_RE.match(site_key):
        raise ValidationError("Give 'site_key'.", code="missing_field",
                              details={"field": "site_key"})
    items = sorted(deps.integrations.list_endpoints(site_key, rules.MAX_ENDPOINTS),
                   key=lambda i: i.get("created_at") or 0)
    return {"webhooks": [view(i) for i in items], "event_types": list(rules.CATALOGUE)}


def get_endpoint(deps, endpoint_id: str) -> dict:
    return {"webhook": view(_endpoint(deps, endpoint_id))}


def update_endpoint(deps, actor: Actor, endpoint_id: str, payload: dict) -> dict:
    item = _endpoint(deps, endpoint_id)
    q = validate(payload, PATCH)
    data = dict(item.get("data") or {})
    if "url" in q:
        _check_url(q["url"])
        data["url"] = q["url"]
    if "events" in q:
        data["events"] = _check_events(q["events"])
    if "description" in q:
        data["description"] = q["description"]
    enabling = q.get("enabled") is True and not item.get("enabled")
    updated = deps.integrations.update_endpoint(endpoint_id, data, q.get("enabled"),
                                                reset_failures=enabling)
    if updated is None:
        raise NotFound("No such webhook endpoint.", code="webhook_not_found")
    audit.record(deps, actor, "webhook.updated", "webhook", endpoint_id,
                 item.get("site_key"), {"fields": sorted(q)})
    return {"webhook": view(updated)}


def delete_endpoint(deps, actor: Actor, endpoint_id: str) -> dict:
    item = _endpoint(deps, endpoint_id)
    if not deps.integrations.delete_endpoint(endpoint_id):
        raise NotFound("No such webhook endpoint.", code="webhook_not_found")
    audit.record(deps, actor, "webhook.deleted", "webhook", endpoint_id, item.get("site_key"))
    return {"deleted": endpoint_id}


def rotate_secret(deps, actor: Actor, endpoint_id: str) -> dict:
    item = _endpoint(deps, endpoint_id)
    secret, sealed = _new_secret(deps)
    updated = deps.integrations.update_endpoint(endpoint_id, {**item["data"], **sealed})
    audit.record(deps, actor, "webhook.secret_rotated", "webhook", endpoint_id,
                 item.get("site_key"))
    return {"webhook": view(updated or item), "secret": secret}


def ping(deps, actor: Actor, endpoint_id: str) -> dict:
    """POST a `webhook.ping` event now (signed like any delivery) and log it."""
    item = _endpoint(deps, endpoint_id)
    now = delivery.now_ms(deps)
    envelope = {"id": f"ping:{uuid.uuid4().hex[:16]}", "type": "webhook.ping", "version": 1,
                "at": now, "site_key": item.get("site_key"), "conversation_id": None,
                "data": {"endpoint_id": endpoint_id}}
    result = delivery.sign_and_post(deps, item, envelope)
    dlv_id = delivery.delivery_id(envelope, endpoint_id)
    entry = {"n": 1, "at": now, "code": result.status_code, "ms": result.duration_ms}
    if result.error:
        entry["error"] = result.error
    deps.integrations.put_delivery(endpoint_id, dlv_id,
                                   {"event_id": envelope["id"], "event_type": "webhook.ping",
                                    "envelope": envelope, "log": []}, now)
    deps.integrations.record_attempt(endpoint_id, dlv_id, 1,
                                     "succeeded" if result.ok else "parked",
                                     {"event_id": envelope["id"], "event_type": "webhook.ping",
                                      "envelope": envelope, "log": [entry]})
    audit.record(deps, actor, "webhook.tested", "webhook", endpoint_id, item.get("site_key"),
                 {"ok": result.ok, "status_code": result.status_code})
    return {"ok": result.ok, "status_code": result.status_code,
            "duration_ms": result.duration_ms, "error": result.error, "delivery_id": dlv_id}


# ------------------------------------------------------------------ the delivery log
def delivery_view(endpoint_id: str, item: dict) -> dict:
    data = item.get("data") or {}
    entries = data.get("log") or []
    last = entries[-1] if entries else {}
    return {"id": item["sk"][3:], "endpoint_id": endpoint_id, "event_id": data.get("event_id"),
            "event_type": data.get("event_type"), "status": item.get("status"),
            "attempts": int(item.get("attempts") or 0), "created_at": item.get("created_at"),
            "next_attempt_at": data.get("next_at"),
            "response_code": last.get("code"), "duration_ms": last.get("ms"),
            "error": last.get("error"), "log": entries}


def list_deliveries(deps, endpoint_id: str, limit: int, cursor: str | None) -> dict:
    _endpoint(deps, endpoint_id)
    if cursor is not None and not DELIVERY_ID_RE.match(cursor):
        raise ValidationError("The cursor is not valid.", code="invalid_cursor",
                              details={"field": "cursor"})
    items, after = deps.integrations.list_deliveries(endpoint_id, limit, cursor)
    out = {"deliveries": [delivery_view(endpoint_id, i) for i in items]}
    if after:
        out["next_cursor"] = after
    return out


def redeliver(deps, actor: Actor, endpoint_id: str, dlv_id: str) -> dict:
    item = _endpoint(deps, endpoint_id)
    dlv = deps.integrations.get_delivery(endpoint_id, dlv_id) \
        if isinstance(dlv_id, str) and DELIVERY_ID_RE.match(dlv_id) else None
    if dlv is None:
        raise NotFound("No such delivery.", code="delivery_not_found")
    if dlv.get("status") in ("pending", "retrying"):
        raise ValidationError("This delivery is still being attempted.",
                              code="delivery_in_progress", status=409)
    delivery.enqueue(deps, endpoint_id, dlv_id, int(dlv.get("attempts") or 0) + 1,
                     delivery.now_ms(deps), manual=True)
    audit.record(deps, actor, "webhook.redelivered", "webhook", endpoint_id,
                 item.get("site_key"), {"delivery_id": dlv_id})
    return {"delivery": delivery_view(endpoint_id, dlv), "queued": True}


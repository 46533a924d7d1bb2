"""API keys for the open REST API: admins create (name, scope), list and revoke them; a key
is shown once and stored as a hash (domain/webhooks.key_hash). `Authorization: Bearer
pk_live_...` makes the caller a service principal (chalicelib/api/principal.py):

- `read-only`: GETs of the agent and admin routes;
- `admin`: the admin routes, and GETs of the agent routes;
- `channel`: only the API channel's inbound route (POST /v1/channels/{id}/messages) of the
  API channels of the key's own site (`site_key`, required for this scope).

Lookup is one GetItem by the key id inside the key (no full-table read). Every call is attributed: an
audit entry `api_key.request` names the key, and admin changes made with a key are audited
with the key as the actor. last_used_at is written at most once a minute (conditional).
"""
from __future__ import annotations

import hmac

from chalicelib import log
from chalicelib.domain import webhooks as rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Forbidden, NotFound, Unauthorized, ValidationError
from chalicelib.services import audit

SCHEMA = {"name": Field(str, required=True, min_len=1, max_len=80),
          "scope": Field(str, required=True, choices=rules.KEY_SCOPES),
          "site_key": Field(str, pattern=SITE_KEY_RE, nullable=True)}


def _now(deps) -> int:
    return int(deps.clock() * 1000)


def view(item: dict) -> dict:
    data = item.get("data") or {}
    return {"id": item["sk"], "name": data.get("name"), "scope": data.get("scope"),
            "prefix": f"{rules.KEY_PREFIX}{item['sk']}_", "created_at": item.get("created_at"),
            "site_key": data.get("site_key"),
            "created_by": data.get("created_by"), "last_used_at": item.get("last_used_at"),
            "revoked_at": item.get("revoked_at"), "active": item.get("revoked_at") is None}


def create_key(deps, actor: Actor, payload: dict) -> dict:
    q = validate(payload, SCHEMA)
    site_key = q.get("site_key")
    if q["scope"] == "channel" and not site_key:
        raise ValidationError("A channel key belongs to one site: give its site_key.",
                              code="site_required")
    if site_key and deps.sites.get(site_key) is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    key_id, key = rules.new_api_key()
    _, secret_part = rules.parse_api_key(key)
    item = deps.integrations.create_key(
        key_id, {"name": q["name"], "scope": q["scope"], "created_by": actor.id,
                 "site_key": site_key, "hash": rules.key_hash(key_id, secret_part)},
        _now(deps))
    audit.record(deps, actor, "api_key.created", "api_key", key_id, site_key,
                 {"name": q["name"], "scope": q["scope"]})
    return {"api_key": view(item), "key": key}


PAGE = 50


def list_keys(deps, cursor: str | None = None) -> dict:
    """One page of keys (key-id order across pages, newest first within a page) and the
    cursor of the next page (None: the last)."""
    if cursor is not None and not (isinstance(cursor, str) and len(cursor) == 12
                                   and cursor.isalnum()):
        raise ValidationError("Bad cursor.", code="invalid_cursor", details={"field": "cursor"})
    items, after = deps.integrations.list_keys(PAGE, cursor)
    items.sort(key=lambda i: -(i.get("created_at") or 0))
    return {"api_keys": [view(i) for i in items], "scopes": list(rules.KEY_SCOPES),
            "cursor": after}


def revoke_key(deps, actor: Actor, key_id: str) -> dict:
    item = deps.integrations.get_key(key_id) if isinstance(key_id, str) and \
        len(key_id) == 12 and key_id.isalnum() else None
    if item is None:
        raise NotFound("No such API key.", code="api_key_not_found")
    if item.get("revoked_at") is None:
        deps.integrations.revoke_key(key_id, _now(deps))
        audit.record(deps, actor, "api_key.revoked", "api_key", key_id, None,
                     {"name": (item.get("data") or {}).get("name")})
    return {"api_key": view(deps.integrations.get_key(key_id) or item)}


def is_api_key(token: str | None) -> bool:
    return isinstance(token, str) and token.startswith(rules.KEY_PREFIX)


def key_actor(deps, token: str, area: str, method: str, path: str,
              source_ip: str | None = None, site_key: str | None = None) -> Actor:
    """The service principal behind an API key, allowed to call `method` on a route of
    `area` (of site `site_key` for channel routes); 401 for an unknown, malformed or revoked
    key, 403 outside its scope or its site."""
    parsed = rules.parse_api_key(token)
    item = deps.integrations.get_key(parsed[0]) if parsed else None
    data = (item or {}).get("data") or {}
    if item is None or not hmac.compare_digest(data.get("hash") or "",
                                               rules.key_hash(*parsed)):
        raise Unauthorized("The API key is not valid.", code="invalid_api_key")
    if item.get("revoked_at") is not None:
        raise Unauthorized("This API key was revoked.", code="api_key_revoked")
    key_id, scope = parsed[0], data.get("scope")
    actor = Actor(kind="agent", id=f"apikey:{key_id}", role="admin",
                  name=f"API key: {data.get('name')}", source_ip=source_ip)
    if not rules.scope_allows(scope, area, method):
        raise Forbidden(f"A {scope} API key may not call this route.", code="key_scope")
    if not rules.site_allows(scope, data.get("site_key"), area, site_key):
        raise Forbidden("This API key belongs to another site.", code="key_site")
    now = _now(deps)
    try:
        if item.get("last_used_at") is None or \
                now - int(item["last_used_at"]) >= rules.LAST_USED_EVERY_MS:
            deps.integrations.touch_key(key_id, now, rules.LAST_USED_EVERY_MS)
    except Exception as exc:          # attribution below still happens
        log.error("api_key_touch_failed", key_id=key_id, error=repr(exc))
    audit.record(deps, actor, "api_key.request", "api_key", key_id, site_key,
                 {"method": method.upper(), "path": path[:200], "scope": scope})
    return actor

"""Sites: one deployment serves several websites, each with its own widget settings."""
from __future__ import annotations

import secrets

from chalicelib.adapters.dynamo import now_ms
from chalicelib.errors import NotFound

DEFAULT_SETTINGS = {
    "greeting": {"en": "Hi! How can we help you today?", "zh": "您好!请问有什么可以帮您?"},
    "color": "#2563eb",
    "position": "right",
    "locale": "auto",
    "bot_enabled": True,
    "prechat_fields": [],
    "business_hours": None,   # None = always open; else {"tz": "...", "days": {...}}
    "team": None,
}

PUBLIC_KEYS = ("greeting", "color", "position", "locale", "bot_enabled", "prechat_fields",
               "business_hours", "title")


def create_site(deps, site_key: str, name: str, settings: dict | None = None) -> dict:
    ts = now_ms()
    return deps.sites.put({"site_key": site_key, "name": name,
                           "settings": {**DEFAULT_SETTINGS, **(settings or {})},
                           "identity_secret": secrets.token_hex(32),
                           "created_at": ts, "updated_at": ts})


def public_config(deps, site_key: str) -> dict:
    site = deps.sites.get(site_key) if site_key else None
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    settings = {**DEFAULT_SETTINGS, **(site.get("settings") or {})}
    return {"site_key": site_key, "name": site.get("name"),
            **{k: settings.get(k) for k in PUBLIC_KEYS}}

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
    "teams": [],              # other teams a visitor may ask for (handoff `team`)
}

PUBLIC_KEYS = ("greeting", "color", "position", "locale", "bot_enabled", "prechat_fields",
               "business_hours", "title")


def create_site(deps, site_key: str, name: str, settings: dict | None = None) -> dict:
    ts = now_ms()
    site = deps.sites.put({"site_key": site_key, "name": name,
                           "settings": {**DEFAULT_SETTINGS, **(settings or {})},
                           "identity_secret": secrets.token_hex(32),
                           "created_at": ts, "updated_at": ts})
    record_site(deps, site_key, name, ts)
    return site


def record_site(deps, site_key: str, name: str, created_at: int | None = None) -> None:
    """List the site in the directory table (kind "site") so admins can list sites by Query."""
    directory = getattr(deps, "directory", None)
    if directory is not None:
        directory.put("site", site_key, {"name": name, "created_at": created_at})


def public_config(deps, site_key: str) -> dict:
    site = deps.sites.get(site_key) if site_key else None
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    settings = {**DEFAULT_SETTINGS, **(site.get("settings") or {})}
    return {"site_key": site_key, "name": site.get("name"),
            **{k: settings.get(k) for k in PUBLIC_KEYS}}

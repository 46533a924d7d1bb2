"""Sites: one deployment serves several websites, each with its own widget settings."""
from __future__ import annotations

import secrets

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import departments as depts
from chalicelib.errors import NotFound
from chalicelib.sealing import SealError, key_id, open_sealed, seal

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
                           "identity_secret": seal(secrets.token_hex(32), _keys(deps)),
                           "created_at": ts, "updated_at": ts})
    record_site(deps, site_key, name, ts, site["settings"].get("departments"))
    return site


def record_site(deps, site_key: str, name: str, created_at: int | None = None,
                departments: list | None = None) -> None:
    """List the site in the directory table (kind "site") so admins can list sites, and
    their departments' bots, by Query."""
    directory = getattr(deps, "directory", None)
    if directory is not None:
        directory.put("site", site_key, {"name": name, "created_at": created_at,
                                         "departments": depts.directory_view(departments or [])})


def public_config(deps, site_key: str) -> dict:
    site = deps.sites.get(site_key) if site_key else None
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    settings = {**DEFAULT_SETTINGS, **(site.get("settings") or {})}
    return {"site_key": site_key, "name": site.get("name"),
            **{k: settings.get(k) for k in PUBLIC_KEYS},
            # the site's pre-chat form; with departments it asks for one first
            "prechat_form": depts.prechat_form(settings)}


# ------------------------------------------------------------------ identity secrets
def _keys(deps) -> list[str]:
    if deps.sealing_keys is None:
        from chalicelib.adapters.site_secrets import sealing_keys
        deps.sealing_keys = sealing_keys
    return deps.sealing_keys()


def identity_secrets(deps, site: dict) -> list[str]:
    """The site's valid identity secrets in clear: the current one, and the previous one
    while a rotation is in progress. A value no accepted key opens is left out (logged)."""
    out = []
    for field in ("identity_secret", "identity_secret_previous"):
        value = site.get(field)
        if not value:
            continue
        try:
            out.append(open_sealed(value, _keys(deps)))
        except SealError as exc:
            log.error("identity_secret_unreadable", site_key=site.get("site_key"),
                      field=field, error=str(exc))
    return out


def verify_identity(deps, site: dict, user_id: str, digest: str) -> bool:
    from chalicelib.domain.identity import verify_identity as check
    return any(check(secret, user_id, digest) for secret in identity_secrets(deps, site))


def reseal_secrets(deps) -> dict:
    """Re-seal every site's identity secrets under the current key (the sites are listed
    by the directory table's Query, never a full-table read). Run after the token-signing
    key rotated and before the previous key is dropped (services/secret_rotation.py does,
    every 30 days); values already under the current key are left."""
    keys = _keys(deps)
    current = f"sealed:v1:{key_id(keys[0])}:"
    done = unreadable = 0
    for entry in deps.directory.list("site"):
        site = deps.sites.get(entry["id"])
        if site is None:
            continue
        changed = {}
        for field in ("identity_secret", "identity_secret_previous"):
            value = site.get(field)
            if not value or value.startswith(current):
                continue
            try:
                changed[field] = seal(open_sealed(value, keys), keys)
            except SealError:
                unreadable += 1
        if changed:
            deps.sites.put({**site, **changed, "updated_at": now_ms()})
            done += 1
    log.info("site_secrets_resealed", sites=done, unreadable=unreadable)
    return {"resealed_sites": done, "unreadable": unreadable}

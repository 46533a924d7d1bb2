"""Knowledge-base administration as audited use cases: each change (and each export) is
done by services/bot.py and then recorded in the audit log with the acting admin."""
from __future__ import annotations

from typing import Optional

from chalicelib.domain.actors import Actor
from chalicelib.services import audit
from chalicelib.services import bot as bot_service


def _site(result_site: Optional[str]) -> str:
    return result_site or bot_service.COMMON


def create_entry(deps, actor: Actor, payload: dict) -> dict:
    out = bot_service.create_entry(deps, payload)
    entry = out.get("entry") or {}
    audit.record(deps, actor, "kb.entry_created", "kb_entry", entry.get("id"),
                 _site(entry.get("site_key")))
    return out


def update_entry(deps, actor: Actor, entry_id: str, payload: dict,
                 site_key: Optional[str]) -> dict:
    out = bot_service.update_entry(deps, entry_id, payload, site_key)
    entry = out.get("entry") or {}
    audit.record(deps, actor, "kb.entry_updated", "kb_entry", entry_id,
                 _site(entry.get("site_key") or site_key))
    return out


def delete_entry(deps, actor: Actor, entry_id: str, site_key: Optional[str]) -> dict:
    out = bot_service.delete_entry(deps, entry_id, site_key)
    audit.record(deps, actor, "kb.entry_deleted", "kb_entry", entry_id, _site(site_key))
    return out


def import_entries(deps, actor: Actor, payload: dict) -> dict:
    out = bot_service.import_entries(deps, payload)
    site_key = _site(payload.get("site_key") if isinstance(payload, dict) else None)
    audit.record(deps, actor, "kb.imported", "kb", site_key, site_key,
                 {"imported": out.get("imported"), "mode": payload.get("mode") or "merge"})
    return out


def export_entries(deps, actor: Actor, site_key: str) -> str:
    text = bot_service.export_entries(deps, site_key)
    audit.record(deps, actor, "kb.exported", "kb", site_key, site_key)
    return text


def put_synonyms(deps, actor: Actor, payload: dict, site_key: Optional[str]) -> dict:
    out = bot_service.put_synonyms(deps, payload, site_key)
    site = _site(payload.get("site_key") or site_key)
    audit.record(deps, actor, "kb.synonyms_changed", "kb", site, site)
    return out


def put_flows(deps, actor: Actor, payload: dict, site_key: Optional[str]) -> dict:
    out = bot_service.put_flows(deps, payload, site_key)
    site = _site(payload.get("site_key") or site_key)
    audit.record(deps, actor, "kb.flows_changed", "kb", site, site)
    return out

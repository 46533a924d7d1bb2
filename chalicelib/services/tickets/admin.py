"""Per-site ticket settings (admins): custom field definitions and the SLA policy. Every
change is audited."""
from __future__ import annotations

from chalicelib.domain.tickets import fields as custom
from chalicelib.domain.tickets import sla as slas
from chalicelib.domain.validation import SITE_KEY_RE
from chalicelib.errors import NotFound
from chalicelib.services import audit
from chalicelib.services.tickets.common import now_ms


def _site(deps, site_key: str) -> str:
    if not isinstance(site_key, str) or not SITE_KEY_RE.match(site_key) or \
            deps.sites.get(site_key) is None:
        raise NotFound("No such site.", code="site_not_found")
    return site_key


def get_settings(deps, site_key: str) -> dict:
    site_key = _site(deps, site_key)
    return {"site_key": site_key,
            "fields": deps.tickets.get_config(site_key, "fields") or [],
            "sla": deps.tickets.get_config(site_key, "sla") or slas.default_policy()}


def put_fields(deps, actor, site_key: str, payload: dict) -> dict:
    site_key = _site(deps, site_key)
    defs = custom.validate_definitions((payload or {}).get("fields"))
    deps.tickets.put_config(site_key, "fields", defs, now_ms(deps))
    audit.record(deps, actor, "tickets.fields_changed", "site", site_key, site_key,
                 {"keys": [d["key"] for d in defs]})
    return get_settings(deps, site_key)


def put_sla(deps, actor, site_key: str, payload: dict) -> dict:
    site_key = _site(deps, site_key)
    policy = slas.validate_policy(payload)
    deps.tickets.put_config(site_key, "sla", policy, now_ms(deps))
    audit.record(deps, actor, "tickets.sla_changed", "site", site_key, site_key,
                 {"priorities": sorted(policy["targets"])})
    return get_settings(deps, site_key)

"""Site administration: settings, the embed snippet, and the identity secret (sealed at
rest; revealed, rotated and rotation finished by admins, each recorded in the audit log).

During a rotation the previous secret stays valid next to the new one, so a customer's
backend can switch over; finishing the rotation drops the previous secret.
"""
from __future__ import annotations

import re
import secrets

from chalicelib import config, log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import assignment as policy
from chalicelib.domain import departments as depts
from chalicelib.domain.actors import Actor
from chalicelib.domain.mail.addresses import site_mailbox
from chalicelib.domain.qa import checks as qa_checks
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Conflict, NotFound, ValidationError
from chalicelib.sealing import seal
from chalicelib.services import audit, mail_sites
from chalicelib.services import sites as sites_svc

TEAM_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
FIELD_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _directory(deps):
    from chalicelib.services.admin import _directory as directory
    return directory(deps)


HOURS_SCHEMA = {
    "tz": Field(str, required=True, min_len=1, max_len=64),
    "days": Field(dict, required=True, schema={
        day: Field(list, max_items=policy.MAX_SPANS_PER_DAY,
                   item=Field(list, max_items=2, item=Field(str, pattern=policy.HHMM_RE,
                                                            max_len=5)))
        for day in policy.DAYS}),
}

PRECHAT_FIELD = Field(dict, schema={
    "name": Field(str, required=True, min_len=1, max_len=40, pattern=FIELD_NAME_RE),
    "label": Field(str, required=True, min_len=1, max_len=100),
    "type": Field(str, required=True, choices=("text", "email", "phone")),
    "required": Field(bool),
})

SETTINGS_SCHEMA = {
    "name": Field(str, min_len=1, max_len=100),
    "greeting": Field(dict, schema={"en": Field(str, max_len=500),
                                    "zh": Field(str, max_len=500)}),
    "color": Field(str, pattern=COLOR_RE, max_len=7),
    "position": Field(str, choices=("left", "right")),
    "locale": Field(str, choices=("auto", "en", "zh")),
    "bot_enabled": Field(bool),
    # the site's handoff rule: after this many misses in a row (default 2), or at once when a
    # message contains one of these phrases
    "bot_handoff_misses": Field(int, min=1, max=10),
    "bot_handoff_keywords": Field(list, item=Field(str, min_len=1, max_len=50), max_items=50),
    "prechat_fields": Field(list, item=PRECHAT_FIELD, max_items=10),
    "business_hours": Field(dict, nullable=True, schema=HOURS_SCHEMA),
    "team": Field(str, nullable=True, max_len=40, pattern=TEAM_ID_RE),
    # the other teams a visitor of this site may ask for by name (handoff `team`)
    "teams": Field(list, item=Field(str, min_len=1, max_len=40, pattern=TEAM_ID_RE),
                   max_items=20),
    "max_wait_seconds": Field(int, min=0, max=86400),
    "idle_close_minutes": Field(int, min=1, max=10080),
    # keep visitors, conversations and messages this many days (DynamoDB TTL); null: keep
    "retention_days": Field(int, min=1, max=3650, nullable=True),
    # the zone report days and hours are counted in (default: business_hours.tz, else UTC)
    "report_tz": Field(str, nullable=True, min_len=1, max_len=64),
    # quality inspection rules over the defaults (chalicelib/domain/qa/checks.py)
    "qa_rules": Field(dict, nullable=True),
    # per team, over qa_rules for that team's conversations: {team id: rules}
    "qa_team_rules": Field(dict, nullable=True),
    # routing (docs/routing.md): seconds a VIP / returning / channel's chat moves ahead in
    # line, and how long an agent without a socket keeps their chats before they go back
    "priorities": Field(dict, nullable=True),
    "reassign_grace_seconds": Field(int, min=0, max=86400),
    # the site's own address for email tickets, besides <site_key>@<inbound domain>
    # (docs/email.md); mirrored in the directory by services/mail_sites.py
    "mail_address": Field(str, nullable=True, max_len=254),
    # contacts: claimed leads nobody touched return to the pool after this many hours
    # (default 72); national phone numbers get this country code (default 86)
    "lead_return_hours": Field(int, min=1, max=2160),
    "phone_country": Field(str, pattern=re.compile(r"^[1-9][0-9]{0,2}$")),
    # visitors choose one before chatting; each has its own bot and team (docs/bot.md)
    "departments": Field(list, max_items=depts.MAX_DEPARTMENTS, item=Field(dict, schema={
        "id": Field(str, required=True, min_len=1, max_len=32, pattern=depts.DEPT_ID_RE),
        "name": Field(dict, required=True, schema={"en": Field(str, max_len=60),
                                                   "zh": Field(str, max_len=60)}),
        "team": Field(str, nullable=True, max_len=40, pattern=TEAM_ID_RE),
    })),
}

SITE_CREATE = {
    "site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "settings": Field(dict),
}


def _check_settings(deps, body: dict) -> dict:
    if body.get("qa_rules") is not None:
        try:
            qa_checks.validate_rules(body["qa_rules"])
        except ValueError as exc:
            raise ValidationError(f"'{exc}' is not a known check or a valid value.",
                                  code="invalid_value", details={"field": str(exc)})
    if body.get("qa_team_rules") is not None:
        try:
            qa_checks.validate_team_rules(body["qa_team_rules"], TEAM_ID_RE)
        except ValueError as exc:
            raise ValidationError(f"'{exc}' is not a known team, check or valid value.",
                                  code="invalid_value", details={"field": str(exc)})
        for team in body["qa_team_rules"]:
            if _directory(deps).get("team", team) is None:
                raise ValidationError(f"Unknown team '{team}'.", code="unknown_team",
                                      details={"field": "qa_team_rules", "team": team})
    if body.get("report_tz"):
        from zoneinfo import ZoneInfo
        try:
            ZoneInfo(body["report_tz"])
        except Exception:
            raise ValidationError(f"Unknown time zone '{body['report_tz']}'.",
                                  code="invalid_timezone", details={"field": "report_tz"})
    try:
        policy.validate_priorities(body.get("priorities"))
    except ValueError as exc:
        raise ValidationError(f"'{exc}' must be seconds from 0 to "
                              f"{policy.MAX_BOOST_SECONDS}.", code="invalid_value",
                              details={"field": str(exc)})
    try:
        policy.validate_hours(body.get("business_hours"))
    except policy.HoursError as exc:
        raise ValidationError(str(exc), code=exc.code, details={"field": exc.field})
    names = [f["name"] for f in body.get("prechat_fields") or []]
    if len(names) != len(set(names)):
        raise ValidationError("Pre-chat field names must be unique.", code="duplicate_field",
                              details={"field": "prechat_fields"})
    if body.get("prechat_fields"):
        body["prechat_fields"] = [{**f, "required": bool(f.get("required", False))}
                                  for f in body["prechat_fields"]]
    if body.get("team"):
        if _directory(deps).get("team", body["team"]) is None:
            raise ValidationError(f"Unknown team '{body['team']}'.", code="unknown_team",
                                  details={"field": "team"})
    for team in body.get("teams") or []:
        if _directory(deps).get("team", team) is None:
            raise ValidationError(f"Unknown team '{team}'.", code="unknown_team",
                                  details={"field": "teams", "team": team})
    if body.get("departments") is not None:
        try:
            body["departments"] = depts.check(
                body["departments"], lambda team: _directory(deps).get("team", team) is not None)
        except depts.DepartmentError as exc:
            raise ValidationError(str(exc), code=exc.code, details=exc.details)
    return body


def snippet(site_key: str, widget_url: str) -> str:
    return f'<script async src="{widget_url}" data-site-key="{site_key}"></script>'


def _site_out(deps, site: dict, widget_url: str, secret: bool = False) -> dict:
    """A site for admins. The identity secret is in it only when a site is created (shown
    once); afterwards it is read with reveal_secret, which the audit log records."""
    settings = {**sites_svc.DEFAULT_SETTINGS, **(site.get("settings") or {})}
    out = {"site_key": site["site_key"], "name": site.get("name"), "settings": settings,
           "created_at": site.get("created_at"), "updated_at": site.get("updated_at"),
           "snippet": snippet(site["site_key"], widget_url), "widget_url": widget_url,
           "secret_rotating": bool(site.get("identity_secret_previous")),
           # the address the site always receives mail at (docs/email.md)
           "mail_inbox": site_mailbox(site["site_key"], None, config.mail_inbound_domain()),
           # what qa_rules / qa_team_rules override (the console's rules editor starts here)
           "qa_defaults": qa_checks.DEFAULT_RULES}
    if secret:
        out["identity_secret"] = sites_svc.identity_secrets(deps, site)[0]
    return out


def list_sites(deps) -> dict:
    return {"sites": [{"site_key": s["id"], "name": s.get("name"),
                       "created_at": s.get("created_at"),
                       "departments": s.get("departments") or []}
                      for s in _directory(deps).list("site")]}


def _load_site(deps, site_key: str) -> dict:
    site = deps.sites.get(site_key) if SITE_KEY_RE.match(site_key or "") else None
    if site is None:
        raise NotFound("No such site.", code="unknown_site")
    return site


def get_site(deps, site_key: str, widget_url: str) -> dict:
    return {"site": _site_out(deps, _load_site(deps, site_key), widget_url)}


def put_site(deps, site_key: str, payload: dict, widget_url: str,
             actor: Actor | None = None) -> dict:
    body = _check_settings(deps, validate(payload, SETTINGS_SCHEMA))
    site = _load_site(deps, site_key)
    old_mail = (site.get("settings") or {}).get("mail_address")
    if "mail_address" in body:
        body["mail_address"] = mail_sites.check(deps, site_key, body["mail_address"])
    name = body.pop("name", None) or site.get("name")
    settings = {**(site.get("settings") or {}), **body}
    saved = deps.sites.put({**site, "name": name, "settings": settings,
                            "updated_at": now_ms()})
    if "mail_address" in body:
        mail_sites.claim(deps, site_key, old_mail, body["mail_address"])
    sites_svc.record_site(deps, site_key, name, site.get("created_at"),
                          settings.get("departments"))
    log.info("site_updated", site_key=site_key, fields=sorted(payload))
    if actor is not None:
        audit.record(deps, actor, "site.settings_changed", "site", site_key, site_key,
                     {"fields": sorted(payload)})
    return {"site": _site_out(deps, saved, widget_url)}


def create_site(deps, payload: dict, widget_url: str, actor: Actor | None = None) -> dict:
    body = validate(payload, SITE_CREATE)
    settings = _check_settings(deps, validate(body.get("settings") or {}, SETTINGS_SCHEMA))
    settings.pop("name", None)
    if deps.sites.get(body["site_key"]) is not None:
        raise Conflict("A site with this key exists.", code="site_exists",
                       details={"field": "site_key"})
    if settings.get("mail_address") is not None:
        settings["mail_address"] = mail_sites.check(deps, body["site_key"],
                                                    settings["mail_address"])
    site = sites_svc.create_site(deps, body["site_key"], body["name"], settings)
    mail_sites.claim(deps, body["site_key"], None, settings.get("mail_address"))
    if actor is not None:
        audit.record(deps, actor, "site.created", "site", body["site_key"], body["site_key"])
    return {"site": _site_out(deps, site, widget_url, secret=True)}


# ---------------------------------------------------------------- the identity secret
def reveal_secret(deps, actor: Actor, site_key: str) -> dict:
    site = _load_site(deps, site_key)
    valid = sites_svc.identity_secrets(deps, site)
    if not valid:
        raise Conflict("The identity secret cannot be read; rotate it.",
                       code="secret_unreadable")
    audit.record(deps, actor, "site.secret_viewed", "site", site_key, site_key)
    out = {"site_key": site_key, "identity_secret": valid[0],
           "rotating": bool(site.get("identity_secret_previous"))}
    if len(valid) > 1:
        out["previous_secret"] = valid[1]
    return out


def rotate_secret(deps, actor: Actor, site_key: str) -> dict:
    """A new current secret; the old one stays valid until finish_rotation."""
    site = _load_site(deps, site_key)
    if site.get("identity_secret_previous"):
        raise Conflict("A rotation is in progress: finish it first.",
                       code="rotation_in_progress")
    fresh = secrets.token_hex(32)
    keys = sites_svc._keys(deps)
    previous = None
    if site.get("identity_secret"):  # re-sealed under the current key (a plain one too)
        clear = sites_svc.identity_secrets(deps, {"identity_secret": site["identity_secret"]})
        previous = seal(clear[0], keys) if clear else None
    deps.sites.put({**site, "identity_secret": seal(fresh, keys),
                    "identity_secret_previous": previous, "updated_at": now_ms()})
    audit.record(deps, actor, "site.secret_rotated", "site", site_key, site_key)
    log.info("site_secret_rotated", site_key=site_key, by=actor.id)
    return {"site_key": site_key, "identity_secret": fresh, "rotating": bool(previous)}


def finish_rotation(deps, actor: Actor, site_key: str) -> dict:
    site = _load_site(deps, site_key)
    if not site.get("identity_secret_previous"):
        raise Conflict("No rotation is in progress.", code="no_rotation")
    deps.sites.put({**site, "identity_secret_previous": None, "updated_at": now_ms()})
    audit.record(deps, actor, "site.secret_rotation_finished", "site", site_key, site_key)
    log.info("site_secret_rotation_finished", site_key=site_key, by=actor.id)
    return {"site_key": site_key, "rotating": False}



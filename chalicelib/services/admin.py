"""Admin use cases: agents, teams, canned responses, site settings.

Every input is validated before anything is written; every read is a GetItem or a Query
(agents through AgentRepo.list_all, the rest through the directory table's partitions).
"""
from __future__ import annotations

import re

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import SITE_KEY_RE, Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.security import ROLES, hash_password
from chalicelib.services import agents as agents_svc
from chalicelib.services import sites as sites_svc
from chalicelib.services.views import agent_view

TEAM_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SHORTCUT_RE = re.compile(r"^/[A-Za-z0-9_-]{1,29}$")
HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
FIELD_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# ---------------------------------------------------------------- access
def require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden("Only admins may do this.", code="forbidden")


def _directory(deps):
    if deps.directory is None:
        from chalicelib.adapters.directory import DirectoryRepo
        deps.directory = DirectoryRepo()
    return deps.directory


def _agent_changed(deps, agent_id: str) -> None:
    """Let the queue re-balance after capacity/teams/disabled change (if it is installed)."""
    try:
        from chalicelib.services import queue as queue_svc
    except ImportError:
        return
    hook = getattr(queue_svc, "on_agent_changed", None)
    if hook is None:
        return
    try:
        hook(deps, agent_id)
    except Exception as exc:  # the admin change is stored; the queue catches up later
        log.error("on_agent_changed_failed", agent_id=agent_id, error=repr(exc))


# ---------------------------------------------------------------- agents
TEAMS_FIELD = Field(list, item=Field(str, min_len=1, max_len=40, pattern=TEAM_ID_RE),
                    max_items=20)

AGENT_PATCH = {
    "name": Field(str, min_len=1, max_len=100),
    "role": Field(str, choices=ROLES),
    "capacity": Field(int, min=0, max=100),
    "teams": TEAMS_FIELD,
    "disabled": Field(bool),
    "password": Field(str, min_len=8, max_len=200, strip=False),
}


def list_agents(deps) -> dict:
    return {"agents": [agent_view(a) for a in deps.agents.list_all()]}


def create_agent(deps, payload: dict) -> dict:
    # validate fully (shape via the agents service schema, teams must exist) before writing
    body = validate(payload, agents_svc.CREATE_SCHEMA)
    if body.get("teams"):
        validate({"teams": body["teams"]}, {"teams": TEAMS_FIELD})
        _check_teams_exist(deps, body["teams"])
    return {"agent": agents_svc.create_agent(deps, payload)}


def update_agent(deps, actor: Actor, agent_id: str, payload: dict) -> dict:
    body = validate(payload, AGENT_PATCH)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    agent = deps.agents.get(agent_id) if _valid_id(agent_id) else None
    if agent is None:
        raise NotFound("No such agent.", code="agent_not_found")
    if agent_id == actor.id and (body.get("disabled") or
                                 ("role" in body and body["role"] != "admin")):
        raise ValidationError("You cannot disable yourself or drop your own admin role.",
                              code="self_lockout")
    if body.get("teams"):
        _check_teams_exist(deps, body["teams"])
    fields = {}
    for key in ("name", "role", "capacity", "disabled"):
        if key in body:
            fields[key] = body[key]
    if "teams" in body:
        fields["teams"] = set(body["teams"]) or None
    if "password" in body:
        fields["password_hash"] = hash_password(body["password"], agents_svc.bcrypt_rounds())
    updated = deps.agents.update(agent_id, fields)
    log.info("agent_updated", agent_id=agent_id, by=actor.id, fields=sorted(body))
    if "role" in body and body["role"] != agent.get("role"):
        # open sockets carry the role they connected with: make them reconnect
        from chalicelib.services import realtime
        realtime.drop_agent_connections(deps, agent_id)
    if {"capacity", "teams", "disabled"} & set(body):
        _agent_changed(deps, agent_id)
    return {"agent": agent_view(updated)}


def _valid_id(value: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and re.match(r"^[A-Za-z0-9_-]+$",
                                                                        value) is not None


def _check_teams_exist(deps, teams: list[str]) -> None:
    for team in teams:
        if _directory(deps).get("team", team) is None:
            raise ValidationError(f"Unknown team '{team}'.", code="unknown_team",
                                  details={"field": "teams", "team": team})


# ---------------------------------------------------------------- teams
TEAM_CREATE = {
    "id": Field(str, required=True, min_len=1, max_len=40, pattern=TEAM_ID_RE),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "manual_assign": Field(bool),
}
TEAM_PATCH = {
    "name": Field(str, min_len=1, max_len=100),
    "manual_assign": Field(bool),
}


def list_teams(deps) -> dict:
    return {"teams": _directory(deps).list("team")}


def create_team(deps, payload: dict) -> dict:
    body = validate(payload, TEAM_CREATE)
    team = _directory(deps).create("team", body["id"], {
        "name": body["name"], "manual_assign": bool(body.get("manual_assign", False))})
    return {"team": team}


def update_team(deps, team_id: str, payload: dict) -> dict:
    body = validate(payload, TEAM_PATCH)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    current = _directory(deps).get("team", team_id) if TEAM_ID_RE.match(team_id or "") else None
    if current is None:
        raise NotFound("No such team.", code="team_not_found")
    data = {k: v for k, v in current.items() if k not in ("id", "updated_at")}
    data.update(body)
    return {"team": _directory(deps).replace("team", team_id, data)}


def delete_team(deps, team_id: str) -> dict:
    if not TEAM_ID_RE.match(team_id or ""):
        raise NotFound("No such team.", code="team_not_found")
    _directory(deps).delete("team", team_id)
    return {"deleted": team_id}


# ---------------------------------------------------------------- canned responses
CANNED_CREATE = {
    "shortcut": Field(str, required=True, min_len=2, max_len=30, pattern=SHORTCUT_RE),
    "text": Field(str, required=True, min_len=1, max_len=2000),
}
CANNED_PATCH = {
    "shortcut": Field(str, min_len=2, max_len=30, pattern=SHORTCUT_RE),
    "text": Field(str, min_len=1, max_len=2000),
}


def canned_id(shortcut: str) -> str:
    """The record id is derived from the shortcut (case-insensitive), so the conditional put
    makes shortcuts unique without a second table."""
    return shortcut[1:].lower()


def list_canned(deps) -> dict:
    items = _directory(deps).list("canned")
    return {"canned": sorted(items, key=lambda c: c.get("shortcut", ""))}


def create_canned(deps, payload: dict) -> dict:
    body = validate(payload, CANNED_CREATE)
    try:
        item = _directory(deps).create("canned", canned_id(body["shortcut"]),
                                       {"shortcut": body["shortcut"], "text": body["text"]})
    except Conflict:
        raise Conflict("This shortcut is taken.", code="shortcut_taken",
                       details={"field": "shortcut"})
    return {"canned": item}


def update_canned(deps, item_id: str, payload: dict) -> dict:
    body = validate(payload, CANNED_PATCH)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    current = _directory(deps).get("canned", item_id) if _valid_id(item_id) else None
    if current is None:
        raise NotFound("No such canned response.", code="canned_not_found")
    data = {"shortcut": body.get("shortcut", current["shortcut"]),
            "text": body.get("text", current["text"])}
    new_id = canned_id(data["shortcut"])
    if new_id == item_id:
        return {"canned": _directory(deps).replace("canned", item_id, data)}
    try:  # the shortcut changed: claim the new id, then drop the old one
        item = _directory(deps).create("canned", new_id, data)
    except Conflict:
        raise Conflict("This shortcut is taken.", code="shortcut_taken",
                       details={"field": "shortcut"})
    _directory(deps).delete("canned", item_id)
    return {"canned": item}


def delete_canned(deps, item_id: str) -> dict:
    if not _valid_id(item_id):
        raise NotFound("No such canned response.", code="canned_not_found")
    _directory(deps).delete("canned", item_id)
    return {"deleted": item_id}


# ---------------------------------------------------------------- sites
def _check_tz(name: str, field: str = "business_hours.tz") -> None:
    from zoneinfo import ZoneInfo
    try:
        ZoneInfo(name)
    except Exception:
        raise ValidationError(f"Unknown time zone '{name}'.", code="invalid_timezone",
                              details={"field": field})


HOURS_SCHEMA = {
    "tz": Field(str, required=True, min_len=1, max_len=64),
    "days": Field(dict, required=True, schema={
        day: Field(list, max_items=4,
                   item=Field(list, max_items=2, item=Field(str, pattern=HHMM_RE, max_len=5)))
        for day in DAYS}),
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
    "max_wait_seconds": Field(int, min=0, max=86400),
    "idle_close_minutes": Field(int, min=1, max=10080),
    # the zone report days and hours are counted in (default: business_hours.tz, else UTC)
    "report_tz": Field(str, nullable=True, min_len=1, max_len=64),
}

SITE_CREATE = {
    "site_key": Field(str, required=True, min_len=1, max_len=64, pattern=SITE_KEY_RE),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "settings": Field(dict),
}


def _check_settings(deps, body: dict) -> dict:
    if body.get("report_tz"):
        _check_tz(body["report_tz"], "report_tz")
    hours = body.get("business_hours")
    if hours:
        _check_tz(hours["tz"])
        for day, ranges in hours["days"].items():
            for i, pair in enumerate(ranges):
                if len(pair) != 2 or pair[0] >= pair[1]:
                    raise ValidationError(
                        f"business_hours.days.{day}[{i}] must be [start, end] with start < end.",
                        code="invalid_hours", details={"field": f"business_hours.days.{day}"})
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
    return body


def snippet(site_key: str, widget_url: str) -> str:
    return f'<script async src="{widget_url}" data-site-key="{site_key}"></script>'


def _site_out(site: dict, widget_url: str, secret: bool) -> dict:
    settings = {**sites_svc.DEFAULT_SETTINGS, **(site.get("settings") or {})}
    out = {"site_key": site["site_key"], "name": site.get("name"), "settings": settings,
           "created_at": site.get("created_at"), "updated_at": site.get("updated_at")}
    if secret:
        out["identity_secret"] = site.get("identity_secret")
        out["snippet"] = snippet(site["site_key"], widget_url)
        out["widget_url"] = widget_url
    return out


def list_sites(deps) -> dict:
    return {"sites": [{"site_key": s["id"], "name": s.get("name"),
                       "created_at": s.get("created_at")}
                      for s in _directory(deps).list("site")]}


def _load_site(deps, site_key: str) -> dict:
    site = deps.sites.get(site_key) if SITE_KEY_RE.match(site_key or "") else None
    if site is None:
        raise NotFound("No such site.", code="unknown_site")
    return site


def get_site(deps, site_key: str, widget_url: str) -> dict:
    return {"site": _site_out(_load_site(deps, site_key), widget_url, secret=True)}


def put_site(deps, site_key: str, payload: dict, widget_url: str) -> dict:
    body = _check_settings(deps, validate(payload, SETTINGS_SCHEMA))
    site = _load_site(deps, site_key)
    name = body.pop("name", None) or site.get("name")
    settings = {**(site.get("settings") or {}), **body}
    from chalicelib.adapters.dynamo import now_ms
    saved = deps.sites.put({**site, "name": name, "settings": settings,
                            "updated_at": now_ms()})
    _directory(deps).put("site", site_key, {"name": name,
                                            "created_at": site.get("created_at")})
    log.info("site_updated", site_key=site_key, fields=sorted(payload))
    return {"site": _site_out(saved, widget_url, secret=True)}


def create_site(deps, payload: dict, widget_url: str) -> dict:
    body = validate(payload, SITE_CREATE)
    settings = _check_settings(deps, validate(body.get("settings") or {}, SETTINGS_SCHEMA))
    settings.pop("name", None)
    if deps.sites.get(body["site_key"]) is not None:
        raise Conflict("A site with this key exists.", code="site_exists",
                       details={"field": "site_key"})
    site = sites_svc.create_site(deps, body["site_key"], body["name"], settings)
    return {"site": _site_out(site, widget_url, secret=True)}


__all__ = ["require_admin", "list_agents", "create_agent", "update_agent", "list_teams",
           "create_team", "update_team", "delete_team", "list_canned", "create_canned",
           "update_canned", "delete_canned", "list_sites", "get_site", "put_site",
           "create_site"]

"""Admin use cases: agents, teams, canned responses (site settings: services/site_admin.py).
Every change is recorded in the audit log (services/audit.py) with the acting admin.

Every input is validated before anything is written; every read is a GetItem or a Query
(agents through AgentRepo.list_all, the rest through the directory table's partitions).
"""
from __future__ import annotations

import re

from chalicelib import log
from chalicelib.domain import overflow as overflow_rule
from chalicelib.domain import team_refs
from chalicelib.domain.actors import Actor
from chalicelib.domain.assignment import queue_key
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.security import ROLES, hash_password
from chalicelib.services import agents as agents_svc
from chalicelib.services import audit
from chalicelib.services.site_admin import (create_site, finish_rotation, get_site,  # noqa: F401
                                            list_sites, put_site, reveal_secret,
                                            rotate_secret)
from chalicelib.services.views import agent_view

TEAM_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SHORTCUT_RE = re.compile(r"^/[A-Za-z0-9_-]{1,29}$")
WAITING_COUNTED = 100         # a refused team delete counts its waiting chats up to this


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
    """Let the queue re-balance after capacity/teams/disabled change."""
    from chalicelib.services import presence
    try:
        presence.on_agent_changed(deps, agent_id)
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


def create_agent(deps, payload: dict, actor: Actor | None = None) -> dict:
    # validate fully (shape via the agents service schema, teams must exist) before writing
    body = validate(payload, agents_svc.CREATE_SCHEMA)
    if body.get("teams"):
        validate({"teams": body["teams"]}, {"teams": TEAMS_FIELD})
        _check_teams_exist(deps, body["teams"])
    agent = agents_svc.create_agent(deps, payload)
    if actor is not None:
        audit.record(deps, actor, "agent.created", "agent", agent["agent_id"],
                     details={"role": agent["role"]})
    return {"agent": agent}


def _audit_agent_update(deps, actor: Actor, agent: dict, body: dict) -> None:
    """One entry per kind of change: roles, passwords and enablement are each their own
    action (what the log is read for); other fields are one "agent.updated"."""
    agent_id = agent["agent_id"]
    if "role" in body and body["role"] != agent.get("role"):
        audit.record(deps, actor, "agent.role_changed", "agent", agent_id,
                     details={"from": agent.get("role"), "to": body["role"]})
    if "password" in body:
        audit.record(deps, actor, "agent.password_reset", "agent", agent_id)
    if "disabled" in body and bool(body["disabled"]) != bool(agent.get("disabled")):
        audit.record(deps, actor, "agent.disabled" if body["disabled"] else "agent.enabled",
                     "agent", agent_id)
    other = sorted(k for k in body if k in ("name", "capacity", "teams"))
    if other:
        audit.record(deps, actor, "agent.updated", "agent", agent_id,
                     details={"fields": other})


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
        # a new password ends every session signed in with the old one (any new version
        # does: tokens must carry exactly the stored one)
        fields["token_version"] = int(agent.get("token_version") or 0) + 1
    updated = deps.agents.update(agent_id, fields)
    log.info("agent_updated", agent_id=agent_id, by=actor.id, fields=sorted(body))
    _audit_agent_update(deps, actor, agent, body)
    role_changed = "role" in body and body["role"] != agent.get("role")
    teams_changed = "teams" in body and set(body["teams"]) != set(agent.get("teams") or ())
    if role_changed or teams_changed or "password" in body or body.get("disabled"):
        # open sockets carry the role, teams (who hears which team's chats:
        # services/notifier.py) and session they connected with: close them
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
#: a team's overflow (docs/routing.md "Overflow"): null turns it off
OVERFLOW_FIELD = Field(dict, nullable=True, schema={
    "after_seconds": Field(int, required=True, min=overflow_rule.MIN_AFTER_SECONDS,
                           max=overflow_rule.MAX_AFTER_SECONDS),
    "to_team": Field(str, required=True, min_len=1, max_len=40, pattern=TEAM_ID_RE)})
TEAM_CREATE = {
    "id": Field(str, required=True, min_len=1, max_len=40, pattern=TEAM_ID_RE),
    "name": Field(str, required=True, min_len=1, max_len=100),
    "manual_assign": Field(bool),
    "overflow": OVERFLOW_FIELD,
}
TEAM_PATCH = {
    "name": Field(str, min_len=1, max_len=100),
    "manual_assign": Field(bool),
    "overflow": OVERFLOW_FIELD,
}


def list_teams(deps) -> dict:
    return {"teams": _directory(deps).list("team")}


def _check_overflow(deps, team_id: str, overflow: dict | None) -> None:
    """The target must be another team that exists (shape and range: OVERFLOW_FIELD)."""
    if not overflow:
        return
    if overflow["to_team"] == team_id:
        raise ValidationError("A team cannot overflow to itself.", code="overflow_to_self",
                              details={"field": "overflow.to_team"})
    if _directory(deps).get("team", overflow["to_team"]) is None:
        raise ValidationError(f"Unknown team '{overflow['to_team']}'.", code="unknown_team",
                              details={"field": "overflow.to_team",
                                       "team": overflow["to_team"]})


def create_team(deps, payload: dict, actor: Actor | None = None) -> dict:
    body = validate(payload, TEAM_CREATE)
    _check_overflow(deps, body["id"], body.get("overflow"))
    data = {"name": body["name"], "manual_assign": bool(body.get("manual_assign", False))}
    if body.get("overflow"):
        data["overflow"] = body["overflow"]
    team = _directory(deps).create("team", body["id"], data)
    _record(deps, actor, "team.created", "team", body["id"])
    return {"team": team}


def _record(deps, actor: Actor | None, action: str, target_type: str, target_id: str,
            details: dict | None = None) -> None:
    if actor is not None:
        audit.record(deps, actor, action, target_type, target_id, details=details)


def update_team(deps, team_id: str, payload: dict, actor: Actor | None = None) -> dict:
    body = validate(payload, TEAM_PATCH)
    if not body:
        raise ValidationError("Nothing to change.", code="empty_update")
    current = _directory(deps).get("team", team_id) if TEAM_ID_RE.match(team_id or "") else None
    if current is None:
        raise NotFound("No such team.", code="team_not_found")
    if "overflow" in body:
        _check_overflow(deps, team_id, body["overflow"])
    data = {k: v for k, v in current.items() if k not in ("id", "updated_at")}
    data.update(body)
    if not data.get("overflow"):
        data.pop("overflow", None)                 # null turns it off
    team = _directory(deps).replace("team", team_id, data)
    _record(deps, actor, "team.updated", "team", team_id, {"fields": sorted(body)})
    if not team.get("manual_assign"):
        # e.g. manual -> automatic: the chats waiting in this team's line can go now
        from chalicelib.services import routing
        routing.publish_assign(deps, [team_id])
    if body.get("overflow"):
        # chats already past the new limit move now, not at the next sweep
        from chalicelib.services import routing
        routing.publish_overflow(deps, [team_id])
    return {"team": team}


def delete_team(deps, team_id: str, actor: Actor | None = None) -> dict:
    """Refused (409 team_in_use, with the list) while a site, a department, another team's
    overflow, a member or a waiting chat still names the team (domain/team_refs.py)."""
    if not TEAM_ID_RE.match(team_id or "") or _directory(deps).get("team", team_id) is None:
        raise NotFound("No such team.", code="team_not_found")
    refs = team_refs.references(
        team_id, deps.sites.get_many(s["id"] for s in _directory(deps).list("site")),
        _directory(deps).list("team"), deps.agents.list_all(),
        len(deps.waiting.waiting(queue_key(team_id), limit=WAITING_COUNTED)))
    if refs:
        raise Conflict(team_refs.summary(refs), code="team_in_use",
                       details={"references": refs[:team_refs.MAX_LISTED], "count": len(refs)})
    _directory(deps).delete("team", team_id)
    _record(deps, actor, "team.deleted", "team", team_id)
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


def create_canned(deps, payload: dict, actor: Actor | None = None) -> dict:
    body = validate(payload, CANNED_CREATE)
    try:
        item = _directory(deps).create("canned", canned_id(body["shortcut"]),
                                       {"shortcut": body["shortcut"], "text": body["text"]})
    except Conflict:
        raise Conflict("This shortcut is taken.", code="shortcut_taken",
                       details={"field": "shortcut"})
    _record(deps, actor, "canned.created", "canned", canned_id(body["shortcut"]))
    return {"canned": item}


def update_canned(deps, item_id: str, payload: dict, actor: Actor | None = None) -> dict:
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
        item = _directory(deps).replace("canned", item_id, data)
        _record(deps, actor, "canned.updated", "canned", item_id, {"fields": sorted(body)})
        return {"canned": item}
    try:  # the shortcut changed: claim the new id, then drop the old one
        item = _directory(deps).create("canned", new_id, data)
    except Conflict:
        raise Conflict("This shortcut is taken.", code="shortcut_taken",
                       details={"field": "shortcut"})
    _directory(deps).delete("canned", item_id)
    _record(deps, actor, "canned.updated", "canned", item_id,
            {"fields": sorted(body), "new_id": new_id})
    return {"canned": item}


def delete_canned(deps, item_id: str, actor: Actor | None = None) -> dict:
    if not _valid_id(item_id):
        raise NotFound("No such canned response.", code="canned_not_found")
    _directory(deps).delete("canned", item_id)
    _record(deps, actor, "canned.deleted", "canned", item_id)
    return {"deleted": item_id}


__all__ = ["require_admin", "list_agents", "create_agent", "update_agent", "list_teams",
           "create_team", "update_team", "delete_team", "list_canned", "create_canned",
           "update_canned", "delete_canned", "list_sites", "get_site", "put_site",
           "create_site", "reveal_secret", "rotate_secret", "finish_rotation"]

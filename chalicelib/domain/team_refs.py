"""What still names a team: a team is deleted only when nothing does.

A site's settings name teams as its handoff team (`team`), as the teams its visitors may pick
(`teams`), per department (`departments[].team`) and in per-team QA rules
(`qa_team_rules`); another team may overflow to it; agents are its members; chats may wait
in its line. Deleting it under any of these would strand them: the visitor of a department
is offered "leave a message" for a team nobody serves, a chat waits in a line no agent
reads, an overflow points nowhere. So the delete is refused with the list, and the admin
moves them first.
"""
from __future__ import annotations

MAX_LISTED = 50


def references(team_id: str, sites: list[dict], teams: list[dict], agents: list[dict],
               waiting: int) -> list[dict]:
    """Every place that names `team_id`, in a stable order: sites (by key), other teams'
    overflow, members, then the chats waiting in its line (a count). `sites` are site
    records with their `settings`; `waiting` is how many chats wait (0 when none)."""
    out: list[dict] = []
    for site in sorted(sites, key=lambda s: s.get("site_key") or ""):
        out += _site_refs(team_id, site)
    for team in sorted(teams, key=lambda t: t.get("id") or ""):
        if team.get("id") != team_id and (team.get("overflow") or {}).get("to_team") == team_id:
            out.append({"kind": "team", "id": team["id"], "field": "overflow"})
    for agent in agents:
        if team_id in (agent.get("teams") or []):
            out.append({"kind": "agent", "id": agent.get("agent_id"),
                        "name": agent.get("name") or agent.get("email") or ""})
    if waiting:
        out.append({"kind": "queue", "count": int(waiting)})
    return out


def _site_refs(team_id: str, site: dict) -> list[dict]:
    key = site.get("site_key")
    settings = site.get("settings") or {}
    out = []
    if settings.get("team") == team_id:
        out.append({"kind": "site", "id": key, "field": "team"})
    if team_id in (settings.get("teams") or []):
        out.append({"kind": "site", "id": key, "field": "teams"})
    for dept in settings.get("departments") or []:
        if dept.get("team") == team_id:
            out.append({"kind": "site", "id": key, "field": "departments",
                        "department": dept.get("id")})
    if team_id in (settings.get("qa_team_rules") or {}):
        out.append({"kind": "site", "id": key, "field": "qa_team_rules"})
    return out


def summary(refs: list[dict]) -> str:
    """One English sentence for the error message (the console words it per language from
    the list itself)."""
    parts = []
    for ref in refs[:5]:
        if ref["kind"] == "site":
            what = (f"department '{ref['department']}' of site '{ref['id']}'"
                    if ref["field"] == "departments" else f"site '{ref['id']}' ({ref['field']})")
        elif ref["kind"] == "team":
            what = f"the overflow of team '{ref['id']}'"
        elif ref["kind"] == "agent":
            what = f"member {ref['name'] or ref['id']}"
        else:
            what = f"{ref['count']} waiting chat(s)"
        parts.append(what)
    more = f" and {len(refs) - 5} more" if len(refs) > 5 else ""
    return "This team is still used by " + ", ".join(parts) + more + ": change those first."

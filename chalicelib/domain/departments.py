"""Departments of a site (docs/bot.md "Departments"): the visitor picks one before chatting,
the department's own bot answers (its knowledge base inherits the site's and the shared
base), and a chat the bot hands off goes to the department's team.

A department's knowledge base lives under the key ``{site_key}/{department id}``; the bot of
a key reads the chain ``shared base → site → department``, a later link's entry, synonym
group or flow overriding an earlier one with the same id. Plain Python: no AWS here.
"""
from __future__ import annotations

import re

SHARED_BASE = "_common"
MAX_DEPARTMENTS = 20
DEPT_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?$")
KB_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}(?:/[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?)?$")
ATTRIBUTE = "department"          # the visitor attribute the pre-chat form fills
FIELD_LABEL = {"en": "Department", "zh": "咨询部门"}


class DepartmentError(ValueError):
    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.details = {"field": "departments", **details}


def kb_key(site_key: str, department: str | None) -> str:
    return f"{site_key}/{department}" if department else site_key


def split_key(key: str) -> tuple[str, str | None]:
    """``"demo/sales"`` → ("demo", "sales"); ``"demo"`` → ("demo", None)."""
    site, _, dept = key.partition("/")
    return site, dept or None


def chain(key: str) -> list[str]:
    """The knowledge bases a key's bot reads, base first."""
    if key == SHARED_BASE:
        return [SHARED_BASE]
    site, dept = split_key(key)
    return [SHARED_BASE, site] + ([key] if dept else [])


def of(settings: dict | None) -> list[dict]:
    return list((settings or {}).get("departments") or [])


def find(settings: dict | None, dept_id) -> dict | None:
    if not isinstance(dept_id, str):
        return None
    return next((d for d in of(settings) if d.get("id") == dept_id), None)


def require(settings: dict | None, dept_id, field: str) -> dict:
    """The site's department `dept_id`, or DepartmentError("unknown_department") naming the
    request's `field` that chose it (a channel's setting, a pre-chat answer)."""
    found = find(settings, dept_id)
    if found is None:
        raise DepartmentError("unknown_department", "The site has no such department.",
                              field=field)
    return found


def check(departments: list[dict], team_exists) -> list[dict]:
    """A site's departments as an admin saved them (the schema checked the shapes): unique
    ids, a name in at least one language, known teams. Returns them normalised."""
    seen, out = set(), []
    for d in departments:
        dept_id = d["id"]
        if dept_id in seen:
            raise DepartmentError("duplicate_department",
                                  f"Department '{dept_id}' is listed twice.", id=dept_id)
        seen.add(dept_id)
        name = {k: (d.get("name") or {}).get(k, "").strip() for k in ("en", "zh")}
        if not any(name.values()):
            raise DepartmentError("missing_name",
                                  f"Department '{dept_id}' needs a name.", id=dept_id)
        team = d.get("team") or None
        if team and not team_exists(team):
            raise DepartmentError("unknown_team", f"Unknown team '{team}'.", id=dept_id,
                                  team=team)
        out.append({"id": dept_id, "name": {k: v for k, v in name.items() if v},
                    "team": team})
    return out


def directory_view(departments: list[dict]) -> list[dict]:
    """What the site list shows of them (the console's Bot page lists their knowledge bases)."""
    return [{"id": d["id"], "name": d.get("name") or {}} for d in departments]


def prechat_form(settings: dict | None) -> dict | None:
    """The pre-chat form the widget shows: the department to choose first, then the site's
    designed form or its legacy fields; None when the site has no departments (the site's
    own form is shown as it is)."""
    departments = of(settings)
    designed = (settings or {}).get("prechat_form")
    if not departments:
        return designed
    field = {"key": ATTRIBUTE, "type": "select", "required": True, "label": FIELD_LABEL,
             "options": [{"value": d["id"], "label": _both(d.get("name") or {})}
                         for d in departments]}
    if designed:
        rest = [f for f in designed.get("fields") or [] if f.get("key") != ATTRIBUTE]
        return {**designed, "fields": [field] + rest}
    legacy = [{"key": f["name"], "type": f.get("type", "text"),
               "required": bool(f.get("required")),
               "label": {"en": f.get("label") or f["name"], "zh": f.get("label") or f["name"]}}
              for f in (settings or {}).get("prechat_fields") or [] if f.get("name")]
    return {"fields": [field] + legacy}


def _both(name: dict) -> dict:
    en, zh = name.get("en"), name.get("zh")
    return {"en": en or zh or "", "zh": zh or en or ""}


def chosen_attrs(settings: dict | None, dept_id) -> dict:
    """What a conversation records of a chosen department: its id, and its name for the
    agents' console (names can change later; the chat keeps the one the visitor chose)."""
    dept = find(settings, dept_id)
    return {ATTRIBUTE: dept["id"], "department_name": dept.get("name") or {}} if dept else {}


def team_of(settings: dict | None, dept_id) -> str | None:
    """The team a conversation of a chosen department goes to: the department's, else the
    site's (also for an unknown id)."""
    dept = find(settings, dept_id) or {}
    return dept.get("team") or (settings or {}).get("team")


def kb_of(conv: dict) -> str:
    """The knowledge base a conversation's bot answers from: its department's, if it chose
    one (sessions checked it against the site's departments), else the site's."""
    return kb_key(conv["site_key"], (conv.get("attrs") or {}).get(ATTRIBUTE))

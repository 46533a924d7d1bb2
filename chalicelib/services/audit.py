"""The audit log of admin and supervisor actions: who, what, when, from where.

Use cases call record() after a change is stored; list_entries() reads it for admins, newest
first, one Query per month partition (no full-table read), paged with an opaque cursor.
Entries never carry secrets or passwords: details name what changed, not the values that
must stay secret.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from chalicelib import log
from chalicelib.adapters.audit import decode_cursor, encode_cursor
from chalicelib.domain.actors import Actor
from chalicelib.errors import ValidationError

SCOPE = "global"
#: the actions recorded (GET /v1/admin/audit?action= accepts these)
ACTIONS = (
    "agent.created", "agent.updated", "agent.role_changed", "agent.password_reset",
    "agent.disabled", "agent.enabled", "agent.sessions_revoked", "agent.password_changed",
    "team.created", "team.updated", "team.deleted",
    "canned.created", "canned.updated", "canned.deleted",
    "site.created", "site.settings_changed", "site.secret_viewed", "site.secret_rotated",
    "site.secret_rotation_finished",
    "kb.entry_created", "kb.entry_updated", "kb.entry_deleted", "kb.imported",
    "kb.exported", "kb.synonyms_changed", "kb.flows_changed",
    "conversation.reassigned", "conversation.joined",
    "channel.created", "channel.updated", "channel.deleted", "channel.secret_rotated",
    "conversation.whispered", "conversation.barged_in", "conversation.watched",
    "qa.rubric_changed",
    "webhook.created", "webhook.updated", "webhook.deleted", "webhook.secret_rotated",
    "webhook.tested", "webhook.redelivered", "webhook.disabled",
    "api_key.created", "api_key.revoked", "api_key.request",
    "tickets.fields_changed", "tickets.sla_changed",
    "contacts.fields_changed", "contact.merged", "contact.exported", "contact.deleted",
    "contacts.exported", "contacts.imported", "contacts.form_saved", "contacts.form_deleted",
)
MAX_MONTHS = 24        # how far back one listing walks
MAX_SPAN_MS = 366 * 24 * 3600 * 1000


def _month(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m")


def _pk(ms: int) -> str:
    return f"{SCOPE}#{_month(ms)}"


def _sk(ms: int, suffix: str = "") -> str:
    return f"{int(ms):013d}#{suffix}"


def record(deps, actor: Actor, action: str, target_type: str | None = None,
           target_id: str | None = None, site_key: str | None = None,
           details: dict | None = None) -> dict | None:
    """Append one entry. The change it describes is already stored: a failed audit write is
    logged as an error (an alarm) and does not turn the admin's request into a 500."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    if deps.audit is None:
        return None
    at = int(deps.clock() * 1000)
    entry = {"pk": _pk(at), "sk": _sk(at, uuid.uuid4().hex[:12]), "at": at,
             "action": action, "actor_id": actor.id, "actor_name": actor.name,
             "actor_role": actor.role, "target_type": target_type, "target_id": target_id,
             "site_key": site_key, "source_ip": actor.source_ip, "details": details or None}
    try:
        return deps.audit.append({k: v for k, v in entry.items() if v is not None})
    except Exception as exc:
        log.error("audit_write_failed", action=action, actor_id=actor.id, error=repr(exc))
        return None


def view(e: dict) -> dict:
    return {"id": e["sk"].split("#", 1)[1], "at": e["at"], "action": e["action"],
            "actor": {"id": e["actor_id"], "name": e.get("actor_name"),
                      "role": e.get("actor_role")},
            "target": {"type": e.get("target_type"), "id": e.get("target_id")},
            "site_key": e.get("site_key"), "source_ip": e.get("source_ip"),
            "details": e.get("details") or {}}


def _months_desc(from_ms: int, to_ms: int) -> list[str]:
    out = []
    y, mo = map(int, _month(to_ms).split("-"))
    first = _month(from_ms)
    while len(out) < MAX_MONTHS:
        key = f"{y:04d}-{mo:02d}"
        out.append(key)
        if key <= first:
            break
        y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
    return out


def list_entries(deps, from_ms: int | None, to_ms: int | None, actor_id: str | None,
                 action: str | None, limit: int = 50, cursor: str | None = None) -> dict:
    now = int(deps.clock() * 1000)
    to_ms = now if to_ms is None else to_ms
    from_ms = to_ms - 30 * 24 * 3600 * 1000 if from_ms is None else from_ms
    if from_ms > to_ms:
        raise ValidationError("'from' must not be after 'to'.", code="invalid_range",
                              details={"field": "from"})
    if to_ms - from_ms > MAX_SPAN_MS:
        raise ValidationError("At most one year per listing.", code="invalid_range",
                              details={"field": "from"})
    if action is not None and action not in ACTIONS:
        raise ValidationError(f"Unknown action '{action[:60]}'.", code="invalid_value",
                              details={"field": "action"})
    if actor_id is not None and not (0 < len(actor_id) <= 64):
        raise ValidationError("'actor' is 1-64 characters.", code="invalid_value",
                              details={"field": "actor"})
    start = None
    if cursor:
        start = decode_cursor(cursor)
        if start is None or not start["pk"].startswith(SCOPE + "#"):
            raise ValidationError("The cursor is not valid.", code="invalid_cursor",
                                  details={"field": "cursor"})
    months = _months_desc(from_ms, to_ms)
    if start is not None:
        month = start["pk"].split("#", 1)[1]
        if month not in months:
            raise ValidationError("The cursor is not valid.", code="invalid_cursor",
                                  details={"field": "cursor"})
        months = months[months.index(month):]
    items: list[dict] = []
    next_cursor = None
    for i, month in enumerate(months):
        pk = f"{SCOPE}#{month}"
        after = start["sk"] if start is not None and i == 0 else None
        got, last = deps.audit.page(pk, _sk(from_ms), _sk(to_ms, "~"), limit - len(items),
                                    after_sk=after, actor_id=actor_id, action=action)
        items += got
        if len(items) >= limit:
            if last is not None:
                next_cursor = encode_cursor({"pk": pk, "sk": last})
            elif i + 1 < len(months):
                # the next month from its newest entry ("" = from the start)
                next_cursor = encode_cursor({"pk": f"{SCOPE}#{months[i + 1]}", "sk": ""})
            break
    out = {"entries": [view(e) for e in items], "actions": list(ACTIONS)}
    if next_cursor:
        out["next_cursor"] = next_cursor
    return out

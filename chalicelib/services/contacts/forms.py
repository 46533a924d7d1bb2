"""Form definitions per site (admins): create, replace, delete, list (paged), and the site's
pre-chat form. A form is a settings item of the contacts table (`site#{site}` / `form#{id}`,
like saved segments). The pre-chat form in use is copied into the site's settings
(`prechat_form`, a snapshot) so the widget's public config needs no second read."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import forms as rules
from chalicelib.domain.validation import ID_RE, Field, validate
from chalicelib.errors import Forbidden, NotFound, ValidationError
from chalicelib.services.contacts import records

MAX_FORMS = 100
PAGE = 25
PREFIX = "form#"


def _admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise Forbidden("Only admins design forms.", code="admin_only")


def _item(form_id: str) -> str:
    return f"{PREFIX}{form_id}"


def get(deps, site: str, form_id) -> dict:
    form = deps.contacts.get_setting(site, _item(form_id)) \
        if isinstance(form_id, str) and ID_RE.match(form_id) else None
    if form is None:
        raise NotFound("No such form.", code="form_not_found")
    return form


def _prechat_id(deps, site: str) -> str | None:
    s = deps.sites.get(site) or {}
    return ((s.get("settings") or {}).get("prechat_form") or {}).get("form_id")


def view(form: dict, prechat_id: str | None) -> dict:
    return {**form, "prechat": form["form_id"] == prechat_id}


def list_forms(deps, actor: Actor, site_key, after=None, limit: int = PAGE,
               kind: str | None = None) -> dict:
    """A page of the site's forms in id order; `next` continues after the last one. Any
    agent may list them (the inbox's "Send form"); admins change them."""
    site = records.check_site(site_key)
    if after is not None and (not isinstance(after, str) or not ID_RE.match(after)):
        raise ValidationError("'after' is a form id.", code="invalid_value",
                              details={"field": "after"})
    if kind is not None and kind not in rules.KINDS:
        raise ValidationError("Unknown kind.", code="invalid_value", details={"field": "kind"})
    rows = deps.contacts.page_settings(site, PREFIX, _item(after) if after else None, limit)
    nxt = {"after": rows[-1]["form_id"]} if len(rows) == limit else None
    pre = _prechat_id(deps, site)
    return {"forms": [view(f, pre) for f in rows if kind is None or f["kind"] == kind],
            "next": nxt}


def _definition(deps, site: str, payload) -> tuple[dict, bool | None]:
    if not isinstance(payload, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_body")
    flag = validate({k: v for k, v in payload.items() if k == "prechat"},
                    {"prechat": Field(bool)}).get("prechat")
    body = rules.check_definition({k: v for k, v in payload.items() if k != "prechat"},
                                  records.field_defs(deps, site))
    if flag and body["kind"] != "prechat":
        raise ValidationError("Only a pre-chat form is used before the chat.",
                              code="invalid_value", details={"field": "prechat"})
    return body, flag


def _publish(deps, site: str, form: dict | None) -> None:
    """The site's pre-chat form snapshot (None: no pre-chat form)."""
    s = deps.sites.get(site)
    if s is None:
        raise NotFound("No such site.", code="unknown_site")
    settings = dict(s.get("settings") or {})
    settings["prechat_form"] = rules.snapshot(form) if form else None
    deps.sites.put({**s, "settings": settings, "updated_at": records.now(deps)})


def create(deps, actor: Actor, site_key, payload) -> dict:
    from chalicelib.services import audit
    _admin(actor)
    site = records.check_site(site_key)
    body, flag = _definition(deps, site, payload)
    if len(deps.contacts.page_settings(site, PREFIX, None, MAX_FORMS)) >= MAX_FORMS:
        raise Forbidden(f"At most {MAX_FORMS} forms per site.", code="too_many_items")
    ts = records.now(deps)
    form = {"form_id": f"fm_{uuid.uuid4().hex[:16]}", "site_key": site, **body,
            "created_at": ts, "updated_at": ts}
    deps.contacts.put_setting(site, _item(form["form_id"]), form)
    if flag:
        _publish(deps, site, form)
    audit.record(deps, actor, "contacts.form_saved", "form", form["form_id"], site,
                 {"kind": form["kind"], "fields": len(form["fields"])})
    log.info("form_saved", site_key=site, form_id=form["form_id"], agent_id=actor.id)
    return {"form": view(form, form["form_id"] if flag else _prechat_id(deps, site))}


def replace(deps, actor: Actor, site_key, form_id, payload) -> dict:
    """Replace a form's definition. Messages already sent keep their snapshot; the site's
    pre-chat copy follows (or is dropped with `prechat: false`)."""
    from chalicelib.services import audit
    _admin(actor)
    site = records.check_site(site_key)
    old = get(deps, site, form_id)
    body, flag = _definition(deps, site, payload)
    form = {**old, **body, "updated_at": records.now(deps)}
    deps.contacts.put_setting(site, _item(form_id), form)
    current = _prechat_id(deps, site)
    in_use = current == form_id
    if flag or (in_use and flag is None and form["kind"] == "prechat"):
        _publish(deps, site, form)
        current = form_id
    elif in_use:
        _publish(deps, site, None)
        current = None
    audit.record(deps, actor, "contacts.form_saved", "form", form_id, site,
                 {"kind": form["kind"], "fields": len(form["fields"])})
    return {"form": view(form, current)}


def delete(deps, actor: Actor, site_key, form_id) -> dict:
    from chalicelib.services import audit
    _admin(actor)
    site = records.check_site(site_key)
    get(deps, site, form_id)
    deps.contacts.delete_item(f"site#{site}", _item(form_id))
    if _prechat_id(deps, site) == form_id:
        _publish(deps, site, None)
    audit.record(deps, actor, "contacts.form_deleted", "form", form_id, site, {})
    return {"deleted": form_id}

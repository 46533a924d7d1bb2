"""In-chat forms: an agent holding the chat sends a form (a `form` message carrying the
definition's snapshot, stored and pushed like any message), the visitor answers it once, the
answers land on the visitor's contact (through the contacts service: the timeline shows the
field change) and a `form_answered` event goes into the transcript."""
from __future__ import annotations

import uuid

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import forms as rules
from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.validation import CLIENT_ID_RE, ID_RE, Field, validate
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.services import conversations as convs
from chalicelib.services.contacts import forms as form_defs
from chalicelib.services.contacts import links, records
from chalicelib.services.views import message_view

SEND_SCHEMA = {
    "form_id": Field(str, required=True, pattern=ID_RE, max_len=64),
    "client_message_id": Field(str, pattern=CLIENT_ID_RE, max_len=64),
}
ANSWER_SCHEMA = {"answers": Field(dict, required=True)}
LEASE_MS = 30_000


def send(deps, actor: Actor, conversation_id: str, payload) -> dict:
    """POST /agent/conversations/{cid}/forms: the agent who may write sends an in-chat form."""
    body = validate(payload, SEND_SCHEMA)
    conv = convs.load_for(deps, actor, conversation_id, consistent=True, write=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    form = form_defs.get(deps, conv["site_key"], body["form_id"])
    if form["kind"] != "inchat":
        raise ValidationError("Only an in-chat form is sent into a chat.",
                              code="not_an_inchat_form", details={"field": "form_id"})
    message = {"message_id": uuid.uuid4().hex, "type": "form", "text": None,
               "extra": {"form": rules.snapshot(form)}, **convs.sender_fields(actor)}
    stored, created, _ = convs.append_from(deps, actor, conv, message,
                                           body.get("client_message_id"))
    if created:
        log.info("form_sent", conversation_id=conversation_id, seq=stored["seq"],
                 form_id=form["form_id"], agent_id=actor.id)
    return {"message": message_view(stored, deps.storage), "created": created}


def _form_message(deps, conversation_id: str, seq) -> dict:
    msg = deps.messages.get(conversation_id, seq) if isinstance(seq, int) and seq > 0 else None
    if msg is None or msg.get("type") != "form":
        raise NotFound("No such form in this conversation.", code="form_not_found")
    return msg


def answer(deps, actor: Actor, conversation_id: str, seq: int, payload) -> dict:
    """POST /visitor/conversations/{cid}/forms/{seq}: the visitor's answers, validated
    against the snapshot the message carries, applied once (a second answer:
    409 `form_already_answered`). Nothing is written on a refused answer."""
    if actor.kind != "visitor":
        raise Forbidden("Only the visitor answers a form.", code="forbidden")
    body = validate(payload, ANSWER_SCHEMA)
    conv = convs.load_for(deps, actor, conversation_id, consistent=True)
    if conv["status"] == "closed":
        raise Conflict("This conversation is closed.", code="conversation_closed")
    form = _form_message(deps, conversation_id, seq)["extra"]["form"]
    site = deps.sites.get(conv["site_key"]) or {}
    country = str((site.get("settings") or {}).get("phone_country") or ids.DEFAULT_COUNTRY)
    clean = rules.check_answers(form, body["answers"], records.field_defs(deps, conv["site_key"]),
                                country)
    once = f"form-answer#{conversation_id}#{seq}"
    state = deps.claims.begin(once, LEASE_MS, now=records.now(deps))
    if state == "done":
        raise Conflict("This form was answered already.", code="form_already_answered")
    if state == "busy":
        raise Conflict("This form's answer is being saved; try again shortly.",
                       code="form_answer_in_progress")
    try:
        contact = _land(deps, conv, actor.id, form, clean)
        conv = convs.post_system_event(deps, conv, "form_answered", {
            "form_seq": seq, "form_id": form["form_id"], "form_name": form["name"],
            "answers": rules.transcript(form, clean),
            "contact_id": contact["contact_id"] if contact else None})
    except Exception:
        deps.claims.release(once)          # nothing counted: the visitor may send it again
        raise
    deps.claims.finish(once)
    log.info("form_answered", conversation_id=conversation_id, seq=seq,
             form_id=form["form_id"], fields=len(clean))
    return {"answered": True, "seq": seq, "last_seq": int(conv.get("last_seq") or 0)}


def _land(deps, conv: dict, visitor_id: str, form: dict, clean: dict) -> dict | None:
    """The answers on the visitor's contact (created when absent). A new e-mail or phone
    another contact holds becomes a merge suggestion (links.link's rule)."""
    patch = rules.contact_patch(form, clean)
    if not patch:
        return records.of_identity(deps, conv["site_key"], f"visitor:{visitor_id}")
    contact = links.link(deps, conv["site_key"], visitor_id, name=patch.get("name"),
                         email=patch.get("email"), phone=patch.get("phone"),
                         lead_source="form", answers=patch.get("fields"))
    if contact is None:
        raise Conflict("The contact is busy; try again.", code="contact_changed")
    if patch.get("name") and contact.get("name") != patch["name"]:
        # a visitor's own answer to "your name" replaces the one on file
        fresh = records.resolve(deps, contact["contact_id"], consistent=True)
        contact = records.commit(deps, fresh, {**fresh, "name": patch["name"]}, "visitor")
    return contact

"""Linking visitors to contacts: a widget session, an identify() sign-in, a pre-chat form or
an offline message all land here. The visitor id, the signed-in user id and any e-mail or
phone given become identities of one contact (identity items make the mapping unique).

Joining rule: a session joins the contact that already holds its visitor id, else the one
holding its verified user id (the same person on another device or channel). An e-mail or
phone typed by a visitor is not proof: if another contact holds it, this contact gets a merge
suggestion instead of being joined. Giving contact details makes the contact a lead (pool)."""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.contacts import fields as field_rules
from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.contacts import leads as lead_rules
from chalicelib.errors import Conflict, ValidationError
from chalicelib.services.contacts import records

ATTEMPTS = 4
#: identities that join a contact (proof it is the same person), in order
JOINING = ("visitor:", "user:", "wechat:", "api:")


def _identities(visitor_id, user_id, email, phone, country: str,
                channel_ids=()) -> tuple[list, list]:
    """(identity keys, verified keys) for what a session says."""
    found = [f"visitor:{visitor_id}"] if visitor_id else []
    for kind, value in (("user", user_id), *channel_ids):
        if value:
            found.append(ids.key(kind, value))
    verified = list(found)
    for kind, value in (("email", email), ("phone", phone)):
        if value:
            try:
                found.append(ids.key(kind, value, country))
            except ValidationError:
                continue                  # a malformed phone in a form is not an identity
    return found, verified


def _answers(deps, site_key: str, answers: dict | None) -> dict:
    """Pre-chat / form answers that name a profile or custom field: {"company": ...,
    "fields": {...}}. A value that fails its field's validation is left out (logged)."""
    if not answers:
        return {}
    out, fields = {}, {}
    if isinstance(answers.get("company"), str) and answers["company"].strip():
        out["company"] = answers["company"].strip()[:100]
    defs = {d["key"]: d for d in records.field_defs(deps, site_key)}
    for key, value in answers.items():
        if key in defs:
            try:
                clean = field_rules.check_value(defs[key], value)
            except ValidationError:
                log.info("prechat_answer_skipped", site_key=site_key, field=key)
                continue
            if clean is not None:
                fields[key] = clean
    if fields:
        out["fields"] = fields
    return out


def link(deps, site_key: str, visitor_id: str | None, name=None, email=None, phone=None,
         user_id=None, verified_email: bool = False, lead_source: str | None = None,
         chat_started: bool = False, channel_ids=(), answers: dict | None = None
         ) -> dict | None:
    """The visitor's contact after adding what is known now (created when absent).
    `channel_ids`: [(kind, id)] from other channels, e.g. ("wechat", openid) or ("api",
    external id): the channel branches call this with them."""
    site = deps.sites.get(site_key) or {}
    country = str((site.get("settings") or {}).get("phone_country") or ids.DEFAULT_COUNTRY)
    wanted, verified = _identities(visitor_id, user_id, email, phone, country, channel_ids)
    if verified_email and email:
        verified += [i for i in wanted if i.startswith("email:")]
    given = _answers(deps, site_key, answers)
    for _ in range(ATTEMPTS):
        contact = None
        for ident in [i for i in wanted if i.startswith(JOINING)]:
            contact = records.of_identity(deps, site_key, ident)
            if contact:
                break
        ts = records.now(deps)
        if contact is None:
            fresh = records.blank(site_key, ts, name=name, identities=sorted(set(wanted)),
                                  verified=sorted(verified), company=given.get("company"),
                                  fields=given.get("fields") or {})
            if lead_source and (email or phone):
                fresh["lead"] = lead_rules.new_lead(lead_source, ts)
            if chat_started:
                fresh["stats"]["chats"] = 1
            if deps.contacts.create(fresh, fresh["identities"]):
                log.info("contact_created", contact_id=fresh["contact_id"], site_key=site_key,
                         visitor_id=visitor_id)
                return fresh
            # an identity is held already: keep only the ones that are free or joinable
            wanted = [i for i in wanted if i.startswith(JOINING)
                      or deps.contacts.owner_of(site_key, i) is None]
            continue
        if _merge_signed_in(deps, contact, [i for i in verified if i.startswith("user:")]):
            continue                                    # merged: read the survivor again
        try:
            return _add(deps, contact, wanted, verified, name, lead_source, ts, chat_started,
                        given)
        except Conflict:
            continue                                    # raced: read again
    log.warning("contact_link_gave_up", site_key=site_key, visitor_id=visitor_id)
    return None


SYSTEM = Actor(kind="agent", id="system", role="admin", name="Parley")


def _merge_signed_in(deps, contact: dict, user_ids: list[str]) -> bool:
    """A verified sign-in whose user id already belongs to another contact proves they are
    one person: this browser's contact is merged into that one (audited as `system`)."""
    from chalicelib.services.contacts import merging
    for ident in user_ids:
        holder = deps.contacts.owner_of(contact["site_key"], ident)
        if holder and holder != contact["contact_id"]:
            merging.merge(deps, SYSTEM, holder, {"from_contact_id": contact["contact_id"]})
            log.info("contact_auto_merged", contact_id=holder, loser=contact["contact_id"])
            return True
    return False


def _add(deps, contact, wanted, verified, name, lead_source, ts, chat_started,
         given: dict) -> dict:
    site_key = contact["site_key"]
    claim, suggestions = [], list(contact.get("suggestions") or [])
    for ident in wanted:
        if ident in contact["identities"]:
            continue
        holder = deps.contacts.owner_of(site_key, ident)
        if holder and holder != contact["contact_id"]:
            hint = {"contact_id": holder, "because": [ident]}
            if hint not in suggestions:
                suggestions.append(hint)
            continue
        claim.append(ident)
    after = dict(contact)
    after["identities"] = sorted(set(contact["identities"]) | set(claim))[:records.MAX_IDENTITIES]
    after["verified"] = sorted(set(contact.get("verified") or ()) | set(verified))
    after["suggestions"] = suggestions[-10:]
    if name and not contact.get("name"):
        after["name"] = name
    if given.get("company") and not contact.get("company"):
        after["company"] = given["company"]
    if given.get("fields"):                             # the visitor's own answers, now
        after["fields"] = {**(contact.get("fields") or {}), **given["fields"]}
    if lead_source and not contact.get("lead") and \
            any(i.startswith(("email:", "phone:")) for i in after["identities"]):
        after["lead"] = lead_rules.new_lead(lead_source, ts)
    stats = dict(contact.get("stats") or {})
    if chat_started:
        stats["chats"] = int(stats.get("chats") or 0) + 1
    stats["last_seen_at"] = ts
    after["stats"] = stats
    unchanged = all(after.get(k) == contact.get(k) for k in
                    ("identities", "verified", "suggestions", "name", "lead", "company",
                     "fields")) \
        and not chat_started
    if unchanged:
        return contact                                  # a returning visit writes nothing
    return records.commit(deps, contact, after, claim=[i for i in claim
                                                       if i in after["identities"]])


def on_session(deps, site_key: str, visitor: dict, body: dict, new_chat: bool) -> None:
    """After start_session: never fails the session (a failed link is logged; the next
    session links again)."""
    identity = body.get("identity") or {}
    try:
        link(deps, site_key, visitor["visitor_id"], name=body.get("name") or identity.get("name"),
             email=body.get("email") or identity.get("email"),
             phone=(body.get("attributes") or {}).get("phone"),
             user_id=identity.get("user_id"), verified_email=bool(identity.get("email")),
             lead_source="prechat", chat_started=new_chat, answers=body.get("attributes"))
    except Exception as exc:      # noqa: BLE001: contacts must not break the widget
        log.error("contact_link_failed", site_key=site_key,
                  visitor_id=visitor["visitor_id"], error=repr(exc))


def on_offline_message(deps, site_key: str, visitor_id: str, name, email, phone) -> None:
    try:
        link(deps, site_key, visitor_id, name=name, email=email, phone=phone,
             lead_source="offline")
    except Exception as exc:      # noqa: BLE001
        log.error("contact_link_failed", site_key=site_key, visitor_id=visitor_id,
                  error=repr(exc))

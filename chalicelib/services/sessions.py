"""Visitor sessions: open, resume, authenticate."""
from __future__ import annotations

import uuid

from chalicelib import config, log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import departments as depts
from chalicelib.domain.actors import Actor
from chalicelib.domain.retention import ttl_fields
from chalicelib.domain.visits import is_new_visit
from chalicelib.domain.validation import EMAIL_RE, SITE_KEY_RE, Field, validate
from chalicelib.errors import AppError, Conflict, NotFound, Unauthorized, ValidationError
from chalicelib.services import notifier, throttle
from chalicelib.services.contacts import links as contact_links
from chalicelib.services.views import conversation_view, visitor_self_view

SESSION_SCHEMA = {
    "site_key": Field(str, required=True, pattern=SITE_KEY_RE, min_len=1, max_len=64),
    "name": Field(str, max_len=100, nullable=True),
    "email": Field(str, max_len=254, pattern=EMAIL_RE, nullable=True),
    "locale": Field(str, max_len=20, nullable=True),
    "page_url": Field(str, max_len=2000, nullable=True),
    "referrer": Field(str, max_len=2000, nullable=True),
    "user_agent": Field(str, max_len=500, nullable=True),
    "attributes": Field(dict, nullable=True),
    "identity": Field(dict, nullable=True, schema={
        "user_id": Field(str, required=True, min_len=1, max_len=128),
        "hash": Field(str, required=True, min_len=1, max_len=128),
        "name": Field(str, max_len=100),
        "email": Field(str, max_len=254, pattern=EMAIL_RE),
    }),
}

PROFILE_FIELDS = ("name", "email", "locale", "page_url", "referrer", "user_agent")


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _new_conversation(deps, visitor_id: str, site_key: str, site: dict,
                      profile: dict | None = None, channel: str = "web",
                      channel_attrs: dict | None = None) -> dict:
    """A new conversation; `channel` and `channel_attrs` (channel id, external user) for
    conversations that arrive through services/channels.receive."""
    ts = now_ms()
    settings = (site or {}).get("settings") or {}
    who = {f"visitor_{k}": (profile or {}).get(k) for k in ("name", "email")
           if (profile or {}).get(k)}
    if (profile or {}).get("page_url"):
        who["page_url"] = profile["page_url"]     # where the chat started (events)
    days = settings.get("retention_days")
    # the department the visitor chose (pre-chat form) before: its bot and its team
    chosen = ((profile or {}).get("attributes") or {}).get(depts.ATTRIBUTE)
    who.update(depts.chosen_attrs(settings, chosen))
    return deps.conversations.create({
        "conversation_id": new_id("c"), "site_key": site_key, "visitor_id": visitor_id,
        "status": "new", "channel": channel, "last_seq": 0, "rev": 0, "reads": {},
        "typing": {}, "sockets": {}, "team": depts.team_of(settings, chosen),
        "attrs": {"created_at": ts, "bot": bool(settings.get("bot_enabled", True)), **who,
                  **(channel_attrs or {})},
        "created_at": ts, "updated_at": ts,
        **({"retention_days": days} if days else {}), **ttl_fields(days, ts)})


def _check_attributes(attrs: dict | None) -> dict | None:
    if attrs is None:
        return None
    if len(attrs) > 30:
        raise AppError("At most 30 custom attributes.", code="too_many_attributes")
    clean = {}
    for k, v in attrs.items():
        if not isinstance(k, str) or not (0 < len(k) <= 50):
            raise AppError("Attribute names are 1-50 characters.", code="invalid_attribute")
        if not isinstance(v, (str, int, float, bool)) or (isinstance(v, str) and len(v) > 500):
            raise AppError(f"Attribute '{k}' must be a short string, number or boolean.",
                           code="invalid_attribute")
        clean[k] = v
    return clean


def _check_department(site: dict, attrs: dict | None) -> str | None:
    """The department a pre-chat answer chose: one of the site's (a site without departments
    keeps "department" as a plain attribute)."""
    settings = site.get("settings") or {}
    chosen = (attrs or {}).get(depts.ATTRIBUTE)
    if chosen is None or not depts.of(settings):
        return None
    try:
        depts.require(settings, chosen, f"attributes.{depts.ATTRIBUTE}")
    except depts.DepartmentError as exc:
        raise ValidationError(str(exc), code=exc.code, details=exc.details) from None
    return chosen


def _choose_department(deps, conv: dict, site: dict, chosen: str) -> dict:
    """A department chosen in a conversation the bot still has: its bot answers from now on
    and a handoff goes to its team. Once a person is involved the choice waits for the next
    conversation (the visitor's attribute keeps it)."""
    attrs = conv.get("attrs") or {}
    if attrs.get(depts.ATTRIBUTE) == chosen or conv.get("status") not in ("new", "open") \
            or conv.get("agent_id"):
        return conv
    settings = site.get("settings")
    try:
        fresh = deps.conversations.update(
            conv["conversation_id"], set_fields={"team": depts.team_of(settings, chosen)},
            map_sets={("attrs", k): v for k, v in depts.chosen_attrs(settings, chosen).items()},
            expect={"status": conv["status"]})
    except Conflict:
        return conv                     # it moved on meanwhile (a handoff): keep that
    log.info("department_chosen", conversation_id=conv["conversation_id"], department=chosen)
    notifier.notify_conversation(deps, fresh)
    return fresh


def _sync_contact(deps, conv: dict, profile: dict) -> dict:
    """A name or email given after the conversation started (the pre-chat form, identify())
    reaches it too: the inbox lists read attrs visitor_name / visitor_email. Written and
    pushed to the consoles only when it changed."""
    attrs = conv.get("attrs") or {}
    sets = {("attrs", f"visitor_{k}"): profile[k] for k in ("name", "email")
            if profile.get(k) and attrs.get(f"visitor_{k}") != profile[k]}
    if not sets:
        return conv
    fresh = deps.conversations.update(conv["conversation_id"], map_sets=sets)
    notifier.notify_conversation(deps, fresh)
    return fresh


def start_session(deps, payload: dict, token: str | None = None,
                  identity_check=None) -> dict:
    """Open a session, or resume the visitor that `token` names.

    Returns the visitor, the current (open) conversation and a fresh visitor token."""
    body = validate(payload, SESSION_SCHEMA)
    site_key = body["site_key"]
    site = deps.sites.get(site_key)
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    throttle.check(deps, "sessions", site_key)
    attrs = _check_attributes(body.get("attributes"))
    chosen = _check_department(site, attrs)
    profile = {k: body.get(k) for k in PROFILE_FIELDS}

    visitor = None
    if token:
        try:
            claims = deps.signer.verify(token, "visitor")
            if claims.get("site") == site_key:
                visitor = deps.visitors.get(claims["sub"])
        except Unauthorized:
            visitor = None  # an old or foreign token: start afresh, never an error

    identity = body.get("identity")
    if identity is not None:
        if identity_check is None or not identity_check(site, identity["user_id"], identity["hash"]):
            raise Unauthorized("The identity could not be verified.", code="invalid_identity")
        external_key = f"{site_key}#{identity['user_id']}"
        known = deps.visitors.find_external(external_key)
        if known:
            visitor = deps.visitors.get(known)
        elif visitor is not None and visitor.get("external_key") not in (None, external_key):
            visitor = None  # this browser belonged to another signed-in user
        profile["name"] = identity.get("name") or profile.get("name")
        profile["email"] = identity.get("email") or profile.get("email")
    else:
        external_key = None

    returning = visitor is not None
    new_conv = False
    if visitor is None:
        ts = now_ms()
        data = {"visitor_id": new_id("v"), "site_key": site_key, "created_at": ts,
                "last_seen_at": ts, "visits": 1,
                **ttl_fields((site.get("settings") or {}).get("retention_days"), ts)}
        data.update({k: v for k, v in profile.items() if v is not None})
        if attrs:
            data["attributes"] = attrs
        if external_key:
            data["external_key"] = external_key
        visitor = deps.visitors.create(data)
        conversation = _new_conversation(deps, visitor["visitor_id"], site_key, site, visitor)
        deps.visitors.touch(visitor["visitor_id"], {}, new_visit=False,
                            conversation_id=conversation["conversation_id"])
    else:
        conversation = None
        if visitor.get("current_conversation_id"):
            conversation = deps.conversations.get(visitor["current_conversation_id"])
        new_conv = conversation is None or conversation.get("status") == "closed"
        if new_conv:
            conversation = _new_conversation(deps, visitor["visitor_id"], site_key, site,
                                             {**visitor, **{k: v for k, v in profile.items()
                                                            if v is not None},
                                              "attributes": {**(visitor.get("attributes")
                                                                or {}), **(attrs or {})}})
        else:
            conversation = _sync_contact(deps, conversation, profile)
            if chosen:
                conversation = _choose_department(deps, conversation, site, chosen)
        fields = {k: v for k, v in profile.items() if v is not None}
        if attrs:
            fields["attributes"] = {**(visitor.get("attributes") or {}), **attrs}
        if external_key:
            fields["external_key"] = external_key
        new_visit = is_new_visit(visitor.get("last_seen_at"), now_ms())
        deps.visitors.touch(visitor["visitor_id"], fields, new_visit=new_visit,
                            conversation_id=conversation["conversation_id"] if new_conv else None)
        visitor.update(fields)
        if new_visit:
            visitor["visits"] = int(visitor.get("visits") or 1) + 1

    if deps.contacts is not None:             # the person behind the visitor (contacts)
        contact_links.on_session(deps, site_key, visitor, body,
                                 new_chat=not returning or new_conv)
    token_out, exp = deps.signer.sign({"typ": "visitor", "sub": visitor["visitor_id"],
                                       "site": site_key}, config.visitor_token_ttl())
    log.info("session_started", visitor_id=visitor["visitor_id"],
             conversation_id=conversation["conversation_id"], site_key=site_key,
             returning=returning)
    return {
        "visitor_id": visitor["visitor_id"],
        "conversation_id": conversation["conversation_id"],
        "token": token_out,
        "expires_at": exp,
        "returning": returning,
        "visitor": visitor_self_view(visitor),
        "conversation": conversation_view(conversation, for_agent=False),
    }


def visitor_actor(deps, token: str | None) -> Actor:
    claims = deps.signer.verify(token or "", "visitor")
    return Actor(kind="visitor", id=claims["sub"], site_key=claims.get("site"))


def agent_actor(deps, token: str | None, source_ip: str | None = None) -> Actor:
    """The agent behind a valid agent token, as the account stands now: a token outlives a
    role change, a disabled account or a revocation, so the stored agent decides (the one
    GetItem that reads the role also carries the token version and signed-out sessions)."""
    return agent_account(deps, token, source_ip)[0]


def agent_account(deps, token: str | None, source_ip: str | None = None
                  ) -> tuple[Actor, dict]:
    """agent_actor, and the agent's stored item it read (its load, for a new socket)."""
    from chalicelib.domain.signin import session_check
    claims = deps.signer.verify(token or "", "agent")
    agent = deps.agents.get(claims["sub"])
    why = session_check(claims, agent)
    if why == "account_disabled":
        raise Unauthorized("This account is not active.", code="account_disabled")
    if why:
        raise Unauthorized("This session was signed out or revoked. Sign in again.",
                           code=why)
    auth = claims.get("auth")
    ends = int(auth) + config.agent_session_max_age() if auth is not None else None
    return Actor(kind="agent", id=agent["agent_id"], role=agent.get("role", "agent"),
                 name=agent.get("name"), teams=tuple(agent.get("teams") or ()),
                 session_id=claims.get("sid"), session_ends=ends, source_ip=source_ip), agent

"""Agent sign-in and sessions: throttled sign-in, tokens, refresh within an absolute
lifetime, sign-out of one session, revoke-all (self or, for admins, another agent).

A token carries the account's token version ("ver"), its session id ("sid", kept across
refreshes) and the time the password was typed ("auth"). sessions.agent_actor checks them
against the agent item it reads anyway for the role, so revocation costs no extra request.
"""
from __future__ import annotations

import uuid

from chalicelib import config, log
from chalicelib.domain import signin as rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import AppError, Forbidden, NotFound, Unauthorized
from chalicelib.security import check_password, dummy_check, hash_password
from chalicelib.services import audit
from chalicelib.services.views import agent_view

LOGIN_SCHEMA = {
    "email": Field(str, required=True, min_len=3, max_len=254),
    "password": Field(str, required=True, min_len=1, max_len=200, strip=False),
}


PASSWORD_SCHEMA = {
    "current_password": Field(str, required=True, min_len=1, max_len=200, strip=False),
    "new_password": Field(str, required=True, min_len=8, max_len=200, strip=False),
}


class TooManyAttempts(AppError):
    status = 429
    code = "too_many_attempts"


def bcrypt_rounds() -> int:
    from chalicelib.services.agents import bcrypt_rounds as rounds
    return rounds()


def limits() -> rules.Limits:
    return rules.Limits(**config.login_limits())


def _check_locks(deps, subjects, now: float) -> None:
    for scope, ident in subjects:
        until = deps.attempts.locked_until(rules.lock_key(scope, ident))
        if until is not None and until > now:
            log.warning("login_locked", scope=scope)
            raise TooManyAttempts(
                "Too many failed sign-in attempts. Try again later.",
                details={"scope": scope, "retry_after": int(until - now) + 1})


def _count_failure(deps, subjects, now: float, lim: rules.Limits) -> None:
    for scope, ident in subjects:
        count = deps.attempts.add_failure(rules.counter_key(scope, ident, now, lim.window),
                                          rules.counter_expires(now, lim.window))
        until = rules.lock_until(count, scope, lim, now)
        if until is not None:
            deps.attempts.lock(rules.lock_key(scope, ident), until)
            log.warning("login_lock_set", scope=scope, failures=count)


def login(deps, payload: dict, source_ip: str | None = None) -> dict:
    """Check the password; a locked account or source gets 429 `too_many_attempts` before
    any password is checked. Unknown and known emails cost the same work (a bcrypt check
    and the same counter writes), so neither the answer nor its time says which exists."""
    body = validate(payload, LOGIN_SCHEMA)
    email = body["email"].lower()
    now = deps.clock()
    lim = limits()
    subjects = rules.subjects(email, source_ip)
    _check_locks(deps, subjects, now)
    agent = deps.agents.by_email(email)
    if agent is None:
        dummy_check(body["password"], bcrypt_rounds())
        ok = False
    else:
        ok = check_password(body["password"], agent["password_hash"])
    if not ok:
        _count_failure(deps, subjects, now, lim)
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    if agent.get("disabled"):
        raise Forbidden("This account is disabled.", code="account_disabled")
    # a success clears the account's count (not the source's: one good password must not
    # reset a source that is guessing other accounts)
    deps.attempts.clear(rules.counter_key("account", email, now, lim.window))
    return issue_token(deps, agent)


def issue_token(deps, agent: dict, session_id: str | None = None,
                auth_time: int | None = None) -> dict:
    """A token for a new session (password just checked) or the next token of a session."""
    new_session = session_id is None
    auth_time = int(deps.clock()) if auth_time is None else int(auth_time)
    session_id = session_id or uuid.uuid4().hex
    claims = {"typ": "agent", "sub": agent["agent_id"], "role": agent.get("role", "agent"),
              "name": agent.get("name"), "ver": int(agent.get("token_version") or 0),
              "sid": session_id, "auth": auth_time}
    token, exp = deps.signer.sign(claims, config.agent_token_ttl(),
                                  not_after=auth_time + config.agent_session_max_age())
    log.info("agent_login" if new_session else "agent_token_refreshed",
             agent_id=agent["agent_id"])
    return {"token": token, "expires_at": exp, "agent": agent_view(agent)}


def current_agent(deps, actor: Actor) -> dict:
    agent = deps.agents.get(actor.id)
    if agent is None or agent.get("disabled"):
        raise Unauthorized("This account is not active.", code="account_disabled")
    return agent


def refresh(deps, actor: Actor) -> dict:
    """The next token of the same session: never past the session's absolute end."""
    agent = current_agent(deps, actor)
    ends = actor.session_ends
    if ends is not None and ends <= deps.clock():
        raise Unauthorized("The session has ended. Sign in again.", code="session_expired")
    auth_time = (ends - config.agent_session_max_age()) if ends is not None else None
    return issue_token(deps, agent, session_id=actor.session_id, auth_time=auth_time)


def sign_out(deps, actor: Actor) -> dict:
    """End the session this token belongs to (its refreshes included)."""
    if actor.session_id:
        agent = deps.agents.get(actor.id) or {}
        ends = actor.session_ends or int(deps.clock()) + config.agent_session_max_age()
        deps.sessions.revoke_one(actor.id, rules.revoked_entry(actor.session_id, ends),
                                 rules.expired_entries(agent.get("revoked_sessions"),
                                                       deps.clock()))
        from chalicelib.services import realtime
        realtime.drop_agent_connections(deps, actor.id, actor.session_id)
    log.info("agent_signed_out", agent_id=actor.id)
    return {"signed_out": True}


def revoke_all(deps, actor: Actor, agent_id: str | None = None) -> dict:
    """End every session of an agent (the actor's own, or any agent's for an admin) and
    close its sockets."""
    target = agent_id or actor.id
    if target != actor.id and actor.role != "admin":
        raise Forbidden("Only admins may do this.", code="forbidden")
    try:
        version = deps.sessions.revoke_all(target)
    except LookupError:
        raise NotFound("No such agent.", code="agent_not_found")
    from chalicelib.services import realtime
    closed = realtime.drop_agent_connections(deps, target)
    audit.record(deps, actor, "agent.sessions_revoked", "agent", target,
                 details={"sockets_closed": closed})
    log.info("agent_sessions_revoked", agent_id=target, by=actor.id)
    return {"revoked": True, "agent_id": target, "token_version": version}


def change_password(deps, actor: Actor, payload: dict) -> dict:
    """An agent changes their own password: the current one is checked (wrong guesses count
    and lock like sign-in failures), every session ends (new token version, sockets closed)
    and a token for a new session is returned."""
    body = validate(payload, PASSWORD_SCHEMA)
    agent = current_agent(deps, actor)
    now = deps.clock()
    lim = limits()
    subjects = rules.subjects(agent["email"], actor.source_ip)
    _check_locks(deps, subjects, now)
    if not check_password(body["current_password"], agent["password_hash"]):
        _count_failure(deps, subjects, now, lim)
        raise Forbidden("The current password is wrong.", code="wrong_password",
                        details={"field": "current_password"})
    version = int(agent.get("token_version") or 0) + 1
    updated = deps.agents.update(actor.id, {
        "password_hash": hash_password(body["new_password"], bcrypt_rounds()),
        "token_version": version})
    from chalicelib.services import realtime
    realtime.drop_agent_connections(deps, actor.id)
    audit.record(deps, actor, "agent.password_changed", "agent", actor.id)
    log.info("agent_password_changed", agent_id=actor.id)
    return issue_token(deps, {**agent, **updated, "token_version": version})

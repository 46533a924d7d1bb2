"""WebSocket connections: connect, disconnect and the client action envelope.

Client frames: {"action": "send"|"typing"|"read"|"ping"|"sync"|"join", "id": "...", ...}
Server events: {"type": "message"|"typing"|"read"|"conversation"|"ack"|"pong"|"sync"|"error"}
See docs/websocket-protocol.md.
"""
from __future__ import annotations

from chalicelib import config, log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import strictjson
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import AppError, Unauthorized, ValidationError
from chalicelib.services import conversations as convs
from chalicelib.services import delivery
from chalicelib.services.sessions import agent_account, visitor_actor

MAX_FRAME = 32 * 1024
ACTIONS = ("send", "typing", "read", "ping", "sync", "join")


def connect(deps, connection_id: str, query: dict | None) -> dict:
    """Authenticate the token in the query string and register the connection.

    Returns {"ok": True, ...} or raises Unauthorized (the gateway then refuses the socket)."""
    query = query or {}
    token = query.get("token")
    role = query.get("role") or "visitor"
    if not token:
        raise Unauthorized("A token is required.", code="missing_token")
    ts = now_ms()
    from datetime import datetime, timedelta, timezone
    expires = datetime.now(timezone.utc) + timedelta(seconds=config.connection_ttl())
    if role == "agent":
        actor, agent = agent_account(deps, token)
        deps.connections.put({"connection_id": connection_id, "kind": "agent",
                              "agent_id": actor.id, "role": actor.role,
                              "name": actor.name, "session_id": actor.session_id,
                              "teams": set(actor.teams) or None,
                              "connected_at": ts, "expires_at": expires})
        _note_on_held(deps, agent, connection_id, ts)
        log.info("ws_connect", connection_id=connection_id, agent_id=actor.id)
        from chalicelib.services import routing
        routing.agent_back(deps, actor.teams)      # their socket is back: wake their queues
        return {"ok": True, "kind": "agent", "agent_id": actor.id}
    actor = visitor_actor(deps, token)
    visitor = deps.visitors.get(actor.id)
    if visitor is None or not visitor.get("current_conversation_id"):
        raise Unauthorized("Unknown visitor.", code="invalid_token")
    cid = visitor["current_conversation_id"]
    deps.connections.put({"connection_id": connection_id, "kind": "visitor",
                          "visitor_id": actor.id, "conversation_id": cid,
                          "site_key": visitor.get("site_key"), "connected_at": ts,
                          "expires_at": expires})
    deps.conversations.add_socket(cid, connection_id, ts)   # a send's recipients, no Query
    log.info("ws_connect", connection_id=connection_id, conversation_id=cid)
    return {"ok": True, "kind": "visitor", "conversation_id": cid}


def _note_on_held(deps, agent: dict, connection_id: str, ts: int) -> None:
    """The new socket joins the holder's sockets of each chat the agent holds (the agent
    item's exact active_count, as the token check read it, says how many to look for)."""
    agent_id = agent["agent_id"]
    for conv in deps.conversations.held_by(agent_id, int(agent.get("active_count") or 0)):
        deps.conversations.add_holder_socket(conv["conversation_id"], agent_id,
                                             connection_id, ts)


def disconnect(deps, connection_id: str) -> None:
    """Drop the connection row (and a visitor's note of it on the conversation), then run
    deps.disconnect_hooks (chalicelib/bootstrap.py)."""
    conn = deps.connections.get(connection_id)
    delivery.forget(deps, conn or {"connection_id": connection_id})
    log.info("ws_disconnect", connection_id=connection_id)
    for hook in deps.disconnect_hooks:
        try:
            hook(deps, conn)
        except Exception as exc:
            log.error("disconnect_hook_failed", connection_id=connection_id, error=repr(exc))


ENVELOPE = {
    "action": Field(str, required=True, choices=ACTIONS),
    "id": Field(str, max_len=64),
    "conversation_id": Field(str, max_len=64),
    "data": Field(dict),
}


def handle_frame(deps, connection_id: str, body: str | None) -> None:
    """Handle one client frame; every failure becomes an error event, never a crash."""
    request_id = None
    try:
        if body is None or body == "":
            raise ValidationError("Empty frame.", code="invalid_frame")
        size = len(body) if isinstance(body, bytes) else \
            len(body.encode("utf-8", "surrogatepass"))
        if size > MAX_FRAME:
            raise ValidationError("Frame larger than 32 KB.", code="frame_too_large")
        frame = strictjson.loads(body)     # the same strict parser as REST bodies
        if isinstance(frame, dict) and isinstance(frame.get("id"), str):
            request_id = frame["id"][:64]
        if isinstance(frame, dict) and isinstance(frame.get("action"), str) \
                and frame["action"] not in ACTIONS:
            raise ValidationError(f"Unknown action '{frame['action'][:40]}'.",
                                  code="unknown_action")
        env = validate(frame, ENVELOPE)
        request_id = env.get("id")
        conn = deps.connections.identity(connection_id)    # read once per warm instance
        if conn is None:
            raise Unauthorized("This connection is not registered; reconnect.",
                               code="unknown_connection")
        actor = _actor_for(deps, conn, connection_id)
        result = _dispatch(deps, actor, conn, env)
        if result is not None:
            reply(deps, connection_id, dict(result, id=request_id) if request_id else result)
    except AppError as err:
        log.info("ws_error", connection_id=connection_id, code=err.code)
        reply(deps, connection_id, {"type": "error", "id": request_id, "status": err.status,
                                    **err.to_dict()})
    except Exception as exc:  # never crash the handler on a client frame
        log.error("ws_internal_error", connection_id=connection_id, error=repr(exc))
        reply(deps, connection_id, {"type": "error", "id": request_id, "status": 500,
                                    "code": "internal_error",
                                    "message": "Something went wrong; try again."})


def drop_agent_connections(deps, agent_id: str, session_id: str | None = None) -> int:
    """Close an agent's sockets (account disabled, role changed, sessions revoked), or only
    those of one session (signed out): a console reconnects and $connect reads the account
    as it stands now."""
    n = 0
    for conn in deps.connections.by_agent(agent_id):
        if session_id is not None and conn.get("session_id") != session_id:
            continue
        deps.sender.close(conn["connection_id"])
        delivery.forget(deps, conn)
        n += 1
    return n


def _actor_for(deps, conn: dict, connection_id: str) -> Actor:
    if conn["kind"] == "agent":
        return Actor(kind="agent", id=conn["agent_id"], role=conn.get("role"),
                     name=conn.get("name"), connection_id=connection_id)
    return Actor(kind="visitor", id=conn["visitor_id"], site_key=conn.get("site_key"),
                 connection_id=connection_id)


def _conversation_id(actor: Actor, conn: dict, env: dict) -> str:
    if actor.kind == "visitor":
        return env.get("conversation_id") or conn["conversation_id"]
    cid = env.get("conversation_id")
    if not cid:
        raise ValidationError("'conversation_id' is required.", code="missing_field",
                              details={"field": "conversation_id"})
    return cid


def _dispatch(deps, actor: Actor, conn: dict, env: dict) -> dict | None:
    action = env["action"]
    data = env.get("data") or {}
    if action == "ping":
        return {"type": "pong", "ts": now_ms()}
    cid = _conversation_id(actor, conn, env)
    if action == "send":
        message, created = convs.post_message(deps, actor, cid, data)
        return {"type": "ack", "conversation_id": cid, "message": message,
                "duplicate": not created}
    if action == "typing":
        convs.set_typing(deps, actor, cid, data)
        return None
    if action == "read":
        result = convs.mark_read(deps, actor, cid, data)
        return {"type": "ack", "conversation_id": cid, "read": result["seq"]}
    if action == "sync":
        after = validate(data, {"after": Field(int, required=True, min=0),
                                "limit": Field(int, min=1, max=200)})
        page = convs.history(deps, actor, cid, after=after["after"],
                             limit=after.get("limit", 100))
        return {"type": "sync", "conversation_id": cid, "messages": page["messages"],
                "cursor": page["cursor"] if page["cursor"] is not None else after["after"],
                "last_seq": page["last_seq"], "has_more": page["has_more"],
                "conversation": page["conversation"]}
    if action == "join":
        if not actor.is_agent:
            raise ValidationError("Only agents can join conversations.", code="not_allowed")
        return {"type": "conversation", "conversation": convs.join(deps, actor, cid)}
    raise ValidationError("Unknown action.", code="unknown_action")


def reply(deps, connection_id: str, event: dict) -> None:
    delivery.push(deps, [{"connection_id": connection_id}], event)

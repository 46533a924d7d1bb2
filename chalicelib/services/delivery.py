"""Fan-out: push an event to every live connection that should see it.

Recipients come from the conversation item (the visitor's sockets) and key lookups
(connections by agent), never a full-table scan;
who hears a state change is decided in services/notifier.py.
A GoneException removes exactly that stale connection (unless it is still opening); delivery to
the others goes on.
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain import strictjson
from chalicelib.adapters.sender import GoneError
from chalicelib.domain.sockets import still_opening
from chalicelib.domain.supervision import watchers


def encode(event: dict) -> bytes:
    """Standard JSON only (no NaN/Infinity): what the browser's JSON.parse accepts."""
    return strictjson.dumps(event).encode("utf-8")


def recipients(deps, conversation: dict, visitor: bool = True, agents: bool = True,
               visitor_conns: list[dict] | None = None,
               agent_conns: list[dict] | None = None) -> list[dict]:
    """The connections that hear a message of the conversation: the visitor's, and those of
    its holder, participants and live watchers. `visitor_conns` / `agent_conns`: what the
    caller read already (the conversation's connections; every agent connection), so no
    Query is repeated."""
    conns: list[dict] = []
    if visitor:
        conns += visitor_conns if visitor_conns is not None else \
            visitor_connections(deps, conversation)
    if agents:
        agent_ids = set(conversation.get("participants") or [])
        if conversation.get("agent_id"):
            agent_ids.add(conversation["agent_id"])
        # supervisors with a live view of the chat (services/supervision.watch)
        agent_ids.update(watchers(conversation.get("attrs"), int(deps.clock() * 1000)))
        if agent_conns is not None:
            conns += [c for c in agent_conns if c.get("agent_id") in agent_ids]
        else:
            held = holder_connections(conversation)
            if held is not None:          # the holder's sockets are on the item
                conns += held
                agent_ids.discard(conversation["agent_id"])
            for agent_id in sorted(agent_ids):
                conns += deps.connections.by_agent(agent_id)
    seen, unique = set(), []
    for c in conns:
        if c["connection_id"] not in seen:
            seen.add(c["connection_id"])
            unique.append(c)
    return unique


def visitor_connections(deps, conversation: dict) -> list[dict]:
    """The visitor's open sockets: from the conversation item (`sockets`, kept by $connect,
    $disconnect and 410s), so no Query; for an item read without them (a projection, or made
    before sockets were kept), one Query of the connections by conversation."""
    sockets = conversation.get("sockets")
    cid = conversation["conversation_id"]
    if isinstance(sockets, dict):
        return [{"connection_id": conn_id, "kind": "visitor", "conversation_id": cid,
                 "connected_at": int(at)} for conn_id, at in sorted(sockets.items())]
    return deps.connections.by_conversation(cid)


def holder_connections(conversation: dict) -> list[dict] | None:
    """The holder's sockets as the item notes them (`holder_sockets`, written by the
    assignment and by the holder's $connect), or None when the item has no such note for its
    current holder (then the caller asks the connections table)."""
    holder = conversation.get("agent_id")
    note = conversation.get("holder_sockets")
    if conversation.get("status") != "assigned" or not holder or not isinstance(note, dict) \
            or note.get("agent") != holder:
        return None
    cid = conversation["conversation_id"]
    return [{"connection_id": conn_id, "kind": "agent", "agent_id": holder,
             "conversation_id": cid, "holder": True, "connected_at": int(at)}
            for conn_id, at in sorted((note.get("ids") or {}).items())]


def holder_note(agent_id: str, agent_conns: list[dict]) -> dict:
    """What an assignment writes as the new holder's sockets."""
    return {"agent": agent_id, "ids": {c["connection_id"]: int(c.get("connected_at") or 0)
                                       for c in agent_conns if c.get("agent_id") == agent_id}}


def forget(deps, conn: dict) -> None:
    """Drop a closed or gone connection: its row and its note on the conversation (a
    visitor's socket, or a holder's)."""
    deps.connections.delete(conn["connection_id"])
    if not conn.get("conversation_id"):
        return
    if conn.get("kind") == "visitor":
        deps.conversations.drop_socket(conn["conversation_id"], conn["connection_id"])
    elif conn.get("holder"):
        deps.conversations.drop_holder_socket(conn["conversation_id"], conn["connection_id"])


def push(deps, connections: list[dict], event: dict, conversation_id: str | None = None,
         exclude: str | None = None) -> int:
    """Post to each connection; drop the ones that are gone. Returns how many got it."""
    data = encode(event)
    delivered = 0
    for conn in connections:
        cid = conn["connection_id"]
        if cid == exclude:
            continue
        try:
            deps.sender.post(cid, data)
            delivered += 1
        except GoneError:
            if still_opening(conn, int(deps.clock() * 1000)):
                # its handshake is still under way (domain/sockets.py): keep the row
                log.info("connection_opening", connection_id=cid, conversation_id=conversation_id)
                continue
            forget(deps, conn)
            log.info("connection_gone", connection_id=cid, conversation_id=conversation_id)
        except Exception as exc:  # one bad connection must not stop the others
            log.warning("post_failed", connection_id=cid, conversation_id=conversation_id,
                        error=type(exc).__name__)
    return delivered


def to_conversation(deps, conversation: dict, event: dict, visitor: bool = True,
                    agents: bool = True, exclude: str | None = None,
                    visitor_conns: list[dict] | None = None,
                    agent_conns: list[dict] | None = None) -> int:
    conns = recipients(deps, conversation, visitor=visitor, agents=agents,
                       visitor_conns=visitor_conns, agent_conns=agent_conns)
    return push(deps, conns, event, conversation["conversation_id"], exclude=exclude)



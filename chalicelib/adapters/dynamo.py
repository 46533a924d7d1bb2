"""Repositories over the PynamoDB models. The only code that talks to DynamoDB.

Every method is a GetItem, a Query, a conditional write or one transaction, never a full-table scan.
Methods return plain dicts so services never see PynamoDB types.
"""
from __future__ import annotations

import random
import time
from typing import Iterable

from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import (DeleteError, DoesNotExist, PutError, TransactWriteError,
                                 UpdateError)
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import models as m
from chalicelib.domain import lookup
from chalicelib.domain.events import context_snapshot
from chalicelib.errors import AppError, Conflict

MAX_APPEND_ATTEMPTS = 50
PLACES_PER_TRANSACTION = 100       # DynamoDB's limit of actions in one transaction


def _plain(value):
    if isinstance(value, MapAttribute):
        return {k: _plain(v) for k, v in value.attribute_values.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_dict(item) -> dict:
    return {k: _plain(v) for k, v in item.attribute_values.items()}


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def now_ms() -> int:
    return int(time.time() * 1000)


_LOOKUP_ATTRS = ("name_p", "name_lc", "email_p", "email_lc")


def _public_visitor(v: dict) -> dict:
    return {k: val for k, val in v.items() if k not in _LOOKUP_ATTRS}


class VisitorRepo:
    def get(self, visitor_id: str) -> dict | None:
        try:
            return _public_visitor(to_dict(m.Visitor.get(visitor_id)))
        except DoesNotExist:
            return None

    def create(self, data: dict) -> dict:
        keys = {k: v for k, v in lookup.lookup_fields(data.get("name"), data.get("email")).items()
                if v is not None}
        item = m.Visitor(**data, **keys)
        item.save(condition=m.Visitor.visitor_id.does_not_exist())
        return _public_visitor(to_dict(item))

    @staticmethod
    def _with_lookup(fields: dict) -> dict:
        """The fields plus the lookup keys of any name or email among them."""
        if "name" not in fields and "email" not in fields:
            return fields
        return {**fields, **lookup.lookup_fields(
            fields.get("name"), fields.get("email"),
            has_name="name" in fields, has_email="email" in fields)}

    def touch(self, visitor_id: str, fields: dict, new_visit: bool,
              conversation_id: str | None = None) -> None:
        actions = [m.Visitor.last_seen_at.set(now_ms())]
        for name, value in self._with_lookup(
                {k: v for k, v in fields.items() if v is not None}).items():
            if value is not None:
                actions.append(getattr(m.Visitor, name).set(value))
        if new_visit:
            actions.append(m.Visitor.visits.add(1))
        if conversation_id:
            actions.append(m.Visitor.current_conversation_id.set(conversation_id))
        m.Visitor(visitor_id).update(actions=actions)

    def find_external(self, external_key: str) -> str | None:
        for item in m.Visitor.external_index.query(external_key, limit=1):
            return item.visitor_id
        return None

    def update(self, visitor_id: str, fields: dict) -> dict:
        actions = []
        for name, value in self._with_lookup(fields).items():
            attr = getattr(m.Visitor, name)
            actions.append(attr.remove() if value is None else attr.set(value))
        item = m.Visitor(visitor_id)
        item.update(actions=actions, condition=m.Visitor.visitor_id.exists())
        return _public_visitor(to_dict(item))

    def lookup(self, q: str, limit: int = 10) -> list[dict]:
        """Visitors whose name or email starts with q (normalized): one Query per index."""
        key = lookup.query_key(q)
        if key is None:
            return []
        part, prefix = key
        found: dict[str, dict] = {}
        for index, sort_attr in ((m.Visitor.name_index, m.Visitor.name_lc),
                                 (m.Visitor.email_index, m.Visitor.email_lc)):
            for item in index.query(part, sort_attr.startswith(prefix), limit=limit):
                found.setdefault(item.visitor_id, _public_visitor(to_dict(item)))
        return lookup.rank(list(found.values()), q)[:limit]


class ConversationRepo:
    def get(self, conversation_id: str, consistent: bool = False) -> dict | None:
        try:
            return to_dict(m.Conversation.get(conversation_id, consistent_read=consistent))
        except DoesNotExist:
            return None

    def get_many(self, conversation_ids, consistent: bool = False) -> list[dict]:
        """Several conversations in one BatchGetItem (per 100; in no set order)."""
        return [to_dict(c) for c in m.Conversation.batch_get(
            sorted(set(conversation_ids)), consistent_read=consistent)]

    def set_places(self, places: list[tuple[str, int, int]],
                   at: int | None = None) -> list[str]:
        """Store the places in line and wait estimates of many waiting chats: one
        transaction per 100 (each chat on condition it is still queued; rev moves, so
        long-poll clients see the change). A chat that left the line meanwhile is left out
        and the rest written again; a transaction that meets another write of the same chat
        falls back to one conditional update per chat. `at` (default now) is stored with
        each place as `queue_position_at`: the run's time, which tells a client holding a
        newer place that a state read before it is stale. Returns the ids written."""
        at = now_ms() if at is None else at
        written: list[str] = []
        for i in range(0, len(places), PLACES_PER_TRANSACTION):
            written += self._set_places(places[i:i + PLACES_PER_TRANSACTION], at)
        return written

    def _set_places(self, places, at: int) -> list[str]:
        C = m.Conversation
        pending = list(places)
        for _ in range(3):
            if not pending:
                return []
            ts = now_ms()
            try:
                with TransactWrite(connection=_connection()) as tx:
                    for cid, position, wait in pending:
                        tx.update(C(cid), actions=[C.attrs["queue_position"].set(position),
                                                   C.attrs["queue_position_at"].set(at),
                                                   C.attrs["estimated_wait"].set(wait),
                                                   C.rev.add(1), C.updated_at.set(ts)],
                                  condition=C.status == "queued")
                return [cid for cid, _, _ in pending]
            except TransactWriteError as exc:
                reasons = [getattr(r, "code", None) if r else None
                           for r in (exc.cancellation_reasons or [])]
                if len(reasons) != len(pending) or "TransactionConflict" in reasons or \
                        "ConditionalCheckFailed" not in reasons:
                    break
                pending = [p for p, r in zip(pending, reasons) if r != "ConditionalCheckFailed"]
        out = []
        for cid, position, wait in pending:
            try:
                self.update(cid, map_sets={("attrs", "queue_position"): position,
                                           ("attrs", "queue_position_at"): at,
                                           ("attrs", "estimated_wait"): wait},
                            expect={"status": "queued"})
                out.append(cid)
            except Conflict:
                pass                       # left the line meanwhile
        return out

    def get_state(self, conversation_id: str) -> dict | None:
        """The cheap consistent read behind long-poll: only the fields that change."""
        try:
            item = m.Conversation.get(
                conversation_id, consistent_read=True,
                attributes_to_get=["conversation_id", "last_seq", "rev", "status", "reads",
                                   "typing", "agent_id", "visitor_id", "attrs"])
        except DoesNotExist:
            return None
        return to_dict(item)

    def create(self, data: dict) -> dict:
        item = m.Conversation(**data)
        item.save(condition=m.Conversation.conversation_id.does_not_exist())
        return to_dict(item)

    def list_by_visitor(self, visitor_id: str, limit: int = 20) -> list[dict]:
        return [to_dict(c) for c in m.Conversation.visitor_index.query(
            visitor_id, scan_index_forward=False, limit=limit)]

    def list_by_status(self, status: str, limit: int = 50,
                       oldest_first: bool = False, before: int | None = None) -> list[dict]:
        """Most recently updated first (or oldest first); `before`: only those updated
        earlier than that (ms), the cursor for the next page."""
        cond = m.Conversation.updated_at < before if before is not None else None
        return [to_dict(c) for c in m.Conversation.status_index.query(
            status, cond, scan_index_forward=oldest_first, limit=limit)]

    def list_updated_since(self, status: str, since: int, limit: int = 100) -> list[dict]:
        """Conversations of one status updated after `since` (ms), oldest change first: the
        console's re-sync after a reconnect (one Query on the status index)."""
        return [to_dict(c) for c in m.Conversation.status_index.query(
            status, m.Conversation.updated_at > since, scan_index_forward=True, limit=limit)]

    def list_by_agent(self, agent_id: str, limit: int = 50) -> list[dict]:
        return [to_dict(c) for c in m.Conversation.agent_index.query(
            agent_id, scan_index_forward=False, limit=limit)]

    def update(self, conversation_id: str, set_fields: dict | None = None,
               remove: Iterable[str] = (), add_participants: Iterable[str] = (),
               map_sets: dict | None = None, expect: dict | None = None,
               bump_rev: bool = True, remove_participants: Iterable[str] = ()) -> dict:
        """Update fields atomically; `expect` holds field values the item must still have."""
        C = m.Conversation
        actions = []
        for name, value in (set_fields or {}).items():
            actions.append(getattr(C, name).set(value))
        for name in remove:
            actions.append(getattr(C, name).remove())
        parts = set(add_participants)
        if parts:
            actions.append(C.participants.add(parts))
        gone = set(remove_participants)
        if gone:
            actions.append(C.participants.delete(gone))
        for (map_name, key), value in (map_sets or {}).items():
            actions.append(getattr(C, map_name)[key].set(value))
        if bump_rev:
            actions.append(C.rev.add(1))
        actions.append(C.updated_at.set(now_ms()))
        condition = C.conversation_id.exists()
        for name, value in (expect or {}).items():
            attr = getattr(C, name)
            condition &= attr.does_not_exist() if value is None else attr == value
        item = C(conversation_id)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if _conditional_failed(exc):
                raise Conflict("The conversation changed; try again.", code="conflict")
            raise
        return to_dict(item)

    def set_read(self, conversation_id: str, participant: str, seq: int) -> bool:
        """Move a participant's read marker forward (never back). False if not moved."""
        C = m.Conversation
        item = C(conversation_id)
        try:
            item.update(actions=[C.reads[participant].set(seq), C.rev.add(1)],
                        condition=C.conversation_id.exists() & C.reads.exists() & (
                            C.reads[participant].does_not_exist() |
                            (C.reads[participant] < seq)))
            return True
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def set_typing(self, conversation_id: str, participant: str, until_ms: int) -> None:
        C = m.Conversation
        C(conversation_id).update(
            actions=[C.typing[participant].set(until_ms), C.rev.add(1)],
            condition=C.conversation_id.exists() & C.typing.exists())


    def add_socket(self, conversation_id: str, connection_id: str, connected_at: int) -> None:
        """Note a visitor's open socket on its conversation: a send then finds the visitor's
        recipients in the item it reads anyway. Moves neither rev nor updated_at (no state
        change for anyone). A conversation made before sockets were kept gets the map."""
        C = m.Conversation
        for _ in range(2):     # a racing connect may make the map between the two writes
            try:
                C(conversation_id).update(actions=[C.sockets[connection_id].set(connected_at)],
                                          condition=C.sockets.exists())
                return
            except UpdateError as exc:
                if not _conditional_failed(exc):
                    raise
            try:
                C(conversation_id).update(
                    actions=[C.sockets.set({connection_id: connected_at})],
                    condition=C.conversation_id.exists() & C.sockets.does_not_exist())
                return
            except UpdateError as exc:
                if not _conditional_failed(exc):
                    raise
        # the conversation is gone: nothing to note

    def drop_socket(self, conversation_id: str, connection_id: str) -> None:
        """The socket is closed (or gone): forget it. Never creates an item."""
        C = m.Conversation
        try:
            C(conversation_id).update(actions=[C.sockets[connection_id].remove()],
                                      condition=C.sockets[connection_id].exists())
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def add_holder_socket(self, conversation_id: str, agent_id: str, connection_id: str,
                          connected_at: int) -> None:
        """Note a new socket of the holder on the chat they hold (only while they still
        hold it and its holder_sockets are theirs; otherwise nothing is written)."""
        C = m.Conversation
        try:
            C(conversation_id).update(
                actions=[C.holder_sockets["ids"][connection_id].set(connected_at)],
                condition=(C.agent_id == agent_id) & (C.status == "assigned") &
                (C.holder_sockets["agent"] == agent_id))
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def drop_holder_socket(self, conversation_id: str, connection_id: str) -> None:
        C = m.Conversation
        try:
            C(conversation_id).update(
                actions=[C.holder_sockets["ids"][connection_id].remove()],
                condition=C.holder_sockets["ids"][connection_id].exists())
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def held_by(self, agent_id: str, count: int, most: int = 1000) -> list[dict]:
        """The `count` chats the agent holds (their active_count), newest change first: the
        agent index pages until all are found (it also lists chats they held before)."""
        held: list[dict] = []
        if count <= 0:
            return held
        for read, item in enumerate(m.Conversation.agent_index.query(
                agent_id, scan_index_forward=False, page_size=50)):
            if item.status == "assigned" and item.agent_id == agent_id:
                held.append(to_dict(item))
                if len(held) >= count:
                    break
            if read + 1 >= most:
                break
        return held

    def set_attr(self, conversation_id: str, key: str, value) -> dict:
        """Set one key of the conversation's attrs without moving rev or updated_at (a
        supervisor's live view: no state change for clients, no delay of the idle close)."""
        C = m.Conversation
        item = C(conversation_id)
        item.update(actions=[C.attrs[key].set(value)],
                    condition=C.conversation_id.exists() & C.attrs.exists())
        return to_dict(item)


def _claim_key(conversation_id: str, message: dict, client_message_id: str) -> str:
    """"msg#{conversation}#{sender type}:{sender id}#{client id}": client ids are unique
    per sender, not per conversation."""
    sender = f"{message.get('sender_type')}:{message.get('sender_id') or ''}"
    return f"msg#{conversation_id}#{sender}#{client_message_id}"


#: what a lost append race re-reads: the next sequence number and the context that may
#: have moved meanwhile (one GetItem either way)
_CTX_READ = ("last_seq", "status", "agent_id", "team", "queue_key")


class MessageRepo:
    def append(self, conversation: dict, message: dict, client_message_id: str | None,
               conversation_updates: dict | None = None) -> tuple[dict, bool]:
        """Store a message under the conversation's next sequence number.

        One transaction moves last_seq from N to N+1 (on condition it is still N), writes the
        message at seq N+1 and claims the client message id. A lost race re-reads and retries;
        a claimed client id returns the stored message with created=False.

        The claim is the sender's own: ids chosen by one client never collide with another
        party's (a visitor reusing an agent's id neither gets the agent's message back nor
        has their own dropped).
        """
        cid = conversation["conversation_id"]
        last_seq = int(conversation.get("last_seq") or 0)
        conv_updates = dict(conversation_updates or {})
        # the row records its conversation's context as of this write (docs/events.md)
        seen = dict(conversation)
        claim_key = _claim_key(cid, message, client_message_id) if client_message_id else None
        conn = _connection()
        for attempt in range(MAX_APPEND_ATTEMPTS):
            seq = last_seq + 1
            ts = now_ms()
            item = m.Message(conversation_id=cid, seq=seq, created_at=ts,
                             client_message_id=client_message_id,
                             ctx=context_snapshot(seen, conv_updates), **message)
            C = m.Conversation
            actions = [C.last_seq.set(seq), C.updated_at.set(ts), C.last_message_at.set(ts)]
            for name, value in conv_updates.items():
                if isinstance(name, tuple):  # ("attrs", "first_response_at")
                    actions.append(getattr(C, name[0])[name[1]].set(value))
                else:
                    actions.append(getattr(C, name).set(value))
            try:
                with TransactWrite(connection=conn) as tx:
                    tx.update(C(cid), actions=actions,
                              condition=(C.last_seq == last_seq) if last_seq else
                              (C.conversation_id.exists() &
                               (C.last_seq.does_not_exist() | (C.last_seq == 0))))
                    tx.save(item, condition=m.Message.seq.does_not_exist())
                    if claim_key:
                        tx.save(m.Key(key=claim_key, value=str(seq),
                                      expires_at=_ttl_days(7)),
                                condition=m.Key.key.does_not_exist())
                return to_dict(item), True
            except TransactWriteError as exc:
                # PynamoDB sends puts before updates: [message, claim?, conversation]
                reasons = [getattr(r, "code", None) if r else None
                           for r in (exc.cancellation_reasons or [])]
                if claim_key and len(reasons) == 3 and reasons[1] == "ConditionalCheckFailed":
                    existing = self._claimed(cid, claim_key)
                    if existing is not None:
                        return existing, False
                if reasons and (reasons[-1] == "ConditionalCheckFailed" or
                                "TransactionConflict" in reasons or
                                reasons[0] == "ConditionalCheckFailed"):
                    fresh = m.Conversation.get(cid, consistent_read=True,
                                               attributes_to_get=list(_CTX_READ))
                    last_seq = int(fresh.last_seq or 0)
                    seen.update({k: getattr(fresh, k) for k in _CTX_READ})
                    time.sleep(random.uniform(0, min(0.25, 0.004 * 2 ** min(attempt, 6))))
                    continue
                raise
        raise AppError("The conversation is too busy; try again.", code="busy", status=503)

    def _claimed(self, conversation_id: str, claim_key: str) -> dict | None:
        try:
            claim = m.Key.get(claim_key, consistent_read=True)
        except DoesNotExist:
            return None
        return self.get(conversation_id, int(claim.value))

    def get(self, conversation_id: str, seq: int) -> dict | None:
        try:
            return to_dict(m.Message.get(conversation_id, seq, consistent_read=True))
        except DoesNotExist:
            return None

    def after(self, conversation_id: str, after_seq: int, limit: int = 100) -> list[dict]:
        return [to_dict(x) for x in m.Message.query(
            conversation_id, m.Message.seq > after_seq, consistent_read=True, limit=limit)]

    def before(self, conversation_id: str, before_seq: int | None, limit: int = 50) -> list[dict]:
        cond = m.Message.seq < before_seq if before_seq is not None else None
        items = [to_dict(x) for x in m.Message.query(
            conversation_id, cond, scan_index_forward=False, limit=limit)]
        items.reverse()
        return items


class AgentRepo:
    def get(self, agent_id: str) -> dict | None:
        try:
            return to_dict(m.Agent.get(agent_id))
        except DoesNotExist:
            return None

    def get_many(self, agent_ids) -> list[dict]:
        """Several agents in one BatchGetItem (per 100), consistently (in no set order)."""
        return [to_dict(a) for a in m.Agent.batch_get(sorted(set(agent_ids)),
                                                      consistent_read=True)]

    def by_email(self, email: str) -> dict | None:
        for item in m.Agent.email_index.query(email.lower(), limit=1):
            return to_dict(item)
        return None

    def create(self, data: dict) -> dict:
        """Create an agent, claiming the email so two agents never share one."""
        conn = _connection()
        item = m.Agent(**data)
        try:
            with TransactWrite(connection=conn) as tx:
                tx.save(m.Key(key=f"email#{data['email']}", value=data["agent_id"]),
                        condition=m.Key.key.does_not_exist())
                tx.save(item, condition=m.Agent.agent_id.does_not_exist())
        except TransactWriteError:
            raise Conflict("An agent with this email already exists.", code="email_taken")
        return to_dict(item)

    def list_all(self) -> list[dict]:
        """Every agent: one Query per presence value on the status index (no table scan)."""
        out = []
        for status in ("online", "away", "offline"):
            out += [to_dict(a) for a in m.Agent.status_index.query(status)]
        return sorted(out, key=lambda a: a.get("created_at") or 0)

    def by_status(self, status: str) -> list[dict]:
        """Agents with that presence, longest since their last assignment first."""
        return [to_dict(a) for a in m.Agent.status_index.query(status)]

    def update(self, agent_id: str, fields: dict) -> dict:
        actions = []
        for name, value in fields.items():
            attr = getattr(m.Agent, name)
            actions.append(attr.remove() if value is None else attr.set(value))
        actions.append(m.Agent.updated_at.set(now_ms()))
        item = m.Agent(agent_id)
        item.update(actions=actions, condition=m.Agent.agent_id.exists())
        return to_dict(item)


class SiteRepo:
    def get(self, site_key: str) -> dict | None:
        try:
            return to_dict(m.Site.get(site_key))
        except DoesNotExist:
            return None

    def get_many(self, site_keys) -> list[dict]:
        """Several sites in one BatchGetItem (per 100), in no set order."""
        return [to_dict(s) for s in m.Site.batch_get(sorted(set(site_keys)))]

    def put(self, data: dict) -> dict:
        item = m.Site(**data)
        item.save()
        return to_dict(item)


class ClaimRepo:
    """Once-only claims (idempotency for side effects such as sending an email)."""

    def claim(self, key: str, value: str = "1", ttl_days: int = 30) -> bool:
        try:
            m.Key(key=key, value=value, expires_at=_ttl_days(ttl_days)).save(
                condition=m.Key.key.does_not_exist())
            return True
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def release(self, key: str) -> None:
        try:
            m.Key(key).delete()
        except DeleteError:
            pass

    def begin(self, key: str, lease_ms: int, now: int | None = None,
              ttl_days: int = 30) -> str:
        """Start a once-only run: "started" (the caller runs it, then finish() or release()),
        "done" (it ran before) or "busy" (another run holds an unexpired lease). A run that
        died without finishing leaves a lease that the next begin() takes over once expired."""
        now = now_ms() if now is None else now
        K = m.Key
        try:
            K(key=key, value="running", lease_until=now + lease_ms,
              expires_at=_ttl_days(ttl_days)).save(
                condition=K.key.does_not_exist() | (K.lease_until < now))
            return "started"
        except PutError as exc:
            if not _conditional_failed(exc):
                raise
        try:
            held = K.get(key, consistent_read=True)
        except DoesNotExist:      # released in between: let the retry start it
            return "busy"
        return "busy" if held.lease_until is not None else "done"

    def finish(self, key: str) -> None:
        """Mark a run begun with begin() as done (no lease: begin() answers "done")."""
        K = m.Key
        K(key).update(actions=[K.value.set("done"), K.lease_until.remove()],
                      condition=K.key.exists())


def _connection():
    """The low-level connection PynamoDB already holds for these tables (one client per
    thread, reused across invocations) for transactions."""
    return m.Conversation._get_connection().connection


def _ttl_days(days: int):
    from datetime import datetime, timedelta, timezone
    return datetime.now(timezone.utc) + timedelta(days=days)


__all__ = ["VisitorRepo", "ConversationRepo", "MessageRepo", "AgentRepo",
           "SiteRepo", "PutError", "now_ms"]

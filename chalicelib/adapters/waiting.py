"""The waiting line and the moves out of it: a conversation entering or leaving the queue
and an agent's slot taken or given back, in one DynamoDB transaction (with the system event
that tells of it, for the moves that post one)."""
from __future__ import annotations

import random
import time

from pynamodb.transactions import TransactWrite
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import (MAX_APPEND_ATTEMPTS, ConversationRepo, _connection,
                                        now_ms, to_dict)
from chalicelib.domain.conversation import Transition
from chalicelib.domain.events import context_snapshot
from chalicelib.errors import AppError


MOVES_PER_TRANSACTION = 40   # 2 items a move plus 1 per agent: under the limit of 100


class AssignmentConflict(Exception):
    """A transactional assignment lost a race: `part` is "conversation" or "agent"."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


class BatchConflict(Exception):
    """A transaction of many moves was cancelled: nothing of it was written. `conversations`
    and `agents` name the items whose condition failed (or that met another write)."""

    def __init__(self, conversations: set, agents: set):
        super().__init__(f"{len(conversations)} conversations, {len(agents)} agents")
        self.conversations, self.agents = conversations, agents


class QueueRepo:
    """The waiting line (sparse queue-index) and the transactions that move conversations
    between the queue and agents, keeping every agent's active_count exact."""

    def waiting(self, queue_key: str, limit: int = 50) -> list[dict]:
        return [to_dict(c) for c in m.Conversation.queue_index.query(
            queue_key, scan_index_forward=True, limit=limit)]

    def position(self, queue_key: str, queued_at: int) -> int:
        """1-based place in line: how many queued before this one, plus one."""
        return m.Conversation.queue_index.count(
            queue_key, m.Conversation.queued_at < queued_at) + 1

    def _conv_actions(self, set_fields: dict, attrs: dict, remove=(), add_participants=(),
                      remove_attrs=(), ts: int | None = None, remove_participants=()):
        C = m.Conversation
        ts = ts or now_ms()
        actions = [getattr(C, k).set(v) for k, v in set_fields.items()]
        actions += [C.attrs[k].set(v) for k, v in attrs.items()]
        actions += [C.attrs[k].remove() for k in remove_attrs]
        actions += [getattr(C, k).remove() for k in remove]
        if add_participants:
            actions.append(C.participants.add(set(add_participants)))
        if remove_participants:
            actions.append(C.participants.delete(set(remove_participants)))
        actions += [C.rev.add(1), C.updated_at.set(ts)]
        return actions

    def move(self, conversation_id: str, expect_status: str | tuple, set_fields: dict,
             attrs: dict | None = None, remove=(), add_participants=(),
             take_agent: str | None = None, release_agent: str | None = None,
             expect_agent: str | None = None, remove_attrs=(),
             expect_queue: str | None = None, remove_participants=()) -> None:
        """One transaction: update the conversation (on condition its status is expected,
        and its agent or its queue when given), take a slot of `take_agent` (online, enabled, under
        capacity) and give back a slot of `release_agent`."""
        C = m.Conversation
        statuses = (expect_status,) if isinstance(expect_status, str) else expect_status
        cond = _where(statuses, expect_agent, expect_queue)
        ts = now_ms()
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.update(C(conversation_id),
                          actions=self._conv_actions(set_fields, attrs or {}, remove,
                                                     add_participants, remove_attrs,
                                                     remove_participants=remove_participants),
                          condition=cond)
                _move_slots(tx, take_agent, release_agent, ts)
        except TransactWriteError as exc:
            reasons = [getattr(r, "code", None) if r else None
                       for r in (exc.cancellation_reasons or [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise AssignmentConflict("conversation")
            if "ConditionalCheckFailed" in reasons:
                raise AssignmentConflict("agent")
            raise

    def move_with_event(self, conversation: dict, expect_status: str | tuple, message: dict,
                        set_fields: dict, attrs: dict | None = None, remove=(),
                        add_participants=(), take_agent: str | None = None,
                        release_agent: str | None = None, expect_agent: str | None = None,
                        remove_attrs=(), expect_queue: str | None = None,
                        remove_participants=()) -> tuple[dict, dict]:
        """`move` and the system event that tells of it, in ONE transaction, with no read
        before or after: the conversation as `conversation` shows it (its `rev` and
        `last_seq` are conditions) moves and takes the next sequence number, the event row
        is written under it, and the agents' slots move as in `move`. Returns (the
        conversation after the write, the stored event row), both computed from what was
        written.

        When the conversation changed since it was read (another message, a place-in-line
        update) one consistent GetItem re-reads it and the transaction is tried again, as
        long as it still is where the move expects it; otherwise AssignmentConflict
        ("conversation"). A full or absent agent: AssignmentConflict("agent")."""
        C = m.Conversation
        cid = conversation["conversation_id"]
        statuses = (expect_status,) if isinstance(expect_status, str) else expect_status
        attrs = attrs or {}
        current = conversation
        ctx_updates = {**set_fields, **{k: None for k in remove}}
        for attempt in range(MAX_APPEND_ATTEMPTS):
            if not _still_expected(current, statuses, expect_agent, expect_queue):
                raise AssignmentConflict("conversation")
            seq, ts = int(current.get("last_seq") or 0) + 1, now_ms()
            item, actions, cond = self._event_move(
                current, statuses, message, ctx_updates, seq, ts, set_fields, attrs, remove,
                add_participants, remove_attrs, remove_participants, expect_agent,
                expect_queue)
            try:
                with TransactWrite(connection=_connection()) as tx:
                    tx.save(item, condition=m.Message.seq.does_not_exist())
                    tx.update(C(cid), actions=actions, condition=cond)
                    _move_slots(tx, take_agent, release_agent, ts)
            except TransactWriteError as exc:
                # puts go before updates: [event row, conversation, agent(s)]
                reasons = [getattr(r, "code", None) if r else None
                           for r in (exc.cancellation_reasons or [])]
                if len(reasons) > 2 and "ConditionalCheckFailed" in reasons[2:] and \
                        reasons[1] != "ConditionalCheckFailed":
                    raise AssignmentConflict("agent")
                if "ConditionalCheckFailed" in reasons[:2] or "TransactionConflict" in reasons:
                    fresh = ConversationRepo().get(cid, consistent=True)
                    if fresh is None:
                        raise AssignmentConflict("conversation")
                    current = fresh
                    if "TransactionConflict" in reasons:
                        time.sleep(random.uniform(0, min(0.25, 0.004 * 2 ** min(attempt, 6))))
                    continue
                raise
            return (_moved(current, set_fields, attrs, remove, add_participants, remove_attrs,
                           seq, ts, remove_participants), to_dict(item))
        raise AppError("The conversation is too busy; try again.", code="busy", status=503)

    def _event_move(self, current: dict, statuses, message: dict, ctx_updates: dict, seq: int,
                    ts: int, set_fields: dict, attrs: dict, remove, add_participants,
                    remove_attrs, remove_participants, expect_agent, expect_queue):
        """The event row, the conversation's update actions and their condition for a move
        that posts an event under `seq`: the conversation still as `current` shows it (its
        status, agent or queue, `last_seq` and `rev`)."""
        C = m.Conversation
        item = m.Message(conversation_id=current["conversation_id"], seq=seq, created_at=ts,
                         ctx=context_snapshot(current, ctx_updates), **message)
        last_seq, rev = seq - 1, int(current.get("rev") or 0)
        cond = _where(statuses, expect_agent, expect_queue)
        cond &= (C.last_seq == last_seq) if last_seq else \
            (C.last_seq.does_not_exist() | (C.last_seq == 0))
        cond &= (C.rev == rev) if rev else (C.rev.does_not_exist() | (C.rev == 0))
        actions = self._conv_actions(set_fields, attrs, remove, add_participants,
                                     remove_attrs, ts, remove_participants)
        actions += [C.last_seq.set(seq), C.last_message_at.set(ts)]
        return item, actions, cond

    def assign_many(self, moves: list[tuple[dict, Transition, dict]],
                    capacity: dict[str, int]) -> list[tuple[dict, dict]]:
        """Many assignments (domain `assign` transitions, each with its event `message`) in
        ONE transaction, with no read before or after: every conversation as the move's
        `conv` shows it (as in move_with_event), and each agent taking n slots only if
        online, enabled and with room for all n (active_count <= capacity - n, with
        `capacity[agent]` the capacity the plan saw and the stored one at least that: a close
        meanwhile only makes room). At most
        MOVES_PER_TRANSACTION moves. Returns [(the conversation after, the stored event
        row)] in the order of `moves`. A cancelled transaction writes nothing and raises
        BatchConflict naming what failed."""
        C, A = m.Conversation, m.Agent
        ts = now_ms()
        slots: dict[str, int] = {}
        rows, updates, out = [], [], []
        for conv, t, message in moves:
            seq = int(conv.get("last_seq") or 0) + 1
            ctx_updates = {**t.set_fields, **{k: None for k in t.remove}}
            item, actions, cond = self._event_move(
                conv, t.expect, message, ctx_updates, seq, ts, t.set_fields, t.attrs,
                t.remove, t.add_participants, t.remove_attrs, t.remove_participants,
                t.expect_agent, t.expect_queue)
            rows.append(item)
            updates.append((conv["conversation_id"], actions, cond))
            slots[t.take_agent] = slots.get(t.take_agent, 0) + 1
            out.append((_moved(conv, t.set_fields, t.attrs, t.remove, t.add_participants,
                               t.remove_attrs, seq, ts, t.remove_participants), to_dict(item)))
        try:
            with TransactWrite(connection=_connection()) as tx:
                for item in rows:
                    tx.save(item, condition=m.Message.seq.does_not_exist())
                for cid, actions, cond in updates:
                    tx.update(C(cid), actions=actions, condition=cond)
                for agent_id, n in slots.items():
                    seen = int(capacity[agent_id])
                    tx.update(A(agent_id), actions=[A.active_count.add(n),
                                                    A.last_assigned_at.set(ts)],
                              condition=(A.status == "online") &
                              (A.disabled == False) &  # noqa: E712
                              (A.capacity >= seen) & (A.active_count <= seen - n))
        except TransactWriteError as exc:
            conflict = _batch_conflict(exc, moves, list(slots))
            if conflict is None:
                raise
            raise conflict
        return out

    def idle(self, status: str, before_ms: int, limit: int = 25) -> list[dict]:
        return [to_dict(c) for c in m.Conversation.status_index.query(
            status, m.Conversation.updated_at < before_ms, limit=limit)]


def _where(statuses, expect_agent, expect_queue):
    """A move's condition on the conversation: its status, and its agent or its queue when
    given."""
    C = m.Conversation
    cond = C.status.is_in(*statuses)
    if expect_agent is not None:
        cond &= C.agent_id == expect_agent
    if expect_queue is not None:
        cond &= C.queue_key == expect_queue
    return cond


def _batch_conflict(exc: TransactWriteError, moves,
                    agent_ids: list[str]) -> BatchConflict | None:
    """Which items of a cancelled assign_many transaction failed (None: it was not
    cancelled but refused). Its items, in the order the transaction lists them: the event
    rows (puts), the conversations, the agents. A row that exists means its conversation
    moved on; without per-item reasons every conversation is named (the caller reads them
    again)."""
    if getattr(exc, "cause_response_code", None) != "TransactionCanceledException":
        return None
    reasons = [getattr(r, "code", None) if r else None
               for r in (exc.cancellation_reasons or [])]
    n = len(moves)
    cids = [conv["conversation_id"] for conv, _, _ in moves]
    if len(reasons) != 2 * n + len(agent_ids):
        return BatchConflict(set(cids), set())
    failed = lambda r: r not in (None, "None")  # noqa: E731
    convs = {cids[i % n] for i, r in enumerate(reasons[:2 * n]) if failed(r)}
    agents = {a for a, r in zip(agent_ids, reasons[2 * n:]) if failed(r)}
    return BatchConflict(convs, agents)


def _move_slots(tx, take_agent: str | None, release_agent: str | None, ts: int) -> None:
    """The agents' side of a move: take a slot of `take_agent` (online, enabled, under
    capacity) and give one back to `release_agent`."""
    A = m.Agent
    if take_agent and take_agent != release_agent:
        tx.update(A(take_agent), actions=[A.active_count.add(1), A.last_assigned_at.set(ts)],
                  condition=(A.status == "online") & (A.disabled == False) &  # noqa: E712
                  (A.active_count < A.capacity))
    if release_agent and release_agent != take_agent:
        tx.update(A(release_agent), actions=[A.active_count.add(-1)],
                  condition=A.active_count > 0)


def _still_expected(conv: dict, statuses, expect_agent, expect_queue) -> bool:
    return conv.get("status") in statuses and \
        (expect_agent is None or conv.get("agent_id") == expect_agent) and \
        (expect_queue is None or conv.get("queue_key") == expect_queue)


def _moved(conv: dict, set_fields: dict, attrs: dict, remove, add_participants, remove_attrs,
           seq: int, ts: int, remove_participants=()) -> dict:
    """The conversation after QueueRepo.move_with_event wrote it (what the item holds): the
    domain's own rule for a transition's result."""
    return Transition("moved", (), set_fields=set_fields, attrs=attrs, remove=tuple(remove),
                      remove_attrs=tuple(remove_attrs),
                      add_participants=tuple(add_participants),
                      remove_participants=tuple(remove_participants)).after(conv, ts, seq)

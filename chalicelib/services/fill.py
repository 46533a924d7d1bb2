"""An assignment pass's writes: the chats it takes, many in one transaction.

The pass (services/routing.assign_pass) reads the line and the online agents; `fill` plans
the moves (domain assignment.plan: oldest first, each to the least loaded free agent who
serves its queue) and writes up to MOVES_PER_TRANSACTION of them in ONE DynamoDB
transaction (QueueRepo.assign_many), so a pass that fills 36 slots costs a transaction or
two rather than 36 in a row. A cancelled transaction writes nothing and names what failed:
an agent who went away or filled up is left out of this pass, a chat that changed since it
was read (a place-in-line update, a message) is read again and planned again, a chat that
left the line is dropped, and the plan is made again from the rest, so the oldest chats
still go first. What a pass could not place wakes another pass (the caller)."""
from __future__ import annotations

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import MOVES_PER_TRANSACTION, BatchConflict
from chalicelib.domain import assignment as policy
from chalicelib.domain import conversation as transition
from chalicelib.services import delivery, parallel
from chalicelib.services.conversations import (deliver_system_event, retention_fields,
                                               system_message)
from chalicelib.services.notifier import notify_conversation

ATTEMPTS = 6        # transactions a pass tries, lost races included


def fill(deps, line: list[dict], agents: list[dict], conns: list[dict],
         limit: int) -> tuple[list[tuple], bool]:
    """Assign the chats of `line` (merged, oldest first) to the online `agents` (as read;
    their counts are kept up to date here), at most `limit`. Returns ([(the conversation
    after, its agent, the chat as read, the stored event)], whether a race was lost: a slot
    may then be free that this pass's read of the line cannot fill, and another pass
    should look). Nothing is pushed yet: `push` does that."""
    by_id = {a["agent_id"]: a for a in agents}
    left_out: set = set()
    lost_any = False
    done: list[tuple] = []
    for _ in range(ATTEMPTS):
        pool = [a for a in agents if a["agent_id"] not in left_out]
        moves = policy.plan(line, pool, min(limit - len(done), MOVES_PER_TRANSACTION),
                            now_ms())
        if not moves:
            return done, lost_any
        writes = [_write(conv, agent, conns) for conv, agent in moves]
        try:
            results = deps.waiting.assign_many(
                writes, {a["agent_id"]: int(a.get("capacity") or 0) for _, a in moves})
        except BatchConflict as lost:
            log.info("assign_batch_lost", conversations=len(lost.conversations),
                     agents=len(lost.agents))
            left_out |= lost.agents
            lost_any = True
            line = _read_again(deps, line, lost.conversations)
            continue
        ts = now_ms()
        for (conv, agent), (fresh, stored) in zip(moves, results):
            held = by_id[agent["agent_id"]]
            held["active_count"] = int(held.get("active_count") or 0) + 1
            held["last_assigned_at"] = ts
            done.append((fresh, held, conv, stored))
        taken = {conv["conversation_id"] for conv, _ in moves}
        line = [c for c in line if c["conversation_id"] not in taken]
    return done, True


def _write(conv: dict, agent: dict, conns: list[dict]) -> tuple:
    """(the chat as read, its assign transition, the event row's content)."""
    t = transition.assign(conv, agent, now_ms(),
                          expect_queue=conv.get("queue_key") or policy.DEFAULT_QUEUE,
                          # a send's recipients: the holder's sockets, no Query (delivery.py)
                          holder_sockets=delivery.holder_note(agent["agent_id"], conns))
    message = {**system_message(t.event.kind, t.event.data, t.event.text),
               **retention_fields(conv)}
    return conv, t, message


def _read_again(deps, line: list[dict], cids: set) -> list[dict]:
    """The line with the chats named by a lost race read again (consistently, one
    request): those still waiting in the same line stay, in line order; the others are
    dropped."""
    named = [c["conversation_id"] for c in line if c["conversation_id"] in cids]
    again = {c["conversation_id"]: c for c in deps.conversations.get_many(named,
                                                                           consistent=True)}
    out = []
    for conv in line:
        if conv["conversation_id"] in cids:
            fresh = again.get(conv["conversation_id"])
            key = conv.get("queue_key")
            if not fresh or fresh.get("status") != "queued" or fresh.get("queue_key") != key:
                continue
            conv = fresh
        out.append(conv)
    return policy.merge_lines({"": out})


def push(deps, done: list[tuple], conns: list[dict]) -> None:
    """Each move of `fill`: the assigned event and the changed chat to the visitor and the
    agents who see it."""
    def one(move) -> None:
        fresh, _, conv, stored = move
        visitor_conns = delivery.visitor_connections(deps, conv)
        deliver_system_event(deps, fresh, stored, visitor_conns=visitor_conns,
                             agent_conns=conns)
        notify_conversation(deps, fresh, agent_conns=conns, visitor_conns=visitor_conns)
        log.info("conversation_assigned", conversation_id=conv["conversation_id"],
                 agent_id=fresh.get("agent_id"))
    parallel.each(one, done)          # the chats' pushes side by side (posts, no reads)

"""A conversation's life as transitions, without AWS.

Each transition takes the conversation as it stands (the stored item, as a dict) and returns a
`Transition`: the write (the status, agent or queue it must still have; the fields and attrs
that change; the agent slots that move) and the named event it yields. Nothing is written
here. `services/transitions.apply` writes one with one repository call: one DynamoDB
transaction holding the conversation's update, the agents' slots and the event's row (the
system message that the stream turns into `conversation.*`, docs/events.md). `after` gives
the state the write leaves, so no caller reads the item back.

A transition that cannot happen from the current state raises `Refused` (an HTTP 409 with a
code), before anything is written; one that raced with another writer fails its condition in
the repository instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from chalicelib.domain import assignment as policy
from chalicelib.domain.events import SYSTEM_EVENT_TYPES

WAITING = ("new", "open", "queued", "offline")     # a chat nobody holds yet
STATUSES = (*WAITING, "assigned", "closed")


class Refused(Exception):
    """The transition does not apply to the conversation as it stands (HTTP 409)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Event:
    """What a transition tells: the system message's kind and data (stored with the write)."""
    kind: str
    data: dict = field(default_factory=dict)
    text: str | None = None

    @property
    def type(self) -> str:
        """The event's name on the stream (docs/events.md)."""
        if self.kind == "offline":
            return ("conversation.message_left" if self.data.get("reason") == "left_message"
                    else "conversation.offline_offered")
        return SYSTEM_EVENT_TYPES[self.kind]


@dataclass(frozen=True)
class Transition:
    """One write: the conversation still in one of `expect` (and held by `expect_agent`, in
    `expect_queue`, when given) gets `set_fields`, `attrs`, loses `remove` / `remove_attrs`,
    gains `add_participants`; `take_agent` takes a slot, `release_agent` gives one back; and
    `event`, when there is one, is stored under the next sequence number in the same
    transaction."""
    name: str
    expect: tuple[str, ...]
    set_fields: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    remove_attrs: tuple[str, ...] = ()
    add_participants: tuple[str, ...] = ()
    remove_participants: tuple[str, ...] = ()
    take_agent: str | None = None
    release_agent: str | None = None
    expect_agent: str | None = None
    expect_queue: str | None = None
    event: Event | None = None

    @property
    def events(self) -> list[str]:
        """The named events this transition yields."""
        return [self.event.type] if self.event else []

    def without_event(self) -> "Transition":
        """The same write; its event is posted by the caller afterwards (a handoff tells the
        visitor "connecting you" between the two)."""
        return replace(self, event=None)

    def after(self, conv: dict, ts: int, seq: int | None = None) -> dict:
        """The conversation as this transition leaves it (what the item holds after the
        write at `ts`; `seq`: the event's sequence number when it was written with it)."""
        gone = set(self.remove)
        out = {k: v for k, v in conv.items() if k not in gone}
        out.update(self.set_fields)
        dropped = set(self.remove_attrs)
        attrs = {k: v for k, v in (conv.get("attrs") or {}).items() if k not in dropped}
        attrs.update(self.attrs)
        out["attrs"] = attrs
        if self.add_participants or self.remove_participants:
            out["participants"] = sorted((set(conv.get("participants") or ()) |
                                          set(self.add_participants)) -
                                         set(self.remove_participants))
        out.update(rev=int(conv.get("rev") or 0) + 1, updated_at=ts)
        if seq is not None:
            out.update(last_seq=seq, last_message_at=ts)
        return out


# ------------------------------------------------------------------ the transitions
def queue(conv: dict, key: str, now: int, reason: str, boost: int = 0,
          previous_agent: str | None = None) -> Transition:
    """Into `key`'s line, `boost` seconds ahead of its arrival (domain/assignment.py)."""
    status = conv.get("status")
    if status == "closed":
        raise Refused("conversation_closed", "This conversation is closed.")
    if status in ("queued", "assigned"):
        raise Refused("already_routed", "This conversation is with the queue or an agent.")
    attrs = {"queued_at": now, "handoff_reason": reason}
    if previous_agent:
        attrs["previous_agent_id"] = previous_agent
    if boost:
        attrs["priority_boost"] = boost
    set_fields = {"status": "queued", "queue_key": key,
                  "queued_at": policy.line_order(now, boost)}
    if key != policy.DEFAULT_QUEUE:
        set_fields["team"] = key
    return Transition("queue", (status,), set_fields=set_fields, attrs=attrs,
                      event=Event("queued", {"reason": reason}))


def assign(conv: dict, agent: dict, now: int, kind: str = "assigned",
           expect: str | tuple = "queued", release: str | None = None,
           extra_event: dict | None = None, clear_attrs=(), extra_attrs: dict | None = None,
           expect_queue: str | None = None, holder_sockets: dict | None = None) -> Transition:
    """To `agent` (a slot of theirs; `release`: the holder it moves from). `kind`: how it
    reached them (assigned, transferred, reopened), which the console words its notice by.
    Whether the chat is still `expect` (and the agent has room) is the write's condition:
    an assignment pass works from a line read moments before."""
    expect = (expect,) if isinstance(expect, str) else tuple(expect)
    attrs = {"assigned_at": now, "agent_name": agent.get("name"), "assign_kind": kind,
             "queue_position": 0, "estimated_wait": 0, **(extra_attrs or {})}
    if agent.get("avatar_url"):
        attrs["agent_avatar"] = agent["avatar_url"]
    set_fields = {"status": "assigned", "agent_id": agent["agent_id"]}
    if holder_sockets is not None:
        set_fields["holder_sockets"] = holder_sockets
    return Transition(
        kind, expect, set_fields=set_fields, attrs=attrs, remove=("queue_key", "queued_at"),
        remove_attrs=("offline_offered", *clear_attrs),
        add_participants=(agent["agent_id"],), take_agent=agent["agent_id"],
        release_agent=release, expect_agent=release if release else None,
        expect_queue=expect_queue,
        event=Event(kind, {"agent_id": agent["agent_id"], "agent_name": agent.get("name"),
                           **(extra_event or {})}))


def requeue(conv: dict, key: str, order: int, now: int, reason: str) -> Transition:
    """Back into the line at `order` (the front: its holder went offline or lost their last
    socket); the holder's slot is given back."""
    holder = _holder(conv)
    return Transition(
        "requeue", ("assigned",),
        set_fields={"status": "queued", "queue_key": key, "queued_at": order},
        attrs={"queued_at": now, "handoff_reason": reason, "previous_agent_id": holder},
        remove=("agent_id",), release_agent=holder, expect_agent=holder,
        event=Event("queued", {"reason": reason, "from_agent_id": holder}))


def transfer_to_team(conv: dict, team: str, now: int) -> Transition:
    """From its holder to the end of `team`'s line."""
    holder = _holder(conv)
    return Transition(
        "transfer_to_team", ("assigned",),
        set_fields={"status": "queued", "queue_key": team, "queued_at": now, "team": team},
        attrs={"queued_at": now, "handoff_reason": "transfer"},
        remove=("agent_id",), release_agent=holder, expect_agent=holder,
        event=Event("transferred", {"from_agent_id": holder, "team": team}))


def close(conv: dict, now: int, reason: str, by_id: str | None,
          by_kind: str | None) -> Transition:
    status = conv.get("status")
    if status == "closed":
        raise Refused("conversation_closed", "This conversation is closed.")
    holder = conv.get("agent_id") if status == "assigned" else None
    return Transition(
        "close", (status,), set_fields={"status": "closed"},
        attrs={"closed_at": now, "close_reason": reason, "closed_by": by_id or "system"},
        remove=("queue_key", "queued_at"), release_agent=holder, expect_agent=holder,
        event=Event("closed", {"reason": reason, "by": by_kind or "system"}))


def offer_offline(conv: dict, now: int, reason: str) -> Transition:
    """Offer the leave-a-message form (once, until an agent takes the chat)."""
    if (conv.get("attrs") or {}).get("offline_offered"):
        raise Refused("already_offered", "The leave-a-message form was offered already.")
    status = conv.get("status")
    if status not in WAITING:
        raise Refused("agent_assigned" if status == "assigned" else "conversation_closed",
                      "Nobody needs the form now.")
    return Transition("offer_offline", (status,), attrs={"offline_offered": now},
                      event=Event("offline", {"reason": reason}))


def leave_message(conv: dict, contact: dict, who: dict) -> Transition:
    """The visitor leaves their message and contact for a follow-up. The event comes after
    the message (the caller posts both), so the write carries none."""
    status = conv.get("status")
    if status == "closed":
        raise Refused("conversation_closed", "This conversation is closed.")
    if status == "assigned":
        raise Refused("agent_assigned", "An agent is with you now: write to them here.")
    return Transition("leave_message", WAITING, set_fields={"status": "offline"},
                      attrs={"offline": contact, **who}, remove=("queue_key", "queued_at"))


def rate(conv: dict, score: int, comment: str | None, now: int) -> Transition:
    if conv.get("status") != "closed":
        raise Refused("not_closed", "Conversations are rated once they are closed.")
    if (conv.get("attrs") or {}).get("rating"):
        raise Refused("already_rated", "This conversation has been rated already.")
    return Transition("rate", ("closed",),
                      attrs={"rating": {"score": score, "comment": comment, "at": now}},
                      event=Event("rated", {"score": score}, text=comment))


def tags_after(conv: dict, add=(), remove=(), most: int = 30) -> set[str]:
    """The conversation's tags after adding and removing some (at most `most`)."""
    tags = (set(conv.get("tags") or []) | set(add or [])) - set(remove or [])
    if len(tags) > most:
        raise Refused("too_many_items", f"At most {most} tags.")
    return tags


def join(conv: dict, agent_id: str, agent_name: str | None) -> Transition:
    """An agent joins to write in the chat (the visitor sees them as the person answering);
    who may is permissions.join's rule, checked before."""
    status = conv.get("status")
    if status == "closed":
        raise Refused("conversation_closed", "This conversation is closed.")
    return Transition("join", (status,), attrs={"last_agent": {"id": agent_id,
                                                               "name": agent_name}},
                      add_participants=(agent_id,),
                      event=Event("joined", {"agent_id": agent_id, "agent_name": agent_name}))


def leave(conv: dict, agent_id: str, agent_name: str | None) -> Transition:
    """A participant who does not hold the chat leaves it (the holder transfers or closes)."""
    if conv.get("status") == "assigned" and conv.get("agent_id") == agent_id:
        raise Refused("holder_cannot_leave",
                      "You hold this conversation: transfer or close it instead.")
    shown = ((conv.get("attrs") or {}).get("last_agent") or {}).get("id") == agent_id
    return Transition("leave", (conv.get("status"),),
                      # the visitor no longer sees them as the person answering
                      attrs={"last_agent": {}} if shown else {},
                      remove_participants=(agent_id,),
                      expect_agent=conv.get("agent_id") if conv.get("status") == "assigned"
                      else None,
                      event=Event("left", {"agent_id": agent_id, "agent_name": agent_name}))


def _holder(conv: dict) -> str:
    if conv.get("status") != "assigned" or not conv.get("agent_id"):
        raise Refused("not_assigned", "Only an assigned conversation can move from its agent.")
    return conv["agent_id"]

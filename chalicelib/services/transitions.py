"""Apply a conversation transition (domain/conversation.py) with one repository call.

A transition with an event is one DynamoDB transaction: the conversation's conditional
update, the agents' slots and the event's row under the next sequence number
(QueueRepo.move_with_event); one without is the same transaction minus the row
(QueueRepo.move). Nothing is read before or after: the new state is computed from what was
written. The event is then pushed to the conversation's connections."""
from __future__ import annotations

from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.domain.conversation import Refused, Transition
from chalicelib.errors import Conflict
from chalicelib.services.conversations import (deliver_system_event, retention_fields,
                                               system_message)


def apply(deps, conv: dict, t: Transition, agent_conns: list[dict] | None = None,
          visitor_conns: list[dict] | None = None) -> tuple[dict, dict | None]:
    """Write `t` on `conv` (as read) and push its event. Returns (the conversation after the
    write, the stored event row or None). Raises AssignmentConflict when the conversation
    or an agent is no longer where `t` expects them."""
    if t.event is None:
        deps.waiting.move(conv["conversation_id"], t.expect, set_fields=t.set_fields,
                          attrs=t.attrs, remove=t.remove,
                          add_participants=t.add_participants, take_agent=t.take_agent,
                          release_agent=t.release_agent, expect_agent=t.expect_agent,
                          remove_attrs=t.remove_attrs, expect_queue=t.expect_queue,
                          remove_participants=t.remove_participants)
        return t.after(conv, now_ms()), None
    message = {**system_message(t.event.kind, t.event.data, t.event.text),
               **retention_fields(conv)}
    fresh, stored = deps.waiting.move_with_event(
        conv, t.expect, message, set_fields=t.set_fields, attrs=t.attrs, remove=t.remove,
        add_participants=t.add_participants, take_agent=t.take_agent,
        release_agent=t.release_agent, expect_agent=t.expect_agent,
        remove_attrs=t.remove_attrs, expect_queue=t.expect_queue,
        remove_participants=t.remove_participants)
    deliver_system_event(deps, fresh, stored, visitor_conns=visitor_conns,
                         agent_conns=agent_conns)
    return fresh, stored


RACE_ATTEMPTS = 3   # a request's transition is re-read and re-decided this many times


def apply_or_409(deps, conv: dict, make) -> dict:
    """`apply` the transition `make(conv)` for a request. A lost race (a message or another
    move landed between the request's read and its write) re-reads the conversation and
    decides again, up to RACE_ATTEMPTS times: the request is refused only when the
    transition no longer applies to the chat as it now stands (409 with the refusal's code),
    or when the chat keeps moving (409 ``conflict``). Returns the conversation after the
    write."""
    for attempt in range(RACE_ATTEMPTS):
        try:
            fresh, _ = apply(deps, conv, make(conv))
            return fresh
        except Refused as refused:
            raise Conflict(refused.message, code=refused.code)
        except AssignmentConflict:
            again = deps.conversations.get(conv["conversation_id"], consistent=True)
            if again is None:
                break
            conv = again
    raise Conflict("The conversation changed; try again.", code="conflict")

"""An assignment is one transaction with the event that tells of it
(QueueRepo.move_with_event): no read before or after, a stale read retried, a lost race
writing nothing."""
import pytest

from chalicelib.adapters.waiting import AssignmentConflict
from chalicelib.services import conversations as convs
from chalicelib.services import routing
from tests.helpers.aws import AwsCallCounter, drain_queues
from tests.integration.test_queue import conv, load, make_agent, nobot, visitor_chat  # noqa: F401


def _events(deps, cid):
    return [m for m in deps.messages.after(cid, 0) if m["type"] == "event"]


def test_a_stale_line_read_is_retried_and_the_returned_conversation_is_what_was_stored(
        deps, nobot):  # noqa: F811
    ann = make_agent(deps, "Ann", online=False)
    drain_queues(deps)
    s, visitor = visitor_chat(deps, connection="vis-1")
    cid = s["conversation_id"]
    stale = deps.waiting.waiting("_default")[0]           # the line as a pass reads it
    convs.post_message(deps, visitor, cid, {"client_message_id": "m2", "text": "still here?"})
    agent = deps.agents.update(ann.id, {"status": "online"})
    with AwsCallCounter(deps) as counter:
        fresh = routing.assign_to(deps, stale, agent, expect_queue="_default", agent_conns=[])
    ddb = [c for c in counter.calls if c.startswith("dynamodb:")]
    # first try fails on last_seq; one consistent GetItem; the second try lands
    assert ddb.count("dynamodb:TransactWriteItems") == 2
    assert ddb.count("dynamodb:GetItem") == 1
    stored = conv(deps, cid)
    for key in ("status", "agent_id", "rev", "last_seq", "participants", "updated_at",
                "last_message_at"):
        assert fresh[key] == stored[key], key
    assert fresh["attrs"] == stored["attrs"]
    assert "queue_key" not in stored and "queued_at" not in stored
    kinds = [(m["seq"], m["event"]["kind"]) for m in _events(deps, cid)]
    assert kinds[-1] == (stored["last_seq"], "assigned")
    assert load(deps, ann) == 1
    # the visitor's one socket hears the "assigned" event and the changed conversation
    assert counter.calls.count("apigatewaymanagementapi:PostToConnection") == 2


def test_a_chat_taken_meanwhile_is_a_conflict_and_writes_no_event(deps, nobot):  # noqa: F811
    ann = make_agent(deps, "Ann", online=False)
    bob = make_agent(deps, "Bob", online=False)
    drain_queues(deps)
    s, _ = visitor_chat(deps)
    cid = s["conversation_id"]
    stale = deps.waiting.waiting("_default")[0]
    a = deps.agents.update(ann.id, {"status": "online"})
    routing.assign_to(deps, stale, a, expect_queue="_default", agent_conns=[])
    before = len(_events(deps, cid))
    b = deps.agents.update(bob.id, {"status": "online"})
    with pytest.raises(AssignmentConflict) as err:
        routing.assign_to(deps, stale, b, expect_queue="_default", agent_conns=[])
    assert err.value.part == "conversation"
    assert len(_events(deps, cid)) == before
    assert conv(deps, cid)["agent_id"] == ann.id
    assert load(deps, ann) == 1 and load(deps, bob) == 0


def test_a_full_agent_is_an_agent_conflict_and_writes_nothing(deps, nobot):  # noqa: F811
    ann = make_agent(deps, "Ann", capacity=1, online=False)
    drain_queues(deps)
    s1, _ = visitor_chat(deps)
    s2, _ = visitor_chat(deps)
    first, second = deps.waiting.waiting("_default")[:2]
    a = deps.agents.update(ann.id, {"status": "online"})
    routing.assign_to(deps, first, a, expect_queue="_default", agent_conns=[])
    rev = conv(deps, second["conversation_id"])["rev"]
    events = len(_events(deps, second["conversation_id"]))
    with pytest.raises(AssignmentConflict) as err:
        routing.assign_to(deps, second, a, expect_queue="_default", agent_conns=[])
    assert err.value.part == "agent"
    c = conv(deps, second["conversation_id"])
    assert c["status"] == "queued" and c["rev"] == rev
    assert len(_events(deps, second["conversation_id"])) == events
    assert load(deps, ann) == 1


def test_a_request_transition_that_lost_a_race_is_decided_again_not_refused(deps, nobot):  # noqa: F811
    """An agent joins a chat whose first visitor message (new -> open) lands between the
    join's read and its write: the join re-reads and lands (it used to answer 409)."""
    from chalicelib.domain import conversation as transition
    from chalicelib.domain.actors import Actor
    from chalicelib.services import sessions, transitions
    ann = make_agent(deps, "Ann", online=False)
    s = sessions.start_session(deps, {"site_key": "nobot"})
    cid = s["conversation_id"]
    stale = conv(deps, cid)
    assert stale["status"] == "new"
    visitor = Actor(kind="visitor", id=s["visitor_id"], site_key="nobot")
    convs.post_message(deps, visitor, cid, {"client_message_id": "m1", "text": "hello?"})
    assert conv(deps, cid)["status"] != "new"
    fresh = transitions.apply_or_409(deps, stale, lambda c: transition.join(c, ann.id, "Ann"))
    assert ann.id in fresh["participants"]
    assert [m["event"]["kind"] for m in _events(deps, cid)].count("joined") == 1
    # a transition that no longer applies after the re-read is refused with its own code
    deps.waiting.move(cid, (conv(deps, cid)["status"],), set_fields={"status": "closed"})
    from chalicelib.errors import Conflict
    with pytest.raises(Conflict) as refused:
        transitions.apply_or_409(deps, fresh, lambda c: transition.join(c, ann.id, "Ann"))
    assert refused.value.code == "conversation_closed"

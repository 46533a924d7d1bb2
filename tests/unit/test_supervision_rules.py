"""Live supervision rules (chalicelib/domain/supervision.py) and the private message types,
no AWS."""
import pytest

from chalicelib.domain import supervision as rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.events import from_message
from chalicelib.domain.messages import visible_to_visitor
from chalicelib.errors import AppError

SUE = Actor(kind="agent", id="sue", role="supervisor")
ANN = Actor(kind="agent", id="ann", role="agent")


def test_only_supervisors_act_and_not_on_closed_chats():
    assert rules.supervise({"status": "assigned"}, SUE) is None
    assert rules.supervise({"status": "assigned"}, ANN)[1] == "not_supervisor"
    assert rules.supervise({"status": "closed"}, SUE)[1] == "conversation_closed"
    assert rules.supervise({"status": "closed"}, SUE, live=False) is None


def test_watchers_expire_by_their_own_time():
    attrs = {"watch:sue": 2000, "watch:max": 999, "watch:bad": "x", "agent_name": "Ann",
             rules.watch_key("zoe"): 5000}
    assert rules.watchers(attrs, 1000) == ["sue", "zoe"]
    assert rules.watchers(attrs, 2000) == ["zoe"]
    assert rules.watchers(None, 0) == []


def test_whisper_and_option_parsing():
    assert rules.parse_whisper({"client_message_id": "w1", "text": " hi "})["text"] == " hi "
    for body, code in [({"client_message_id": "w1", "text": "  "}, "empty_message"),
                       ({"text": "hi"}, "missing_field"),
                       ({"client_message_id": "w1", "text": "hi", "note": True},
                        "unknown_field")]:
        with pytest.raises(AppError) as info:
            rules.parse_whisper(body)
        assert info.value.code == code
    assert rules.parse_barge_in({}) == {"keep_agent": True}
    assert rules.parse_barge_in({"keep_agent": False}) == {"keep_agent": False}
    assert rules.parse_watch({}) is True and rules.parse_watch({"watch": False}) is False


def test_a_whisper_is_private_everywhere_a_note_is():
    row = {"conversation_id": "c1", "seq": 4, "type": "whisper", "sender_type": "agent",
           "sender_id": "sue", "sender_name": "Sue", "text": "psst", "created_at": 1,
           "message_id": "m4", "ctx": {"site_key": "demo"}}
    assert not visible_to_visitor(row) and not visible_to_visitor({**row, "type": "note"})
    assert visible_to_visitor({**row, "type": "text"})
    (env,) = from_message(row)
    assert env["type"] == "message.created" and env["data"]["private"] is True

"""chalicelib/domain/events.py: every catalogue event from a stream record, stable ids."""
import copy
import json

import pytest
from boto3.dynamodb.types import TypeSerializer

from chalicelib.domain import events

_ser = TypeSerializer()
CID = "c_1"
CTX = {"site_key": "demo", "visitor_id": "v_1", "channel": "web", "team": "sales",
       "agent_id": "a_9", "status": "assigned", "queue_key": "sales"}


def ddb(item: dict) -> dict:
    return {k: _ser.serialize(v) for k, v in item.items() if v is not None}


def record(name: str, new: dict | None = None, old: dict | None = None) -> dict:
    change = {"Keys": {}, "SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        change["NewImage"] = ddb(new)
    if old is not None:
        change["OldImage"] = ddb(old)
    return {"eventID": "e1", "eventName": name, "eventSource": "aws:dynamodb",
            "dynamodb": change}


def message_row(seq=7, **fields) -> dict:
    row = {"conversation_id": CID, "seq": seq, "message_id": f"m{seq}", "created_at": 1000 + seq,
           "ctx": json.dumps(CTX)}
    row.update(fields)
    return row


def system_row(kind, seq=7, text=None, **data) -> dict:
    return message_row(seq, type="event", sender_type="system", text=text,
                       event=json.dumps({"kind": kind, **data}))


def one(table, rec) -> dict:
    out = events.from_stream_record(table, rec)
    assert len(out) == 1, out
    return out[0]


def test_visitor_text_message_is_message_created_with_the_write_context():
    ev = one("messages", record("INSERT", message_row(
        3, type="text", sender_type="visitor", sender_id="v_1", sender_name="Vic",
        text="hello", client_message_id="x1")))
    assert ev == {
        "id": f"msg:{CID}:3", "type": "message.created", "version": 1, "at": 1003,
        "site_key": "demo", "conversation_id": CID, "seq": 3,
        "conversation": {"visitor_id": "v_1", "channel": "web", "team": "sales",
                         "agent_id": "a_9", "status": "assigned"},
        "data": {"message_id": "m3", "sender": {"type": "visitor", "id": "v_1", "name": "Vic"},
                 "kind": "text", "private": False, "text": "hello"}}


def test_note_is_private_and_attachment_carries_metadata_not_the_key():
    note = one("messages", record("INSERT", message_row(
        4, type="note", sender_type="agent", sender_id="a_9", sender_name="Ann", text="vip")))
    assert note["data"]["kind"] == "note" and note["data"]["private"] is True
    att = one("messages", record("INSERT", message_row(
        5, type="attachment", sender_type="visitor", sender_id="v_1",
        attachment=json.dumps({"key": "attachments/c_1/abcdefgh/a.png", "name": "a.png",
                               "content_type": "image/png", "size": 12}))))
    assert att["data"]["attachment"] == {"name": "a.png", "content_type": "image/png",
                                         "size": 12}
    assert att["data"]["kind"] == "attachment" and att["data"]["private"] is False


def test_bot_reply_is_a_message_from_the_bot():
    ev = one("messages", record("INSERT", message_row(
        6, type="text", sender_type="bot", sender_id="bot", sender_name="Bot", text="Hi")))
    assert ev["type"] == "message.created"
    assert ev["data"]["sender"] == {"type": "bot", "id": "bot", "name": "Bot"}


@pytest.mark.parametrize("kind,data,type_,expected", [
    ("queued", {"reason": "bot_miss"}, "conversation.queued",
     {"reason": "bot_miss", "queue_key": "sales"}),
    ("offline", {"reason": "no_agents"}, "conversation.offline_offered", {"reason": "no_agents"}),
    ("offline", {"reason": "closed"}, "conversation.offline_offered", {"reason": "closed"}),
    ("offline", {"reason": "left_message"}, "conversation.message_left",
     {"reason": "left_message"}),
    ("assigned", {"agent_id": "a_9", "agent_name": "Ann"}, "conversation.assigned",
     {"agent_id": "a_9", "agent_name": "Ann"}),
    ("transferred", {"agent_id": "a_2", "agent_name": "Bo", "from_agent_id": "a_9"},
     "conversation.transferred", {"agent_id": "a_2", "agent_name": "Bo", "from_agent_id": "a_9"}),
    ("transferred", {"from_agent_id": "a_9", "team": "billing"}, "conversation.transferred",
     {"from_agent_id": "a_9", "team": "billing"}),
    ("joined", {"agent_id": "a_3", "agent_name": "Cy"}, "conversation.joined",
     {"agent_id": "a_3", "agent_name": "Cy"}),
    ("left", {"agent_id": "a_3", "agent_name": "Cy"}, "conversation.left",
     {"agent_id": "a_3", "agent_name": "Cy"}),
    ("closed", {"reason": "idle", "by": "system"}, "conversation.closed",
     {"reason": "idle", "by": "system"}),
    ("reopened", {"agent_id": "a_9", "agent_name": "Ann"}, "conversation.reopened",
     {"agent_id": "a_9", "agent_name": "Ann"}),
])
def test_system_events_map_to_named_events(kind, data, type_, expected):
    ev = one("messages", record("INSERT", system_row(kind, seq=9, **data)))
    assert ev["id"] == f"msg:{CID}:9"
    assert ev["type"] == type_ and ev["data"] == expected
    assert ev["at"] == 1009 and ev["site_key"] == "demo" and ev["seq"] == 9


def test_rating_carries_score_and_comment():
    ev = one("messages", record("INSERT", system_row("rated", text="quick, thanks", score=5)))
    assert ev["type"] == "conversation.rated"
    assert ev["data"] == {"score": 5, "comment": "quick, thanks"}


def test_other_rows_and_changes_are_not_named_events():
    for row in (system_row("handoff"), system_row("timeout"), system_row("flow_step"),
                message_row(type="event", sender_type="system", event=None)):
        assert events.from_stream_record("messages", record("INSERT", row)) == []
    text = message_row(type="text", sender_type="visitor", text="hi")
    assert events.from_stream_record("messages", record("MODIFY", text, text)) == []
    assert events.from_stream_record("messages", record("REMOVE", None, text)) == []
    assert events.from_stream_record("connections", record("INSERT", text)) == []


def conversation(rev=0, **fields) -> dict:
    row = {"conversation_id": CID, "site_key": "demo", "visitor_id": "v_1", "channel": "web",
           "status": "new", "team": None, "last_seq": 0, "rev": rev, "created_at": 500,
           "updated_at": 500 + rev, "attrs": {"created_at": 500, "page_url": "https://x/p"},
           "reads": {}, "typing": {}}
    row.update(fields)
    return row


def test_conversation_insert_is_conversation_created():
    ev = one("conversations", record("INSERT", conversation()))
    assert ev == {
        "id": f"conv:{CID}:0:conversation.created", "type": "conversation.created",
        "version": 1, "at": 500, "site_key": "demo", "conversation_id": CID, "seq": 0,
        "conversation": {"visitor_id": "v_1", "channel": "web", "team": None,
                         "agent_id": None, "status": "new"},
        "data": {"visitor_id": "v_1", "channel": "web", "page_url": "https://x/p"}}


def test_tag_change_is_conversation_tagged_and_other_changes_are_nothing():
    old = conversation(rev=4, tags={"vip"}, status="assigned", agent_id="a_9")
    new = conversation(rev=5, tags={"refund", "late"}, status="assigned", agent_id="a_9")
    ev = one("conversations", record("MODIFY", new, old))
    assert ev["id"] == f"conv:{CID}:5:conversation.tagged"
    assert ev["at"] == 505 and ev["conversation"]["agent_id"] == "a_9"
    assert ev["data"] == {"tags": ["late", "refund"], "added": ["late", "refund"],
                          "removed": ["vip"]}
    cleared = one("conversations", record("MODIFY", conversation(rev=6), new))
    assert cleared["data"] == {"tags": [], "added": [], "removed": ["late", "refund"]}
    moved = conversation(rev=7, tags={"vip"}, status="closed")
    assert events.from_stream_record("conversations", record("MODIFY", moved, old)) == []
    assert events.from_stream_record("conversations", record("REMOVE", None, old)) == []


def test_a_redelivered_record_yields_the_same_events_and_ids():
    recs = [("messages", record("INSERT", system_row("assigned", agent_id="a", agent_name="A"))),
            ("messages", record("INSERT", message_row(8, type="text", sender_type="visitor"))),
            ("conversations", record("INSERT", conversation())),
            ("conversations", record("MODIFY", conversation(rev=2, tags={"a"}),
                                     conversation(rev=1)))]
    for table, rec in recs:
        first = events.from_stream_record(table, rec)
        again = events.from_stream_record(table, copy.deepcopy(rec))
        assert first == again and first
    ids = [e["id"] for t, r in recs for e in events.from_stream_record(t, r)]
    assert len(set(ids)) == len(ids)


def test_rows_written_before_ctx_existed_still_give_an_event():
    row = message_row(type="text", sender_type="visitor", text="old")
    row.pop("ctx")
    ev = one("messages", record("INSERT", row))
    assert ev["site_key"] is None and ev["conversation"]["status"] is None


def test_context_snapshot_applies_the_writes_own_updates():
    conv = conversation(status="new", team="sales", queue_key=None)
    snap = events.context_snapshot(conv, {"status": "open", ("attrs", "first"): 1})
    assert snap == {"site_key": "demo", "visitor_id": "v_1", "channel": "web",
                    "team": "sales", "status": "open"}


def test_dynamodb_json_values():
    assert events.plain({"N": "3"}) == 3 and events.plain({"N": "2.5"}) == 2.5
    assert events.plain({"M": {"a": {"L": [{"BOOL": True}, {"NULL": True}]}}}) == \
        {"a": [True, None]}
    assert events.plain({"SS": ["b", "a"]}) == ["a", "b"]
    assert events.plain({"NS": ["2", "1"]}) == [1, 2]
    with pytest.raises(ValueError):
        events.plain({"X": 1})

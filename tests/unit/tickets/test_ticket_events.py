"""ticket.* events from the tickets table's stream: only history INSERTs carry events, ids are
stable, the same record gives the same events (pure, no AWS)."""
import json

from chalicelib.domain import events


def record(name, item):
    def ddb(v):
        if isinstance(v, str):
            return {"S": v}
        return {"N": str(v)}
    return {"eventName": name, "dynamodb": {"NewImage": {k: ddb(v) for k, v in item.items()}}}


HISTORY = {"pk": "t#t_1", "sk": "h#00000002#h_9", "kind": "history", "site_key": "demo",
           "data": json.dumps({"id": "h_9", "at": 1764460800000, "action": "updated",
                               "by": {"type": "agent", "id": "a_1", "name": "Ann"},
                               "ticket": {"number": 1001, "status": "open"},
                               "events": [{"type": "ticket.updated",
                                           "data": {"changes": {"priority": ["normal",
                                                                             "high"]}}},
                                          {"type": "ticket.status_changed",
                                           "data": {"from": "new", "to": "open"}},
                                          {"type": "not.a.ticket.event", "data": {}}]})}


def test_history_insert_gives_its_events_with_stable_ids():
    out = events.from_stream_record("tickets", record("INSERT", HISTORY))
    assert [e["type"] for e in out] == ["ticket.updated", "ticket.status_changed"]
    assert [e["id"] for e in out] == ["tkt:t_1:h_9:0", "tkt:t_1:h_9:1"]
    first = out[0]
    assert first["ticket_id"] == "t_1" and first["site_key"] == "demo"
    assert first["at"] == 1764460800000 and first["by"]["id"] == "a_1"
    assert first["data"] == {"changes": {"priority": ["normal", "high"]}}
    assert events.from_stream_record("tickets", record("INSERT", HISTORY)) == out


def test_other_items_and_modifies_give_nothing():
    ticket = {**HISTORY, "sk": "ticket", "kind": "ticket"}
    assert events.from_stream_record("tickets", record("INSERT", ticket)) == []
    assert events.from_stream_record("tickets", record("MODIFY", HISTORY)) == []
    assert events.from_stream_record("tickets", record("REMOVE", HISTORY)) == []

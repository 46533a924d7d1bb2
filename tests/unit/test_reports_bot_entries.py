"""Per-entry bot figures as report metrics (dimension "k:{entry}"), without AWS: what a bot
reply's ``data.bot`` counts, the entry a handoff or a bot-only close is put on, and the same
totals whatever the delivery order or redelivery."""
import random

from chalicelib.domain import events
from chalicelib.domain import report_rollup as rollup
from chalicelib.domain import reports as metrics
from chalicelib.services.reports import consumer
from tests.unit.test_reports_core import MIN, T0, deps_for


def env(cid, seq, type_, data=None, at=None):
    return {"id": f"msg:{cid}:{seq}", "type": type_, "version": 1, "at": at or T0 + seq * MIN,
            "site_key": "demo", "conversation_id": cid, "seq": seq,
            "conversation": {"channel": "web", "status": "open"}, "data": data or {}}


def visitor(cid, seq, text="?"):
    return env(cid, seq, "message.created", {"sender": {"type": "visitor"}, "kind": "text",
                                             "text": text})


def bot(cid, seq, kind, entry=None, offered=()):
    extra = {"kind": kind, "entry_id": entry,
             "suggestions": [{"id": i, "question": i.upper()} for i in offered]}
    return env(cid, seq, "message.created", {"sender": {"type": "bot"}, "kind": "text",
                                             "bot": events.bot_data(extra)})


def entries(deps, day="2026-01-01"):
    items = list(deps.reports.days("demo", [day]).values())
    return {k: rollup.collect(items, "k:" + k)["counters"] for k in rollup.dim_values(items, "k")}


def chats():
    return [
        # answered, then a person: the handoff is the last answer's
        [env("c1", 0, "conversation.created"), visitor("c1", 1), bot("c1", 2, "answer", "price"),
         visitor("c1", 3), bot("c1", 4, "answer", "trial"),
         env("c1", 5, "conversation.queued", {"reason": "visitor_request"})],
        # offered three, the visitor clicked the first, answered, closed by the bot alone
        [env("c2", 0, "conversation.created"), visitor("c2", 1),
         bot("c2", 2, "suggest", None, ("refund", "price", "cancel")), visitor("c2", 3),
         bot("c2", 4, "answer", "refund"),
         env("c2", 5, "conversation.closed", {"reason": "closed", "by": "visitor"})],
        # a fallback and a handoff with no answer before: no entry is blamed
        [env("c3", 0, "conversation.created"), visitor("c3", 1), bot("c3", 2, "fallback"),
         env("c3", 3, "conversation.queued", {"reason": "bot_miss"})],
    ]


EXPECTED = {
    "price": {"answered": 1, "offered": 1},
    "trial": {"answered": 1, "handed_off": 1},
    "refund": {"answered": 1, "offered": 1, "offered_first": 1, "resolved": 1},
    "cancel": {"offered": 1},
}


def test_each_entry_gets_what_its_replies_did():
    deps = deps_for()
    for chat in chats():
        for e in chat:
            consumer.handle(deps, e)
    assert entries(deps) == EXPECTED


def test_any_order_and_redelivery_end_with_the_same_figures():
    rnd = random.Random(7)
    for _ in range(5):
        deps = deps_for()
        stream = [e for chat in chats() for e in chat]
        stream += rnd.sample(stream, 6)          # redelivered
        rnd.shuffle(stream)
        for e in stream:
            consumer.handle(deps, e)
        assert entries(deps) == EXPECTED


def test_the_event_carries_what_the_bot_did_and_nothing_for_other_senders():
    assert events.bot_data({"kind": "suggest", "entry_id": None, "confidence": 0.4,
                            "suggestions": [{"id": "a", "question": "A"}, {"bad": 1}, "x"]}) == \
        {"kind": "suggest", "entry_id": None, "suggestions": ["a"]}
    assert events.bot_data(None) is None and events.bot_data({"kind": ""}) is None
    row = {"conversation_id": "c1", "seq": 2, "type": "text", "sender_type": "bot",
           "message_id": "m", "text": "hi", "created_at": T0,
           "ctx": '{"site_key": "demo"}', "extra": '{"kind": "answer", "entry_id": "price"}'}
    [event] = events.from_message(row)
    assert event["data"]["bot"] == {"kind": "answer", "entry_id": "price", "suggestions": []}
    [event] = events.from_message({**row, "sender_type": "agent"})
    assert "bot" not in event["data"]
    # an answer's related entries are not "offered": only a suggest turn offers
    fact = metrics.fact_of(bot("c9", 2, "answer", "price", ("trial",)))
    assert fact["e"] == "price" and "sg" not in fact

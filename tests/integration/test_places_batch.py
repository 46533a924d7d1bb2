"""Places in line are written in one transaction per 100 chats (ConversationRepo.set_places):
a chat that left the line is left out, the others still written."""
from chalicelib.services import positions, routing
from chalicelib.services.views import conversation_view
from tests.helpers.aws import AwsCallCounter, drain_queues
from tests.integration.test_queue import conv, make_agent, nobot, visitor_chat  # noqa: F401


def test_a_run_writes_all_changed_places_in_one_transaction(deps, nobot, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PARLEY_POSITION_WINDOW_SECONDS", "0")
    ids = [visitor_chat(deps)[0]["conversation_id"] for _ in range(12)]
    drain_queues(deps)
    make_agent(deps, "Ann", capacity=5)
    assert routing.assign_next(deps, "_default") == 5
    with AwsCallCounter(deps) as counter:
        assert positions.on_positions(deps, {"queue_key": "_default", "after": 10**14}) == 7
    ddb = [c for c in counter.calls if c.startswith("dynamodb:")]
    assert ddb.count("dynamodb:TransactWriteItems") == 1
    assert "dynamodb:UpdateItem" not in ddb
    assert [conv(deps, c)["attrs"]["queue_position"] for c in ids[5:]] == list(range(1, 8))


def test_a_chat_that_left_the_line_is_left_out_and_the_others_written(deps, nobot):  # noqa: F811
    ids = [visitor_chat(deps)[0]["conversation_id"] for _ in range(4)]
    drain_queues(deps)
    make_agent(deps, "Ann", capacity=1)
    assert routing.assign_next(deps, "_default") == 1      # ids[0] is no longer queued
    written = deps.conversations.set_places([(c, n, 60 * n) for n, c in enumerate(ids)],
                                            at=1234)
    assert written == ids[1:]
    assert conv(deps, ids[0])["attrs"].get("queue_position") == 0
    assert [conv(deps, c)["attrs"]["queue_position"] for c in ids[1:]] == [1, 2, 3]
    assert [conv(deps, c)["attrs"]["estimated_wait"] for c in ids[1:]] == [60, 120, 180]
    # when each place was stored: the visitor's view carries it (the widget keeps the newest)
    view = conversation_view(conv(deps, ids[1]), for_agent=False)
    assert (view["queue_position"], view["queue_position_at"]) == (1, 1234)


def test_more_than_a_hundred_places_take_one_transaction_per_hundred(deps, nobot):  # noqa: F811
    ids = [visitor_chat(deps)[0]["conversation_id"] for _ in range(101)]
    with AwsCallCounter(deps) as counter:
        written = deps.conversations.set_places([(c, n + 1, 0) for n, c in enumerate(ids)])
    assert written == ids
    assert counter.calls.count("dynamodb:TransactWriteItems") == 2
    assert conv(deps, ids[100])["attrs"]["queue_position"] == 101


def test_an_assignment_pass_asks_for_the_places_of_its_lines_at_once(deps, nobot,  # noqa: F811
                                                                      monkeypatch):
    """No window wait after a pass: its changes are gathered already."""
    from chalicelib.services import tasks
    for _ in range(3):
        visitor_chat(deps)
    drain_queues(deps)
    make_agent(deps, "Ann", capacity=1)
    published = []
    real = tasks.publish

    def spy(deps_, kind, body, **kw):
        published.append((kind, body, kw.get("delay", 0)))
        return real(deps_, kind, body, **kw)

    monkeypatch.setattr(tasks, "publish", spy)
    assert routing.assign_next(deps, "_default") == 1
    runs = [(b["queue_key"], d) for k, b, d in published if k == "positions"]
    assert runs == [("_default", 0)]

"""An assignment pass writes many moves in one transaction (services/fill.py), on moto: the
transactions it costs, and every race between its read and its write: a chat that changed
(a place in line), a chat someone else took, an agent who left, a capacity lowered, a close
that made room. Each ends with exact loads and one "assigned" event per chat."""
import pytest

from chalicelib.services import lifecycle, presence, routing, sites
from tests.helpers.aws import AwsCallCounter, drain_queues
from tests.integration.test_queue import conv, load, make_agent
from tests.integration.test_routing_load import handoff, published


@pytest.fixture(autouse=True)
def nobot(deps):
    """The site of test_routing_load's handoff(): no bot, so a handoff queues at once; its
    visitors may ask for the billing team."""
    deps.directory.create("team", "billing", {"name": "Billing"})
    return sites.create_site(deps, "nobot", "No bot", {"bot_enabled": False,
                                                       "teams": ["billing"]})


def waiting_floor(deps, agents: int, capacity: int, chats: int):
    """`agents` away agents of `capacity`, `chats` queued chats (in line order), then the
    agents online (stored only: no pass runs until the test runs one)."""
    made = [make_agent(deps, f"F{i}", capacity=capacity) for i in range(agents)]
    for a in made:
        presence.set_status(deps, a, {"status": "away"})
    drain_queues(deps)
    order = [handoff(deps)[0] for _ in range(chats)]
    drain_queues(deps)
    for a in made:
        deps.agents.update(a.id, {"status": "online"})
    return made, order


def assigned_events(deps, cid) -> int:
    return [m["event"]["kind"] for m in deps.messages.after(cid, 0)
            if m["type"] == "event"].count("assigned")


def check_exact(deps, agents, order):
    """Loads equal what is held, nobody over capacity, one assigned event per chat."""
    held = {a.id: 0 for a in agents}
    for cid in order:
        c = conv(deps, cid)
        if c["status"] == "assigned":
            held[c["agent_id"]] += 1
            assert assigned_events(deps, cid) == 1
        else:                               # waiting, or held and closed since
            assert assigned_events(deps, cid) == (c["status"] == "closed")
    for a in agents:
        assert load(deps, a) == held[a.id] <= deps.agents.get(a.id)["capacity"]
    return held


def test_a_pass_filling_36_slots_is_one_transaction(deps):
    agents, order = waiting_floor(deps, 12, 3, 40)
    with AwsCallCounter(deps) as counter:
        assert routing.assign_pass(deps, ["_default"]) == 36
    writes = [c for c in counter.calls if c == "dynamodb:TransactWriteItems"]
    assert len(writes) == 1
    assert [conv(deps, c)["status"] for c in order] == ["assigned"] * 36 + ["queued"] * 4
    assert sorted(check_exact(deps, agents, order).values()) == [3] * 12
    stamps = [conv(deps, c)["attrs"]["assigned_at"] for c in order[:36]]
    assert stamps == sorted(stamps)


def test_more_moves_than_one_transaction_holds_go_in_line_order(deps):
    agents, order = waiting_floor(deps, 10, 5, 50)
    with AwsCallCounter(deps) as counter:
        assert routing.assign_pass(deps, ["_default"]) == 50
    assert counter.calls.count("dynamodb:TransactWriteItems") == 2      # 40, then 10
    check_exact(deps, agents, order)
    stamps = [conv(deps, c)["attrs"]["assigned_at"] for c in order]
    assert stamps == sorted(stamps)


def racing(deps, monkeypatch, before_write):
    """Run `before_write()` once, between the pass's read and its first transaction."""
    real = deps.waiting.assign_many
    calls = []

    def once(moves, capacity):
        if not calls:
            before_write(moves)
        calls.append(len(moves))
        return real(moves, capacity)
    monkeypatch.setattr(deps.waiting, "assign_many", once)
    return calls


def test_a_chat_that_changed_since_the_read_is_read_again_and_assigned(deps, monkeypatch):
    agents, order = waiting_floor(deps, 2, 2, 5)
    # a place-in-line write moves the second chat's rev after the pass read it
    calls = racing(deps, monkeypatch, lambda moves: deps.conversations.set_places(
        [(order[1], 2, 60)]))
    assert routing.assign_pass(deps, ["_default"]) == 4
    assert calls == [4, 4]                  # cancelled whole, then written whole
    assert [conv(deps, c)["status"] for c in order] == ["assigned"] * 4 + ["queued"]
    check_exact(deps, agents, order)


def test_a_chat_taken_meanwhile_is_dropped_and_the_next_in_line_gets_the_slot(deps,
                                                                              monkeypatch):
    agents, order = waiting_floor(deps, 2, 2, 6)
    other = make_agent(deps, "Other", capacity=1)

    def someone_takes_it(moves):
        routing.assign_to(deps, conv(deps, order[0]), deps.agents.get(other.id))
    calls = racing(deps, monkeypatch, someone_takes_it)
    sent = published(monkeypatch)
    assert routing.assign_pass(deps, ["_default"]) == 4
    assert calls == [5, 4]
    assert ("assign", {"queue_keys": ["_default"]}, 0) in sent    # another pass looks
    assert conv(deps, order[0])["agent_id"] == other.id
    assert [conv(deps, c)["status"] for c in order[1:]] == ["assigned"] * 4 + ["queued"]
    held = check_exact(deps, agents + [other], order)
    assert held[other.id] == 1


def test_an_agent_who_left_meanwhile_takes_nothing_and_the_others_fill(deps, monkeypatch):
    agents, order = waiting_floor(deps, 3, 2, 6)
    gone = agents[0]
    calls = racing(deps, monkeypatch,
                   lambda moves: deps.agents.update(gone.id, {"status": "away"}))
    assert routing.assign_pass(deps, ["_default"]) == 4
    assert calls == [6, 4]                  # cancelled, then planned without them
    # the oldest four were placed with the two who stayed: first come, first served
    assert [conv(deps, c)["status"] for c in order] == ["assigned"] * 4 + ["queued"] * 2
    held = check_exact(deps, agents, order)
    assert held[gone.id] == 0


def test_a_capacity_lowered_meanwhile_is_never_overfilled(deps, monkeypatch):
    agents, order = waiting_floor(deps, 2, 3, 6)
    small = agents[1]
    calls = racing(deps, monkeypatch,
                   lambda moves: deps.agents.update(small.id, {"capacity": 1}))
    assert routing.assign_pass(deps, ["_default"]) == 3
    assert calls == [6, 3]
    held = check_exact(deps, agents, order)
    assert held == {agents[0].id: 3, small.id: 0}


def test_a_close_meanwhile_only_makes_room(deps, monkeypatch):
    agents, order = waiting_floor(deps, 1, 3, 5)
    ann = agents[0]
    routing.assign_pass(deps, ["_default"])                 # 3 held, 2 waiting
    lifecycle.close(deps, ann, order[1])                    # one slot free: the pass takes 1
    calls = racing(deps, monkeypatch, lambda moves: lifecycle.close(deps, ann, order[0]))
    assert routing.assign_pass(deps, ["_default"]) == 1
    assert calls == [1]                      # the close did not cancel the transaction
    assert conv(deps, order[3])["status"] == "assigned"
    held = check_exact(deps, agents, order)
    assert held[ann.id] == 2


def test_chats_that_ask_during_a_round_are_taken_by_another_round_of_the_pass(deps,
                                                                            monkeypatch):
    agents, order = waiting_floor(deps, 2, 3, 2)            # 6 slots, 2 waiting
    real, late, rounds = deps.waiting.assign_many, [], []

    def then_two_more_ask(moves, capacity):
        rounds.append(len(moves))
        out = real(moves, capacity)
        if not late:
            late.extend(handoff(deps)[0] for _ in range(2))
        return out
    monkeypatch.setattr(deps.waiting, "assign_many", then_two_more_ask)
    assert routing.assign_pass(deps, ["_default"]) == 4
    assert rounds == [2, 2]                  # the first round's 2, then the 2 who asked
    assert [conv(deps, c)["status"] for c in order + late] == ["assigned"] * 4
    check_exact(deps, agents, order + late)


def test_a_pass_that_filled_every_slot_reads_no_more(deps):
    agents, order = waiting_floor(deps, 2, 2, 6)
    with AwsCallCounter(deps) as counter:
        assert routing.assign_pass(deps, ["_default"]) == 4
    queries = [c for c in counter.calls if c == "dynamodb:Query"]
    assert len(queries) == 3     # the agents online, the line, the agent connections: no
    #                              second read of the line once the slots are full


def test_a_pass_woken_for_one_line_takes_the_other_lines_its_free_agents_serve(deps):
    ann = make_agent(deps, "Ann", capacity=3, teams=["billing"], online=False)
    general = [handoff(deps)[0] for _ in range(2)]
    billing, _ = handoff(deps, "billing")
    drain_queues(deps)
    deps.agents.update(ann.id, {"status": "online"})
    # woken for billing only (say its wake-up came first): billing's line is empty after
    # the first round and Ann has room, so the next round reads the general line too
    assert routing.assign_pass(deps, ["billing"]) == 3
    assert all(conv(deps, c)["agent_id"] == ann.id for c in [billing] + general)
    check_exact(deps, [ann], [billing] + general)

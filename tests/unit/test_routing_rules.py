"""Routing rules without AWS: capacity-weighted balance, merging queue heads in line order,
priorities as data, the place-in-line order, wait estimates from measured handle times."""
import pytest

from chalicelib.domain import assignment as p


def agent(i, active=0, cap=5, last=0, teams=()):
    return {"agent_id": f"a{i}", "active_count": active, "capacity": cap,
            "last_assigned_at": last, "status": "online", "teams": list(teams)}


def chat(cid, key, order):
    return {"conversation_id": cid, "queue_key": key, "queued_at": order}


def test_balance_is_by_load_relative_to_capacity():
    # 2 of 6 is less busy than 1 of 2, although it is more chats
    agents = [agent(1, active=1, cap=2), agent(2, active=2, cap=6)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE)["agent_id"] == "a2"


def test_free_slots_count_only_agents_serving_the_queue():
    agents = [agent(1, active=1, cap=3), agent(2, active=0, cap=2, teams=["billing"]),
              {**agent(3, cap=4), "status": "away"}]
    assert p.free_slots(agents, p.DEFAULT_QUEUE) == 4
    assert p.free_slots(agents, "billing") == 2
    assert p.free_slots(agents, "tech") == 0


def test_merging_queue_heads_keeps_each_queue_in_order_and_oldest_first_across():
    lines = {"_default": [chat("d1", "_default", 10), chat("d2", "_default", 40)],
             "billing": [chat("b1", "billing", 20), chat("b2", "billing", 30)]}
    assert [c["conversation_id"] for c in p.merge_lines(lines)] == ["d1", "b1", "b2", "d2"]
    assert p.merge_lines({}) == []


def test_priorities_are_seconds_ahead_in_line_summed_and_capped():
    prio = {"vip": 600, "returning": 60, "channels": {"whatsapp": 30}}
    assert p.priority_boost(prio) == 0
    assert p.priority_boost(prio, vip=True) == 600
    assert p.priority_boost(prio, vip=True, returning=True, channel="whatsapp") == 690
    assert p.priority_boost(None, vip=True) == 0
    assert p.priority_boost({"vip": 86400, "returning": 86400}, vip=True,
                            returning=True) == p.MAX_BOOST_SECONDS
    # a VIP asking at t=1000 s is placed as if it had asked at t=400 s; two chats of one
    # priority keep their arrival order
    assert p.line_order(1_000_000, 600) == 400_000
    assert p.line_order(1_000_000, 0) < p.line_order(1_000_001, 0)


@pytest.mark.parametrize("bad", [[], {"gold": 1}, {"vip": -1}, {"vip": True},
                                 {"vip": 86401}, {"channels": []},
                                 {"channels": {"web": "5"}}, {"channels": {"": 5}}])
def test_bad_priorities_name_the_field(bad):
    with pytest.raises(ValueError) as err:
        p.validate_priorities(bad)
    assert str(err.value).startswith("priorities")


def test_good_priorities_pass():
    assert p.validate_priorities(None) is None
    ok = {"vip": 0, "returning": 120, "channels": {"web": 10}}
    assert p.validate_priorities(ok) == ok


def test_wait_estimate_uses_all_slots_and_the_measured_handle_time():
    # third in line, no free slot, 2 agents with 6 slots, 120 s per chat: 3 * 120 / 6
    assert p.estimate_wait_seconds(3, 2, 120, free_slots=0, slots=6) == 60
    assert p.estimate_wait_seconds(2, 2, 120, free_slots=2, slots=6) == 0
    assert p.estimate_wait_seconds(3, 0, 120) == 360            # nobody online: one lane


def test_rolling_handle_time_moves_a_tenth_of_the_way():
    assert p.handle_average(None, 100_000) == 100_000
    assert p.handle_average(100_000, 200_000) == 110_000
    assert p.handle_average(100_000, -5) == 90_000

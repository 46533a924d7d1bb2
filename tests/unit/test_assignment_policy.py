"""Assignment policy, business hours and wait estimates: pure functions, no AWS."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain import assignment as p


def agent(i, active=0, cap=5, last=0, status="online", teams=(), disabled=False):
    return {"agent_id": f"a{i}", "active_count": active, "capacity": cap,
            "last_assigned_at": last, "status": status, "teams": list(teams),
            "disabled": disabled}


def test_least_loaded_wins():
    agents = [agent(1, active=3), agent(2, active=1), agent(3, active=2)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE)["agent_id"] == "a2"


def test_ties_go_to_who_waited_longest_since_last_assignment():
    agents = [agent(1, active=1, last=300), agent(2, active=1, last=100),
              agent(3, active=1, last=200)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE)["agent_id"] == "a2"


def test_offline_away_disabled_and_full_agents_are_never_picked():
    agents = [agent(1, status="away"), agent(2, status="offline"), agent(3, disabled=True),
              agent(4, active=5, cap=5), agent(5, cap=0)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE) is None
    agents.append(agent(6, active=4, cap=5))
    assert p.pick_agent(agents, p.DEFAULT_QUEUE)["agent_id"] == "a6"


def test_team_routing_needs_membership_but_everyone_serves_the_general_queue():
    agents = [agent(1, active=0), agent(2, active=2, teams=["billing"])]
    assert p.pick_agent(agents, "billing")["agent_id"] == "a2"
    assert p.pick_agent(agents, "tech") is None
    assert p.pick_agent(agents, p.DEFAULT_QUEUE)["agent_id"] == "a1"
    assert p.queues_of(agents[1]) == [p.DEFAULT_QUEUE, "billing"]


def test_returning_visitor_prefers_previous_agent_when_available():
    agents = [agent(1, active=0), agent(2, active=3)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE, previous_agent_id="a2")["agent_id"] == "a2"
    agents[1]["status"] = "away"
    assert p.pick_agent(agents, p.DEFAULT_QUEUE, previous_agent_id="a2")["agent_id"] == "a1"
    agents[1].update(status="online", active_count=5)
    assert p.pick_agent(agents, p.DEFAULT_QUEUE, previous_agent_id="a2")["agent_id"] == "a1"


def test_exclusions_are_respected():
    agents = [agent(1), agent(2, active=1)]
    assert p.pick_agent(agents, p.DEFAULT_QUEUE, exclude={"a1"})["agent_id"] == "a2"


HOURS = {"tz": "+08:00", "days": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]],
                                  "sat": [["10:00", "14:00"]]}}


@pytest.mark.parametrize("utc,expected", [
    ("2026-11-23T01:00:00", True),    # Mon 09:00 +08
    ("2026-11-23T00:59:00", False),   # Mon 08:59
    ("2026-11-23T04:30:00", False),   # Mon 12:30 lunch
    ("2026-11-23T09:59:00", True),    # Mon 17:59
    ("2026-11-23T10:00:00", False),   # Mon 18:00 closed
    ("2026-11-24T03:00:00", False),   # Tuesday: no hours
    ("2026-11-28T03:00:00", True),    # Sat 11:00
])
def test_business_hours_in_the_sites_time_zone(utc, expected):
    now = datetime.fromisoformat(utc).replace(tzinfo=timezone.utc)
    assert p.is_open(HOURS, now) is expected


def test_no_hours_means_always_open_and_iana_zones_work():
    assert p.is_open(None)
    hours = {"tz": "Asia/Shanghai", "days": {"mon": [["09:00", "18:00"]]}}
    assert p.is_open(hours, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize("bad", [
    {"tz": "Mars/Olympus", "days": {}},
    {"tz": "UTC", "days": {"funday": []}},
    {"tz": "UTC", "days": {"mon": [["18:00", "09:00"]]}},
    {"tz": "UTC", "days": {"mon": [["9am", "5pm"]]}},
    {"tz": "UTC", "days": {}, "extra": 1},
])
def test_invalid_hours_are_rejected(bad):
    with pytest.raises(ValueError):
        p.validate_hours(bad)


def test_wait_estimate():
    assert p.estimate_wait_seconds(1, online_agents=2, avg_handle_seconds=240, free_slots=1) == 0
    assert p.estimate_wait_seconds(3, online_agents=2, avg_handle_seconds=240) == 360
    assert p.estimate_wait_seconds(2, online_agents=0, avg_handle_seconds=100) == 200


@pytest.mark.parametrize("hours, code, field", [
    ({"tz": "Mars/Olympus", "days": {}}, "invalid_timezone", "business_hours.tz"),
    ({"tz": "UTC", "days": {"mon": [["09:00", "12:00"], ["11:00", "18:00"]]}},
     "invalid_hours", "business_hours.days.mon"),
    ({"tz": "UTC", "days": {"tue": [["18:00", "09:00"]]}}, "invalid_hours",
     "business_hours.days.tue"),
    ({"tz": "UTC", "days": {"wed": [["09:00", "10:00"]] * 7}}, "invalid_hours",
     "business_hours.days.wed"),
])
def test_one_hours_rule_names_what_is_wrong(hours, code, field):
    with pytest.raises(p.HoursError) as err:
        p.validate_hours(hours)
    assert (err.value.code, err.value.field) == (code, field)


def test_offsets_and_zone_names_both_count_as_zones():
    assert p.validate_hours({"tz": "+08:00", "days": {"mon": [["09:00", "12:00"],
                                                              ["13:00", "24:00"]]}})
    assert p.validate_hours({"tz": "Asia/Shanghai", "days": {}})


def chat(cid, order, key=p.DEFAULT_QUEUE, previous=None):
    return {"conversation_id": cid, "queued_at": order, "queue_key": key,
            "attrs": {"previous_agent_id": previous} if previous else {}}


def test_a_plan_fills_free_slots_oldest_first_counting_what_it_takes():
    agents = [agent(1, active=1, cap=2), agent(2, active=0, cap=2)]
    line = [chat(f"c{i}", i) for i in range(5)]
    moves = p.plan(line, agents, limit=10, now=1000)
    assert [(c["conversation_id"], a["agent_id"]) for c, a in moves] == \
        [("c0", "a2"), ("c1", "a1"), ("c2", "a2")]                   # 3 free slots
    assert [a["active_count"] for a in agents] == [1, 0]             # the input is untouched


def test_a_plan_passes_over_a_chat_nobody_free_serves_and_keeps_the_limit():
    agents = [agent(1, cap=3, teams=["billing"])]
    line = [chat("t0", 0, key="tech"), chat("b1", 1, key="billing"),
            chat("b2", 2, key="billing"), chat("b3", 3, key="billing")]
    assert [c["conversation_id"] for c, _ in p.plan(line, agents, limit=2, now=0)] == \
        ["b1", "b2"]


def test_a_plan_gives_a_returning_visitor_their_previous_agent_when_free():
    agents = [agent(1, cap=2), agent(2, active=1, cap=2)]
    moves = p.plan([chat("c0", 0, previous="a2"), chat("c1", 1, previous="a2")], agents,
                   limit=5, now=0)
    assert [a["agent_id"] for _, a in moves] == ["a2", "a1"]         # a2 is full after one


def waiting(*rows):
    """(order in s, shown place) per chat, in line order."""
    return [{"queued_at": order * 1000, "attrs": {"queue_position": shown} if shown else {}}
            for order, shown in rows]


def test_places_follow_the_line_down_and_start_at_the_rank():
    assert p.shown_places(waiting((10, 3), (11, 4), (12, None))) == [1, 2, 3]


def test_a_handoff_that_landed_late_does_not_push_the_places_behind_it_up():
    # asked at 100.0 s but written after the chats of 100.5 and 101 s were shown 5 and 6
    line = waiting((1, 1), (2, 2), (3, 3), (50, 4), (100, None), (100.5, 5), (101, 6))
    assert p.shown_places(line) == [1, 2, 3, 4, 5, 5, 6]
    # two landed late ahead of one: it goes up one, to stay within one of its rank
    line = waiting((1, 1), (100, None), (100.2, None), (101, 2))
    assert p.shown_places(line) == [1, 2, 3, 3]


def test_next_is_shown_only_to_the_first_in_line():
    assert p.shown_places(waiting((100, None), (100.5, 1))) == [1, 2]


def test_a_chat_put_ahead_by_age_or_priority_raises_the_places_behind_it():
    # moved in from another line keeping its age (asked 2 minutes earlier), or a VIP
    line = waiting((-20, None), (100, 1), (101, 2))
    assert p.shown_places(line) == [1, 2, 3]
    line = waiting((-500, None), (100, 4), (101, 5), (102, 6))
    assert p.shown_places(line) == [1, 2, 3, 4]

"""The recipient rule (chalicelib/domain/audience.py): plain dicts, no AWS."""
from chalicelib.domain import audience


def conn(agent_id, role="agent", teams=()):
    return {"connection_id": f"c-{agent_id}", "kind": "agent", "agent_id": agent_id,
            "role": role, "teams": list(teams)}


FLOOR = [conn("a1", teams=["alpha"]), conn("a2", teams=["alpha", "beta"]),
         conn("b1", teams=["beta"]), conn("x"), conn("sup", "supervisor"), conn("adm", "admin"),
         {"connection_id": "v", "kind": "visitor", "conversation_id": "c1"}]


def who(conv, also=()):
    return {c["agent_id"] for c in FLOOR if audience.hears_conversation(c, conv, also)}


def test_a_team_conversation_reaches_its_team_the_people_in_it_and_supervisors():
    queued = {"conversation_id": "c1", "status": "queued", "queue_key": "alpha",
              "team": "alpha", "participants": []}
    assert who(queued) == {"a1", "a2", "sup", "adm"}
    held = {**queued, "status": "assigned", "queue_key": None, "agent_id": "b1",
            "participants": ["a1", "b1"]}
    assert who(held) == {"a1", "a2", "b1", "sup", "adm"}
    assert who(held, also=("x",)) == {"a1", "a2", "b1", "x", "sup", "adm"}


def test_the_queue_a_chat_waits_in_wins_over_its_old_team():
    moved = {"conversation_id": "c1", "status": "queued", "queue_key": "beta", "team": "alpha"}
    assert audience.conversation_team(moved) == "beta"
    assert who(moved) == {"a2", "b1", "sup", "adm"}


def test_a_general_conversation_reaches_every_agent_and_never_a_visitor_row():
    general = {"conversation_id": "c1", "status": "open"}
    assert who(general) == {"a1", "a2", "b1", "x", "sup", "adm"}


def test_an_agents_load_goes_to_them_and_the_supervisors():
    assert {c["agent_id"] for c in FLOOR if audience.hears_agent(c, "b1")} == \
        {"b1", "sup", "adm"}

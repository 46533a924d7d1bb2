"""What still names a team (domain/team_refs.py): no AWS."""
from chalicelib.domain import team_refs


def site(key, **settings):
    return {"site_key": key, "settings": settings}


def test_nothing_names_a_team_nobody_uses():
    assert team_refs.references("sales", [site("a", team="support")],
                                [{"id": "support"}], [{"agent_id": "a1", "teams": ["x"]}],
                                0) == []


def test_every_kind_of_reference_is_listed_in_a_stable_order():
    sites = [site("b", teams=["sales", "support"], qa_team_rules={"sales": {}}),
             site("a", team="sales", departments=[
                 {"id": "returns", "team": "sales"}, {"id": "billing", "team": "x"},
                 {"id": "general"}])]
    teams = [{"id": "zeta", "overflow": {"to_team": "sales", "after_seconds": 300}},
             {"id": "sales", "overflow": {"to_team": "sales"}},     # itself: not a reference
             {"id": "alpha"}]
    agents = [{"agent_id": "a1", "name": "Ann", "teams": ["sales"]},
              {"agent_id": "a2", "email": "bo@example.com", "teams": ["sales", "x"]},
              {"agent_id": "a3", "name": "Cy"}]
    assert team_refs.references("sales", sites, teams, agents, 3) == [
        {"kind": "site", "id": "a", "field": "team"},
        {"kind": "site", "id": "a", "field": "departments", "department": "returns"},
        {"kind": "site", "id": "b", "field": "teams"},
        {"kind": "site", "id": "b", "field": "qa_team_rules"},
        {"kind": "team", "id": "zeta", "field": "overflow"},
        {"kind": "agent", "id": "a1", "name": "Ann"},
        {"kind": "agent", "id": "a2", "name": "bo@example.com"},
        {"kind": "queue", "count": 3}]


def test_a_site_without_settings_names_nothing():
    assert team_refs.references("sales", [{"site_key": "a"}], [], [], 0) == []


def test_the_summary_names_the_first_five_and_counts_the_rest():
    refs = team_refs.references(
        "sales", [site("a", team="sales", departments=[{"id": "returns", "team": "sales"}])],
        [], [{"agent_id": f"a{i}", "name": f"Agent {i}", "teams": ["sales"]}
             for i in range(5)], 2)
    text = team_refs.summary(refs)
    assert text.startswith("This team is still used by site 'a' (team), department "
                           "'returns' of site 'a', member Agent 0")
    assert text.endswith(" and 3 more: change those first.")
    assert team_refs.summary([{"kind": "queue", "count": 2}]) == \
        "This team is still used by 2 waiting chat(s): change those first."

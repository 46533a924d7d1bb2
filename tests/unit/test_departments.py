"""Departments of a site, the plain rules (chalicelib/domain/departments.py): the chain of
knowledge bases a key's bot reads, the admin's list checked, the widget's pre-chat form, and
the team a chosen department routes to."""
import pytest

from chalicelib.domain import departments as depts

SETTINGS = {"team": "front", "departments": [
    {"id": "sales", "name": {"en": "Sales", "zh": "销售"}, "team": "sales-team"},
    {"id": "support", "name": {"zh": "售后"}, "team": None}]}


def test_a_key_reads_the_shared_base_then_the_site_then_the_department():
    assert depts.chain("_common") == ["_common"]
    assert depts.chain("demo") == ["_common", "demo"]
    assert depts.chain("demo/sales") == ["_common", "demo", "demo/sales"]
    assert depts.split_key("demo/sales") == ("demo", "sales")
    assert depts.split_key("demo") == ("demo", None)
    assert depts.kb_key("demo", "sales") == "demo/sales" and depts.kb_key("demo", None) == "demo"


@pytest.mark.parametrize("key, ok", [("demo", True), ("demo/sales", True), ("a_b-c/x-1", True),
                                     ("demo/Sales", False), ("demo/", False), ("/x", False),
                                     ("demo/-x", False), ("a/b/c", False), ("demo/x y", False)])
def test_kb_keys(key, ok):
    assert bool(depts.KB_KEY_RE.match(key)) is ok


def test_the_admins_list_is_checked_and_normalised():
    out = depts.check([{"id": "sales", "name": {"en": " Sales ", "zh": ""}, "team": "t"},
                       {"id": "support", "name": {"zh": "售后"}}], lambda team: team == "t")
    assert out == [{"id": "sales", "name": {"en": "Sales"}, "team": "t"},
                   {"id": "support", "name": {"zh": "售后"}, "team": None}]


@pytest.mark.parametrize("departments, code, details", [
    ([{"id": "a", "name": {"en": "A"}}, {"id": "a", "name": {"en": "B"}}],
     "duplicate_department", {"id": "a"}),
    ([{"id": "a", "name": {"en": " ", "zh": ""}}], "missing_name", {"id": "a"}),
    ([{"id": "a", "name": {"en": "A"}, "team": "gone"}], "unknown_team",
     {"id": "a", "team": "gone"}),
])
def test_a_wrong_list_names_what_is_wrong(departments, code, details):
    with pytest.raises(depts.DepartmentError) as err:
        depts.check(departments, lambda team: False)
    assert err.value.code == code and err.value.details == {"field": "departments", **details}


def test_the_prechat_form_asks_for_the_department_first_in_both_languages():
    form = depts.prechat_form({**SETTINGS, "prechat_fields": [
        {"name": "email", "label": "Your email", "type": "email", "required": True}]})
    first, email = form["fields"]
    assert first == {"key": "department", "type": "select", "required": True,
                     "label": {"en": "Department", "zh": "咨询部门"},
                     "options": [{"value": "sales", "label": {"en": "Sales", "zh": "销售"}},
                                 {"value": "support", "label": {"en": "售后", "zh": "售后"}}]}
    assert email == {"key": "email", "type": "email", "required": True,
                     "label": {"en": "Your email", "zh": "Your email"}}


def test_a_designed_form_keeps_its_fields_after_the_department():
    designed = {"form_id": "f1", "name": "Intro", "fields": [
        {"key": "department", "type": "text"}, {"key": "company", "type": "text"}]}
    form = depts.prechat_form({**SETTINGS, "prechat_form": designed})
    assert form["form_id"] == "f1"
    assert [f["key"] for f in form["fields"]] == ["department", "company"]
    assert form["fields"][0]["type"] == "select"       # the site's own "department" replaced


def test_without_departments_the_sites_own_form_is_shown_as_it_is():
    designed = {"form_id": "f1", "fields": [{"key": "company", "type": "text"}]}
    assert depts.prechat_form({"prechat_form": designed}) is designed
    assert depts.prechat_form({"prechat_fields": [{"name": "email"}]}) is None
    assert depts.prechat_form(None) is None


def test_a_chosen_department_routes_to_its_team_else_the_sites():
    assert depts.team_of(SETTINGS, "sales") == "sales-team"
    assert depts.team_of(SETTINGS, "support") == "front"
    assert depts.team_of(SETTINGS, "nope") == "front"
    assert depts.team_of(SETTINGS, None) == "front"
    assert depts.team_of({}, "sales") is None
    assert depts.kb_of({"site_key": "demo", "attrs": {"department": "sales"}}) == "demo/sales"
    assert depts.kb_of({"site_key": "demo", "attrs": {}}) == "demo"
    assert depts.find(SETTINGS, ["sales"]) is None


def test_a_chat_records_the_chosen_departments_id_and_name():
    assert depts.chosen_attrs(SETTINGS, "sales") == {
        "department": "sales", "department_name": {"en": "Sales", "zh": "销售"}}
    assert depts.chosen_attrs(SETTINGS, "nope") == {} and depts.chosen_attrs(None, "x") == {}


def test_a_required_department_is_the_sites_or_names_the_field_that_chose_it():
    settings = {"departments": [{"id": "sales", "name": {"en": "Sales"}}]}
    assert depts.require(settings, "sales", "department")["id"] == "sales"
    for settings_, chosen in ((settings, "support"), (settings, 7), (None, "sales")):
        with pytest.raises(depts.DepartmentError) as exc:
            depts.require(settings_, chosen, "attributes.department")
        assert exc.value.code == "unknown_department"
        assert exc.value.details == {"field": "attributes.department"}

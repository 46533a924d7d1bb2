"""Form definitions and answers (chalicelib/domain/contacts/forms.py): no AWS."""
import pytest

from chalicelib.domain.contacts import forms
from chalicelib.errors import ValidationError

CONTACT_FIELDS = [
    {"key": "budget", "type": "number", "label_en": "Budget", "label_zh": "预算",
     "required": False, "min": 0, "max": 100000},
    {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐", "required": False,
     "options": [{"value": "basic"}, {"value": "pro"}, {"value": "team"}]},
    {"key": "visit_on", "type": "date", "label_en": "Visit", "label_zh": "来访",
     "required": False},
]


def L(en, zh):
    return {"en": en, "zh": zh}


def form_def(**over):
    body = {"name": "Quote", "kind": "inchat", "fields": [
        {"key": "who", "label": L("Name", "姓名"), "type": "text", "required": True,
         "maps_to": "name"},
        {"key": "mail", "label": L("E-mail", "邮箱"), "type": "email", "maps_to": "email"},
        {"key": "tel", "label": L("Phone", "电话"), "type": "phone", "maps_to": "phone"},
        {"key": "budget", "label": L("Budget", "预算"), "type": "number", "maps_to": "budget"},
        {"key": "plan", "label": L("Plan", "套餐"), "type": "select", "required": True,
         "maps_to": "plan", "options": [{"value": "basic", "label": L("Basic", "基础版")},
                                        {"value": "pro", "label": L("Pro", "专业版")}]},
        {"key": "day", "label": L("Day", "日期"), "type": "date", "maps_to": "visit_on"},
        {"key": "topics", "label": L("Topics", "主题"), "type": "multi_select",
         "options": [{"value": "a", "label": L("A", "甲")},
                     {"value": "b", "label": L("B", "乙")}]},
    ]}
    body.update(over)
    return body


def code_of(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code, exc.value.details.get("field")


def test_a_full_definition_is_accepted_and_cleaned():
    clean = forms.check_definition(form_def(), CONTACT_FIELDS)
    assert clean["kind"] == "inchat" and len(clean["fields"]) == 7
    assert clean["fields"][1]["required"] is False and clean["fields"][1]["options"] == []
    assert clean["fields"][6]["maps_to"] is None


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["fields"].append(dict(d["fields"][0])), ("duplicate_field", "fields[7].key")),
    (lambda d: d["fields"][0].update(maps_to="nickname"),
     ("unknown_contact_field", "fields[0].maps_to")),
    (lambda d: d["fields"][3].update(type="text"),
     ("incompatible_mapping", "fields[3].maps_to")),
    (lambda d: d["fields"][1].update(maps_to="phone"),
     ("incompatible_mapping", "fields[1].maps_to")),
    (lambda d: d["fields"][2].update(type="email", maps_to="email"),
     ("duplicate_mapping", "fields[2].maps_to")),
    (lambda d: d["fields"][4].update(options=[]), ("invalid_options", "fields[4].options")),
    (lambda d: d["fields"][4]["options"].append({"value": "gold", "label": L("G", "金")}),
     ("invalid_options", "fields[4].options")),
    (lambda d: d["fields"][0].update(options=[{"value": "x", "label": L("x", "x")}]),
     ("invalid_options", "fields[0].options")),
    (lambda d: d["fields"][0].update(label={"en": "Name"}), ("missing_field",
                                                             "fields[0].label.zh")),
    (lambda d: d["fields"][0].update(type="color"), ("invalid_value", "fields[0].type")),
    (lambda d: d["fields"][0].update(key="Bad Key"), ("invalid_format", "fields[0].key")),
    (lambda d: d.update(kind="popup"), ("invalid_value", "kind")),
    (lambda d: d.update(fields=[]), ("empty", "fields")),
    (lambda d: d.update(fields=[dict(d["fields"][6], key=f"k{i}") for i in range(21)]),
     ("too_many_items", "fields")),
])
def test_a_bad_definition_names_the_control(change, expected):
    body = form_def()
    change(body)
    assert code_of(lambda: forms.check_definition(body, CONTACT_FIELDS)) == expected


def _form():
    return {"form_id": "fm_1", **forms.check_definition(form_def(), CONTACT_FIELDS)}


def test_answers_are_cleaned_and_land_on_their_targets():
    form = _form()
    clean = forms.check_answers(form, {"who": " 王芳 ", "mail": "Fang@Example.COM",
                                       "tel": "138 0013 8000", "budget": "1200",
                                       "plan": "pro", "day": "2026-12-01",
                                       "topics": ["b", "a", "b"]}, CONTACT_FIELDS)
    assert clean == {"who": "王芳", "mail": "fang@example.com", "tel": "138 0013 8000",
                     "budget": 1200, "plan": "pro", "day": "2026-12-01",
                     "topics": ["a", "b"]}
    assert forms.contact_patch(form, clean) == {
        "name": "王芳", "email": "fang@example.com", "phone": "138 0013 8000",
        "fields": {"budget": 1200, "plan": "pro", "visit_on": "2026-12-01"}}
    rows = forms.transcript(form, clean)
    assert [r["key"] for r in rows] == ["who", "mail", "tel", "budget", "plan", "day", "topics"]
    assert rows[0]["label"] == {"en": "Name", "zh": "姓名"}


def test_every_bad_answer_is_reported_with_its_own_code():
    with pytest.raises(ValidationError) as exc:
        forms.check_answers(_form(), {"mail": "not-mail", "tel": "12", "budget": "lots",
                                      "plan": "gold", "day": "2026-13-01",
                                      "topics": ["c"], "extra": "x"}, CONTACT_FIELDS)
    errors = {e["field"]: e["code"] for e in exc.value.details["errors"]}
    assert errors == {"answers.extra": "unknown_field", "answers.who": "missing_field",
                      "answers.mail": "invalid_email", "answers.tel": "invalid_phone",
                      "answers.budget": "invalid_number", "answers.plan": "invalid_option",
                      "answers.day": "invalid_date", "answers.topics": "invalid_option"}
    assert exc.value.code == "unknown_field" and exc.value.details["field"] == "answers.extra"


def test_the_mapped_contact_field_rules_apply_and_optional_blanks_are_dropped():
    assert code_of(lambda: forms.check_answers(
        _form(), {"who": "A", "plan": "pro", "budget": 500000}, CONTACT_FIELDS)) == \
        ("out_of_range", "answers.budget")
    clean = forms.check_answers(_form(), {"who": "A", "plan": "basic", "mail": "  ",
                                          "topics": []}, CONTACT_FIELDS)
    assert clean == {"who": "A", "plan": "basic"}
    assert code_of(lambda: forms.check_answers(_form(), ["x"])) == ("invalid_type", "answers")
    assert code_of(lambda: forms.check_answers(_form(), {"who": "A", "plan": "pro",
                                                         "budget": True})) == \
        ("invalid_number", "answers.budget")


def test_a_snapshot_keeps_what_the_visitor_needs():
    snap = forms.snapshot(_form())
    assert snap["form_id"] == "fm_1" and snap["name"] == "Quote"
    assert set(snap["fields"][4]) == {"key", "label", "type", "required", "options", "maps_to"}

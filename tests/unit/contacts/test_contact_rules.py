"""Contacts domain rules without AWS: identity normalisation, custom-field validation, the
merge rule and the leads pipeline."""
import pytest

from chalicelib.domain.contacts import fields, identities as ids, leads, merge
from chalicelib.errors import Conflict, ValidationError


@pytest.mark.parametrize("raw,expected", [
    ("138 0013 8000", "+8613800138000"),
    ("+86 138-0013-8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"),
    ("(010) 1234 5678", "+861012345678"),
    ("+1 (415) 555-0100", "+14155550100"),
    ("＋44 20 7946 0958", "+442079460958"),
])
def test_phones_normalise_to_one_e164_form(raw, expected):
    assert ids.normalise_phone(raw) == expected
    assert ids.key("phone", raw) == f"phone:{expected}"


@pytest.mark.parametrize("raw", ["12", "call me", "+1234567890123456", ""])
def test_bad_phones_are_refused_with_a_code(raw):
    with pytest.raises(ValidationError) as err:
        ids.normalise_phone(raw)
    assert err.value.code == "invalid_phone"


def test_emails_fold_case_and_space_and_other_kinds_stay_opaque():
    assert ids.key("email", "  Ann@Example.COM ") == "email:ann@example.com"
    assert ids.key("wechat", "oAbC_123") == "wechat:oAbC_123"
    assert ids.split("user:u-1") == ("user", "u-1")
    for kind, value, code in (("email", "not-an-email", "invalid_email"),
                              ("wechat", "has space", "invalid_identity"),
                              ("fax", "1", "invalid_identity_kind")):
        with pytest.raises(ValidationError) as err:
            ids.key(kind, value)
        assert err.value.code == code


DEFS = fields.check_definitions([
    {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
     "options": [{"value": "basic"}, {"value": "pro"}], "required": True},
    {"key": "seats", "type": "number", "label_en": "Seats", "label_zh": "席位", "min": 1,
     "max": 500},
    {"key": "renewal", "type": "date", "label_en": "Renewal", "label_zh": "续费日期"},
    {"key": "topics", "type": "multi_select", "label_en": "Topics", "label_zh": "关注点",
     "options": [{"value": "price"}, {"value": "api"}]},
    {"key": "city", "type": "text", "label_en": "City", "label_zh": "城市", "max_len": 20},
])


def test_field_values_are_validated_and_cleaned_by_type():
    got = fields.check_values(DEFS, {"plan": "pro", "seats": "12", "renewal": "2027-01-31",
                                     "topics": "api|price|api", "city": " 上海 "})
    assert got == {"plan": "pro", "seats": 12, "renewal": "2027-01-31",
                   "topics": ["api", "price"], "city": "上海"}
    assert fields.check_values(DEFS, {"city": ""}) == {"city": None}     # clears


@pytest.mark.parametrize("patch,code", [
    ({"plan": "gold"}, "invalid_field_value"),
    ({"seats": 0}, "out_of_range"),
    ({"seats": True}, "invalid_field_value"),
    ({"renewal": "31/01/2027"}, "invalid_field_value"),
    ({"renewal": "2027-02-30"}, "invalid_field_value"),
    ({"topics": ["api", "nope"]}, "invalid_field_value"),
    ({"city": "x" * 21}, "too_long"),
    ({"colour": "red"}, "unknown_field"),
])
def test_bad_field_values_name_the_field(patch, code):
    with pytest.raises(ValidationError) as err:
        fields.check_values(DEFS, patch)
    assert err.value.code == code
    assert err.value.details["field"] == f"fields.{next(iter(patch))}"


def test_a_full_record_needs_its_required_fields():
    with pytest.raises(ValidationError) as err:
        fields.check_values(DEFS, {"seats": 3}, partial=False)
    assert err.value.details["field"] == "fields.plan"
    assert fields.check_values(DEFS, {"seats": 3}, current={"plan": "pro"},
                               partial=False) == {"seats": 3}


@pytest.mark.parametrize("defs,code", [
    ([{"key": "a", "type": "select", "label_en": "A", "label_zh": "甲"}], "invalid_options"),
    ([{"key": "email", "type": "text", "label_en": "E", "label_zh": "邮"}], "duplicate_field"),
    ([{"key": "Bad Key", "type": "text", "label_en": "x", "label_zh": "x"}], "invalid_format"),
    ([{"key": "a", "type": "colour", "label_en": "x", "label_zh": "x"}], "invalid_value"),
])
def test_bad_definitions_are_refused(defs, code):
    with pytest.raises(ValidationError) as err:
        fields.check_definitions(defs)
    assert err.value.code == code


def _contact(cid, **kw):
    return {"contact_id": cid, "identities": [], "tags": [], "fields": {}, **kw}


def test_merge_keeps_the_survivors_values_and_unions_the_lists():
    survivor = _contact("ct_a", name="Ann", company=None, tags=["vip"],
                        identities=["visitor:v1", "email:ann@x.com"],
                        fields={"plan": "pro", "city": None}, notes="likes tea")
    loser = _contact("ct_b", name="Annie", company="ACME", tags=["trial", "vip"],
                     identities=["visitor:v2", "phone:+8613800138000"],
                     fields={"plan": "basic", "city": "上海", "seats": 3}, notes="called",
                     lead={"status": "new"})
    p = merge.plan(survivor, loser)
    r = p["result"]
    assert r["name"] == "Ann" and r["company"] == "ACME"
    assert r["fields"] == {"plan": "pro", "city": "上海", "seats": 3}
    assert r["tags"] == ["trial", "vip"]
    assert r["identities"] == ["email:ann@x.com", "phone:+8613800138000", "visitor:v1",
                               "visitor:v2"]
    assert r["notes"] == "likes tea\n[merged from ct_b]\ncalled"
    assert r["lead"] == {"status": "new"}
    assert p["moves"] == {"fields": ["city", "seats"], "tags": ["trial"],
                          "identities": ["phone:+8613800138000", "visitor:v2"]}
    assert {c["field"] for c in p["conflicts"]} == {"name", "fields.plan"}
    with pytest.raises(ValueError):
        merge.plan(survivor, survivor)


def test_merge_suggestions_need_a_shared_verified_identity():
    owners = {"email:a@x.com": "ct_b", "user:u1": "ct_c", "visitor:v1": "ct_d"}
    got = merge.suggestions(["email:a@x.com", "user:u1", "visitor:v1"],
                            ["email:a@x.com", "visitor:v1"], owners, "ct_a")
    assert got == [{"contact_id": "ct_b", "because": ["email:a@x.com"]}]


def test_lead_claim_move_and_return_to_pool():
    lead = leads.new_lead("prechat", now=1000)
    with pytest.raises(Conflict):
        leads.move(lead, "a1", False, 1500, status="contacted")          # claim first
    mine = leads.claim(lead, "a1", now=2000)
    with pytest.raises(Conflict) as err:
        leads.claim(mine, "a2", now=2001)
    assert err.value.code == "already_claimed"
    settings = {"lead_return_hours": 2}
    assert leads.due_at(mine, settings) == 2000 + 2 * leads.HOUR_MS
    moved = leads.move(mine, "a1", False, 5000, status="qualified", note="budget ok",
                       next_contact_at=9000)
    assert moved["status"] == "qualified" and moved["next_contact_at"] == 9000
    assert leads.due_at(moved, settings) == 5000 + 2 * leads.HOUR_MS     # touched resets
    assert not leads.is_due(moved, settings, 5000 + 2 * leads.HOUR_MS - 1)
    assert leads.is_due(moved, settings, 5000 + 2 * leads.HOUR_MS)
    assert leads.follow_up_due(moved, 9000) and not leads.follow_up_due(moved, 8999)
    back = leads.release(moved, 6000)
    assert back["owner_id"] is None and back["status"] == "qualified"
    assert leads.due_at(back, settings) is None                          # in the pool
    won = leads.move(mine, "a1", False, 7000, status="won")
    assert leads.due_at(won, settings) is None                           # done: stays
    with pytest.raises(ValidationError):
        leads.move(mine, "a1", False, 7000, status="maybe")
    assert leads.move(mine, "sup", True, 7000, note="n")["history"][-1]["note"] == "n"


def test_segment_filters_pick_an_index_and_match_in_memory():
    from chalicelib.domain.contacts import segments
    f = segments.check({"tag": "vip", "channel": "wechat", "min_rating": 4, "min_chats": 2,
                        "last_seen_after": 100, "fields": {"plan": "pro", "topics": "api"}})
    assert segments.index_for(f) == ("tag", "vip")
    assert segments.index_for({"lead": "pool"}) == ("lead", "pool")
    assert segments.index_for({}) == ("site", None)
    c = {"tags": ["vip"], "identities": ["wechat:o1", "visitor:v1"],
         "stats": {"last_rating": 5, "chats": 3, "last_seen_at": 150},
         "fields": {"plan": "pro", "topics": ["api", "price"]}}
    assert segments.matches(c, f)
    for change in ({"tags": []}, {"identities": ["visitor:v1"]},
                   {"stats": {"last_rating": 3, "chats": 3, "last_seen_at": 150}},
                   {"stats": {"last_rating": 5, "chats": 1, "last_seen_at": 150}},
                   {"stats": {"last_rating": 5, "chats": 3, "last_seen_at": 50}},
                   {"fields": {"plan": "basic", "topics": ["api"]}},
                   {"merged_into": "ct_x"}):
        assert not segments.matches({**c, **change}, f), change
    lead = {"status": "qualified", "owner_id": "a1"}
    assert segments.matches({"lead": lead}, {"lead": "qualified"})
    assert not segments.matches({"lead": {**lead, "owner_id": None}}, {"lead": "qualified"})
    with pytest.raises(ValidationError) as err:
        segments.check({"channel": "fax"})
    assert err.value.details["field"] == "filter.channel"

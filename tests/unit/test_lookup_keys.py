"""Lookup keys for visitor names and emails (chalicelib/domain/lookup.py), without AWS."""
from chalicelib.domain import lookup


def test_normalize_folds_case_width_and_spaces():
    assert lookup.normalize("  Alice   WONG ") == "alice wong"
    assert lookup.normalize("ＡＬＩＣＥ") == "alice"
    assert lookup.normalize("Straße") == "strasse"
    assert lookup.normalize(None) == "" and lookup.normalize("   ") == ""


def test_fields_for_new_and_changed_values():
    assert lookup.lookup_fields("Bob", "Bob@Shop.example") == {
        "name_p": "b", "name_lc": "bob", "email_p": "b", "email_lc": "bob@shop.example"}
    assert lookup.lookup_fields("张伟", None) == {
        "name_p": "张", "name_lc": "张伟", "email_p": None, "email_lc": None}
    # only what changes: a name-only update leaves the email keys alone
    assert lookup.lookup_fields("Bob", has_email=False) == {"name_p": "b", "name_lc": "bob"}
    assert lookup.lookup_fields(None, has_email=False) == {"name_p": None, "name_lc": None}


def test_query_key():
    assert lookup.query_key(" Ali ") == ("a", "ali")
    assert lookup.query_key("  ") is None
    assert lookup.query_key("x" * 500) == ("x", "x" * lookup.MAX_QUERY)


def test_rank_puts_exact_matches_first_then_recent():
    vs = [{"name": "Bobby", "last_seen_at": 30}, {"name": "Bob", "last_seen_at": 10},
          {"name": "Bobbie", "last_seen_at": 20}]
    assert [v["name"] for v in lookup.rank(vs, "BOB")] == ["Bob", "Bobby", "Bobbie"]

"""Sealed identity secrets (chalicelib/sealing.py) and the audit log's listing rules
(services/audit.py) on an in-memory table and a simulated clock."""
from __future__ import annotations

import pytest

from chalicelib import sealing
from chalicelib.domain.actors import Actor
from chalicelib.errors import ValidationError
from chalicelib.services import audit
from tests.helpers.secauth_fakes import Clock, make_deps

K1, K2 = "first-sealing-key-0123456789", "second-sealing-key-9876543210"


# ------------------------------------------------------------------ sealing
def test_seal_round_trip_names_its_key_and_hides_the_secret():
    secret = "a3f1" * 16
    sealed = sealing.seal(secret, [K1])
    assert sealed.startswith("sealed:v1:" + sealing.key_id(K1) + ":")
    assert secret not in sealed
    assert sealing.open_sealed(sealed, [K1]) == secret
    assert sealing.seal(secret, [K1]) != sealed          # a fresh nonce each time


def test_values_sealed_under_a_previous_key_open_while_it_is_accepted():
    old = sealing.seal("s3cret", [K1])
    assert sealing.open_sealed(old, [K2, K1]) == "s3cret"   # K2 current, K1 previous
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(old, [K2])                        # K1 dropped


def test_tampering_is_detected():
    sealed = sealing.seal("s3cret", [K1])
    head, blob = sealed.rsplit(":", 1)
    flipped = blob[:30] + ("A" if blob[30] != "A" else "B") + blob[31:]
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(f"{head}:{flipped}", [K1])
    with pytest.raises(sealing.SealError):
        sealing.open_sealed("sealed:v1:zz:!!", [K1])


def test_plain_values_from_before_sealing_are_read_as_they_are():
    assert not sealing.is_sealed("abc")
    assert sealing.open_sealed("abc", [K1]) == "abc"


# ------------------------------------------------------------------ audit listing
ADMIN = Actor(kind="agent", id="a_boss", role="admin", name="Boss", source_ip="198.51.100.9")
OTHER = Actor(kind="agent", id="a_other", role="admin", name="Other")
DAY = 24 * 3600


@pytest.fixture
def clock():
    return Clock(start=1_788_000_000.0)   # 2026-08-29


@pytest.fixture
def deps(clock):
    return make_deps(clock)


def test_entries_say_who_what_when_where(deps, clock):
    audit.record(deps, ADMIN, "agent.role_changed", "agent", "a_ann",
                 details={"from": "agent", "to": "supervisor"})
    [entry] = audit.list_entries(deps, None, None, None, None)["entries"]
    assert entry["action"] == "agent.role_changed"
    assert entry["actor"] == {"id": "a_boss", "name": "Boss", "role": "admin"}
    assert entry["target"] == {"type": "agent", "id": "a_ann"}
    assert entry["at"] == int(clock() * 1000)
    assert entry["source_ip"] == "198.51.100.9"
    assert entry["details"] == {"from": "agent", "to": "supervisor"}


def test_unknown_actions_are_a_programming_error(deps):
    with pytest.raises(ValueError):
        audit.record(deps, ADMIN, "agent.renamed_by_magic")


def test_paging_walks_back_across_months_newest_first(deps, clock):
    start = clock()
    for i in range(7):                       # one entry every 10 days: three months
        audit.record(deps, ADMIN if i % 2 else OTHER, "team.created", "team", f"t{i}")
        clock.advance(10 * DAY)
    assert len(deps.audit.items) == 3        # one partition per month
    seen, cursor, pages = [], None, 0
    while True:
        page = audit.list_entries(deps, int(start * 1000), None, None, None, limit=2,
                                  cursor=cursor)
        pages += 1
        seen += [e["target"]["id"] for e in page["entries"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == [f"t{i}" for i in reversed(range(7))]
    assert pages <= 5


def test_filters_by_actor_action_and_time(deps, clock):
    start = int(clock() * 1000)
    audit.record(deps, ADMIN, "team.created", "team", "a")
    clock.advance(DAY)
    middle = int(clock() * 1000)
    audit.record(deps, OTHER, "team.deleted", "team", "a")
    clock.advance(DAY)
    audit.record(deps, ADMIN, "team.deleted", "team", "b")
    ids = lambda **kw: [(e["action"], e["target"]["id"])  # noqa: E731
                        for e in audit.list_entries(deps, kw.get("f", start), kw.get("t"),
                                                    kw.get("actor"), kw.get("action"))["entries"]]
    assert ids(actor="a_boss") == [("team.deleted", "b"), ("team.created", "a")]
    assert ids(action="team.deleted") == [("team.deleted", "b"), ("team.deleted", "a")]
    assert ids(actor="a_boss", action="team.deleted") == [("team.deleted", "b")]
    assert ids(f=middle, t=middle) == [("team.deleted", "a")]


@pytest.mark.parametrize("kwargs,code", [
    ({"from_ms": 2_000, "to_ms": 1_000}, "invalid_range"),
    ({"from_ms": 0, "to_ms": 400 * DAY * 1000}, "invalid_range"),
    ({"action": "agent.nope"}, "invalid_value"),
    ({"actor_id": "x" * 65}, "invalid_value"),
    ({"cursor": "not-base64!"}, "invalid_cursor"),
    ({"cursor": "eyJwayI6ICJvdGhlciMyMDI2LTA4IiwgInNrIjogIiJ9"}, "invalid_cursor"),
])
def test_bad_listing_parameters_are_a_clear_400(deps, kwargs, code):
    args = {"from_ms": None, "to_ms": None, "actor_id": None, "action": None, **kwargs}
    cursor = args.pop("cursor", None)
    with pytest.raises(ValidationError) as info:
        audit.list_entries(deps, args["from_ms"], args["to_ms"], args["actor_id"],
                           args["action"], cursor=cursor)
    assert info.value.code == code and info.value.status == 400


def test_a_failed_audit_write_does_not_fail_the_change(deps):
    class Broken:
        def append(self, entry):
            raise RuntimeError("throttled")
    deps.audit = Broken()
    assert audit.record(deps, ADMIN, "team.created", "team", "x") is None

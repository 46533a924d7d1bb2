"""The visit rule (chalicelib/domain/visits.py): 30 minutes without a session call."""
from chalicelib.domain.visits import VISIT_GAP_MS, is_new_visit

T = 1_800_000_000_000


def test_calls_within_a_visit_are_the_same_visit():
    assert is_new_visit(T, T) is False
    assert is_new_visit(T, T + 5_000) is False                 # the pre-chat form right after
    assert is_new_visit(T, T + VISIT_GAP_MS - 1) is False


def test_a_call_after_the_gap_is_a_new_visit():
    assert is_new_visit(T, T + VISIT_GAP_MS) is True
    assert is_new_visit(T, T + 24 * 3600 * 1000) is True       # came back tomorrow


def test_unknown_last_seen_is_a_new_visit_and_the_gap_is_a_parameter():
    assert is_new_visit(None, T) is True
    assert is_new_visit(T, T + 60_000, gap_ms=30_000) is True

"""Sign-in throttling and agent session revocation, on in-memory fakes and a simulated clock
(tests/helpers/secauth_fakes.py): the real services, no AWS, no sleeping."""
from __future__ import annotations

import pytest

from chalicelib import security
from chalicelib.domain import signin as rules
from chalicelib.errors import Unauthorized
from chalicelib.services import sessions, signin
from tests.helpers.secauth_fakes import Clock, make_deps

PW = "correct horse"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def deps(clock):
    d = make_deps(clock)
    d.agents.add("a_ann", "ann@example.com", PW)
    d.agents.add("a_boss", "boss@example.com", PW, role="admin")
    return d


def login(deps, email="ann@example.com", password=PW, ip="203.0.113.7"):
    return signin.login(deps, {"email": email, "password": password}, ip)


def error_of(fn, *args, **kwargs):
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    return info.value


# ------------------------------------------------------------------ lockout
def test_25_wrong_passwords_then_the_right_one_is_refused_until_the_lock_ends(deps, clock):
    codes = [error_of(login, deps, password=f"guess-{i}").code for i in range(25)]
    assert codes[:5] == ["invalid_credentials"] * 5
    assert set(codes[5:]) == {"too_many_attempts"}      # locked after the 5th failure
    err = error_of(login, deps)                          # the right password: still locked
    assert err.status == 429 and err.code == "too_many_attempts"
    assert err.details["scope"] == "account"
    assert 0 < err.details["retry_after"] <= 901
    clock.advance(err.details["retry_after"])
    assert login(deps)["token"]                          # the lock ended by itself


def test_locked_attempts_are_not_counted_and_check_no_password(deps, monkeypatch):
    for i in range(5):
        error_of(login, deps, password="nope")
    checks = []
    monkeypatch.setattr(signin, "check_password", lambda *a: checks.append(a) or True)
    monkeypatch.setattr(signin, "dummy_check", lambda *a: checks.append(a))
    ops_before = len(deps.attempts.ops)
    for _ in range(10):
        assert error_of(login, deps).code == "too_many_attempts"
    assert checks == []
    assert all(op == "get" for op, _ in deps.attempts.ops[ops_before:])


def test_failures_spread_over_windows_do_not_lock(deps, clock):
    for _ in range(3):
        for _ in range(4):
            error_of(login, deps, password="nope")
        clock.advance(900)                               # the next window starts afresh
    assert login(deps)["token"]


def test_a_success_clears_the_account_count(deps):
    for _ in range(4):
        error_of(login, deps, password="nope")
    login(deps)
    for _ in range(4):
        assert error_of(login, deps, password="nope").code == "invalid_credentials"
    assert login(deps)["token"]


def test_one_source_guessing_many_accounts_is_locked(deps, clock):
    for i in range(30):     # 30 different emails, one guess each: no account reaches 5
        assert error_of(login, deps, email=f"user{i}@example.com",
                        password="nope").code == "invalid_credentials"
    err = error_of(login, deps)                          # a real account, right password
    assert err.code == "too_many_attempts" and err.details["scope"] == "source"
    assert login(deps, ip="198.51.100.1")["token"]       # another source is not affected
    clock.advance(901)
    assert login(deps)["token"]


def test_unknown_and_known_emails_take_the_same_path(deps, monkeypatch):
    """Constant work: one bcrypt check and the same counter operations whether or not the
    account exists; and the same answer."""
    checks = []
    real_check, real_dummy = security.check_password, security.dummy_check
    monkeypatch.setattr(signin, "check_password",
                        lambda *a: checks.append("check") or real_check(*a))
    monkeypatch.setattr(signin, "dummy_check",
                        lambda *a: checks.append("dummy") or real_dummy(*a))
    known = error_of(login, deps, password="nope")
    known_ops, deps.attempts.ops = deps.attempts.ops, []
    unknown = error_of(login, deps, email="nobody@example.com", password="nope")
    assert checks == ["check", "dummy"]
    assert deps.attempts.ops == known_ops == [("get", "account"), ("get", "source"),
                                              ("add", "account"), ("add", "source")]
    assert (known.status, known.code, known.message) == \
        (unknown.status, unknown.code, unknown.message)


def test_unknown_emails_lock_like_known_ones(deps):
    for _ in range(5):
        error_of(login, deps, email="ghost@example.com", password="x")
    assert error_of(login, deps, email="ghost@example.com",
                    password="x").code == "too_many_attempts"


def test_limit_rules():
    lim = rules.Limits(account_failures=3, source_failures=10, window=60, lockout=300)
    assert rules.lock_until(2, "account", lim, 1000) is None
    assert rules.lock_until(3, "account", lim, 1000) == 1300
    assert rules.lock_until(9, "source", lim, 1000) is None
    assert rules.counter_key("account", "a@x", 1019, 60) == "login#fail#account#a@x#960"
    assert rules.counter_expires(1019, 60) == 960 + 60 + 60
    assert rules.subjects("a@x", None) == [("account", "a@x"), ("source", "unknown")]


# ------------------------------------------------------------------ sessions
def actor(deps, token):
    return sessions.agent_actor(deps, token, "203.0.113.7")


def test_sign_out_ends_that_session_only_and_closes_its_sockets(deps):
    one, two = login(deps)["token"], login(deps)["token"]
    sid = {t: deps.signer.verify(t, "agent")["sid"] for t in (one, two)}
    deps.connections.rows = [{"connection_id": "c1=", "agent_id": "a_ann", "session_id": sid[one]},
                             {"connection_id": "c2=", "agent_id": "a_ann", "session_id": sid[two]}]
    signin.sign_out(deps, actor(deps, one))
    assert error_of(actor, deps, one).code == "session_revoked"
    assert actor(deps, two).id == "a_ann"
    assert deps.sender.closed == ["c1="]
    assert [r["connection_id"] for r in deps.connections.rows] == ["c2="]


def test_sign_out_ends_the_tokens_refreshed_from_the_session(deps, clock):
    first = login(deps)["token"]
    clock.advance(600)
    second = signin.refresh(deps, actor(deps, first))["token"]
    signin.sign_out(deps, actor(deps, second))
    assert error_of(actor, deps, first).code == "session_revoked"
    assert error_of(actor, deps, second).code == "session_revoked"


def test_revoke_all_ends_every_session_and_closes_sockets(deps):
    tokens = [login(deps)["token"] for _ in range(3)]
    deps.connections.rows = [{"connection_id": "c1=", "agent_id": "a_ann"},
                             {"connection_id": "c2=", "agent_id": "a_boss"}]
    out = signin.revoke_all(deps, actor(deps, tokens[0]))
    assert out["revoked"] and out["token_version"] == 1
    assert {error_of(actor, deps, t).code for t in tokens} == {"session_revoked"}
    assert deps.sender.closed == ["c1="]
    assert login(deps)["token"]                         # signing in again works
    entry = deps.audit.all()[-1]
    assert entry["action"] == "agent.sessions_revoked" and entry["target_id"] == "a_ann"
    assert entry["source_ip"] == "203.0.113.7"


def test_only_admins_revoke_other_agents(deps):
    ann = actor(deps, login(deps)["token"])
    assert error_of(signin.revoke_all, deps, ann, "a_boss").code == "forbidden"
    boss = actor(deps, login(deps, "boss@example.com")["token"])
    victim = login(deps)["token"]
    signin.revoke_all(deps, boss, "a_ann")
    assert error_of(actor, deps, victim).code == "session_revoked"
    assert error_of(signin.revoke_all, deps, boss, "a_nobody").code == "agent_not_found"


def test_refresh_never_passes_the_absolute_lifetime(deps, clock):
    token = login(deps)["token"]
    start = clock()
    for _ in range(11):                     # refreshed every hour: 11 hours in, still fine
        clock.advance(3600)
        token = signin.refresh(deps, actor(deps, token))["token"]
    claims = deps.signer.verify(token, "agent")
    assert claims["exp"] == int(start) + 12 * 3600      # capped at the session's end
    clock.advance(3599)
    last = signin.refresh(deps, actor(deps, token))
    assert last["expires_at"] == int(start) + 12 * 3600
    clock.advance(1)
    assert error_of(actor, deps, token).code == "token_expired"
    assert error_of(actor, deps, last["token"]).code == "token_expired"


def test_refresh_at_the_end_is_refused(deps, clock, monkeypatch):
    monkeypatch.setenv("PARLEY_AGENT_TOKEN_TTL", str(24 * 3600))   # a token longer than
    monkeypatch.setenv("PARLEY_AGENT_SESSION_MAX_AGE", "3600")     # its session
    token = login(deps)["token"]
    clock.advance(1800)
    a = actor(deps, token)
    clock.advance(1800)
    err = error_of(signin.refresh, deps, a)
    assert isinstance(err, Unauthorized) and err.code == "session_expired"


def test_a_password_change_ends_every_session(deps):
    from chalicelib.services import admin
    token = login(deps)["token"]
    boss = actor(deps, login(deps, "boss@example.com")["token"])
    deps.connections.rows = [{"connection_id": "c1=", "agent_id": "a_ann"}]
    admin.update_agent(deps, boss, "a_ann", {"password": "a new password"})
    assert error_of(actor, deps, token).code == "session_revoked"
    assert error_of(login, deps).code == "invalid_credentials"
    assert login(deps, password="a new password")["token"]
    assert deps.sender.closed == ["c1="]
    assert [e["action"] for e in deps.audit.all()] == ["agent.password_reset"]
    assert "password" not in repr(deps.audit.all()[0].get("details"))


def test_legacy_tokens_without_session_claims_still_check_the_version(deps, clock):
    legacy, _ = deps.signer.sign({"typ": "agent", "sub": "a_ann", "role": "agent"}, 3600)
    assert actor(deps, legacy).id == "a_ann"
    deps.sessions.revoke_all("a_ann")
    assert error_of(actor, deps, legacy).code == "session_revoked"


def test_signed_out_entries_are_pruned_after_their_end(deps, clock):
    t1 = login(deps)["token"]
    signin.sign_out(deps, actor(deps, t1))
    clock.advance(13 * 3600)
    t2 = login(deps)["token"]
    signin.sign_out(deps, actor(deps, t2))
    assert len(deps.agents.items["a_ann"]["revoked_sessions"]) == 1


def test_changing_ones_own_password_ends_every_session_and_starts_a_new_one(deps):
    old = [login(deps)["token"] for _ in range(2)]
    me = actor(deps, old[0])
    err = error_of(signin.change_password, deps, me,
                   {"current_password": "nope", "new_password": "a new password"})
    assert err.status == 403 and err.code == "wrong_password"
    out = signin.change_password(deps, me, {"current_password": PW,
                                            "new_password": "a new password"})
    assert {error_of(actor, deps, t).code for t in old} == {"session_revoked"}
    assert actor(deps, out["token"]).id == "a_ann"
    assert login(deps, password="a new password")["token"]
    assert deps.audit.all()[-1]["action"] == "agent.password_changed"


def test_wrong_current_passwords_lock_like_sign_ins(deps):
    me = actor(deps, login(deps)["token"])
    codes = [error_of(signin.change_password, deps, me,
                      {"current_password": f"guess{i}", "new_password": "whatever1"}).code
             for i in range(6)]
    assert codes == ["wrong_password"] * 5 + ["too_many_attempts"]
    assert error_of(login, deps).code == "too_many_attempts"

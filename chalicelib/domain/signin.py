"""Sign-in rules: failure counting windows, locks, and agent session checks. Pure: times are
passed in (seconds since the epoch), nothing here reads a clock or talks to AWS."""
from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("account", "source")


@dataclass(frozen=True)
class Limits:
    account_failures: int = 5
    source_failures: int = 30
    window: int = 900
    lockout: int = 900

    def max_failures(self, scope: str) -> int:
        return self.account_failures if scope == "account" else self.source_failures


def window_start(now: float, window: int) -> int:
    """Failures are counted in fixed windows; the window's start names its counter."""
    return int(now) - int(now) % window


def counter_key(scope: str, ident: str, now: float, window: int) -> str:
    return f"login#fail#{scope}#{ident}#{window_start(now, window)}"


def lock_key(scope: str, ident: str) -> str:
    return f"login#lock#{scope}#{ident}"


def counter_expires(now: float, window: int) -> int:
    return window_start(now, window) + window + 60


def lock_until(count: int, scope: str, limits: Limits, now: float) -> int | None:
    """The time a lock ends if this failure (the count-th in its window) reaches the limit."""
    if count >= limits.max_failures(scope):
        return int(now) + limits.lockout
    return None


def subjects(email: str, source_ip: str | None) -> list[tuple[str, str]]:
    """What a sign-in attempt counts against: the account (its email, whether or not it
    exists, so a lock says nothing about existence) and the source address."""
    return [("account", email), ("source", source_ip or "unknown")]


# ------------------------------------------------------------------ agent sessions
def revoked_entry(session_id: str, ends_at: int) -> str:
    return f"{session_id}@{int(ends_at)}"


def is_revoked(session_id: str | None, revoked: list | set | None) -> bool:
    if not session_id or not revoked:
        return False
    return any(e.rsplit("@", 1)[0] == session_id for e in revoked)


def expired_entries(revoked: list | set | None, now: float) -> list[str]:
    """Signed-out sessions whose tokens cannot be valid any more (past their absolute end)."""
    out = []
    for e in revoked or ():
        try:
            if int(e.rsplit("@", 1)[1]) <= now:
                out.append(e)
        except (IndexError, ValueError):
            out.append(e)
    return out


def session_check(claims: dict, agent: dict) -> str | None:
    """Why a well-signed agent token no longer stands (a stable code), or None."""
    if agent is None or agent.get("disabled"):
        return "account_disabled"
    if int(claims.get("ver") or 0) != int(agent.get("token_version") or 0):
        return "session_revoked"
    if is_revoked(claims.get("sid"), agent.get("revoked_sessions")):
        return "session_revoked"
    return None

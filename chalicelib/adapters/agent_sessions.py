"""Sign-in counters and locks (keys table) and agent session state (agents table).

Every call is one GetItem, one UpdateItem or one DeleteItem: counting is an atomic ADD, so
racing sign-in attempts are all counted and the cost does not grow with the number of
attempts or accounts."""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import now_ms


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class LoginAttempts:
    def locked_until(self, key: str) -> int | None:
        """The end of a lock (seconds), or None. TTL deletion is lazy, so callers compare
        the time themselves."""
        try:
            item = m.Key.get(key)
        except DoesNotExist:
            return None
        try:
            return int(item.value)
        except (TypeError, ValueError):
            return None

    def add_failure(self, key: str, expires_at: int) -> int:
        """Count one failure in a window counter; return the count after it (atomic ADD)."""
        item = m.Key(key)
        item.update(actions=[m.Key.count.add(1), m.Key.expires_at.set(_at(expires_at))])
        return int(item.count or 0)

    def lock(self, key: str, until: int) -> None:
        m.Key(key=key, value=str(int(until)), expires_at=_at(until + 60)).save()

    def clear(self, key: str) -> None:
        try:
            m.Key(key).delete()
        except DeleteError:
            pass


class AgentSessions:
    def revoke_all(self, agent_id: str) -> int:
        """Bump the agent's token version (ADD 1): every token signed before is refused."""
        item = m.Agent(agent_id)
        try:
            item.update(actions=[m.Agent.token_version.add(1),
                                 m.Agent.updated_at.set(now_ms())],
                        condition=m.Agent.agent_id.exists())
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise LookupError(agent_id)
            raise
        return int(item.token_version or 0)

    def revoke_one(self, agent_id: str, entry: str, prune: list[str]) -> None:
        """Add one signed-out session ("{sid}@{ends_at}") and drop entries past their end
        (a second UpdateItem: one expression may not ADD and DELETE the same attribute)."""
        m.Agent(agent_id).update(actions=[m.Agent.revoked_sessions.add({entry})],
                                 condition=m.Agent.agent_id.exists())
        prune = [p for p in prune if p != entry]
        if prune:
            m.Agent(agent_id).update(actions=[m.Agent.revoked_sessions.delete(set(prune))])

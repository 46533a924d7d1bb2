"""In-memory fakes for the sign-in, session and audit rules (no AWS): the unit tests run the
real services (services/signin.py, services/audit.py) against these and a simulated clock."""
from __future__ import annotations

import bisect
import copy

from chalicelib.security import TokenSigner, hash_password
from chalicelib.services.deps import Deps

KEY = "unit-test-signing-key-that-is-long-enough-0123456789abcdef"


class Clock:
    """Simulated time in seconds; advance() moves it, nothing sleeps."""

    def __init__(self, start: float = 1_790_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeAgents:
    def __init__(self):
        self.items: dict[str, dict] = {}

    def add(self, agent_id, email, password, role="agent", **extra):
        self.items[agent_id] = {"agent_id": agent_id, "email": email, "name": agent_id,
                                "role": role, "password_hash": hash_password(password, 4),
                                "created_at": 0, **extra}
        return self.items[agent_id]

    def get(self, agent_id):
        item = self.items.get(agent_id)
        return copy.deepcopy(item) if item else None

    def by_email(self, email):
        for a in self.items.values():
            if a["email"] == email:
                return copy.deepcopy(a)
        return None

    def update(self, agent_id, fields):
        self.items[agent_id].update({k: v for k, v in fields.items()})
        return self.get(agent_id)


class FakeAttempts:
    """Counters and locks as the keys table holds them (TTL ignored: callers compare)."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.locks: dict[str, int] = {}
        self.ops: list[tuple[str, str]] = []

    def locked_until(self, key):
        self.ops.append(("get", key.split("#")[2]))
        return self.locks.get(key)

    def add_failure(self, key, expires_at):
        self.ops.append(("add", key.split("#")[2]))
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    def lock(self, key, until):
        self.ops.append(("lock", key.split("#")[2]))
        self.locks[key] = until

    def clear(self, key):
        self.ops.append(("clear", key.split("#")[2]))
        self.counts.pop(key, None)


class FakeSessions:
    def __init__(self, agents: FakeAgents):
        self.agents = agents

    def revoke_all(self, agent_id):
        if agent_id not in self.agents.items:
            raise LookupError(agent_id)
        a = self.agents.items[agent_id]
        a["token_version"] = int(a.get("token_version") or 0) + 1
        return a["token_version"]

    def revoke_one(self, agent_id, entry, prune):
        a = self.agents.items[agent_id]
        revoked = set(a.get("revoked_sessions") or ()) | {entry}
        a["revoked_sessions"] = sorted(revoked - set(prune))


class FakeAudit:
    """The audit table: items by (pk, sk); page() answers like a descending Query with a
    filter (limit counts returned items, as PynamoDB's iterator does)."""

    def __init__(self):
        self.items: dict[str, list[dict]] = {}

    def append(self, entry):
        part = self.items.setdefault(entry["pk"], [])
        assert all(e["sk"] != entry["sk"] for e in part), "append-only: never overwrite"
        bisect.insort(part, dict(entry), key=lambda e: e["sk"])
        return dict(entry)

    def all(self):
        return [e for part in self.items.values() for e in part]

    def page(self, pk, sk_from, sk_to, limit, after_sk=None, actor_id=None, action=None):
        rows = [e for e in reversed(self.items.get(pk, []))
                if sk_from <= e["sk"] <= sk_to and (not after_sk or e["sk"] < after_sk)]
        out = []
        for i, e in enumerate(rows):
            if (actor_id and e["actor_id"] != actor_id) or (action and e["action"] != action):
                continue
            out.append(e)
            if len(out) == limit:
                return out, (e["sk"] if i + 1 < len(rows) else None)
        return out, None


class FakeConnections:
    def __init__(self):
        self.rows: list[dict] = []

    def by_agent(self, agent_id):
        return [r for r in self.rows if r.get("agent_id") == agent_id]

    def delete(self, connection_id):
        self.rows = [r for r in self.rows if r["connection_id"] != connection_id]


class FakeSender:
    def __init__(self):
        self.closed: list[str] = []

    def close(self, connection_id):
        self.closed.append(connection_id)


def make_deps(clock: Clock | None = None) -> Deps:
    clock = clock or Clock()
    agents = FakeAgents()
    deps = Deps(visitors=None, conversations=None, messages=None,
                connections=FakeConnections(), agents=agents, sites=None,
                sender=FakeSender(), storage=None, signer_factory=None,
                attempts=FakeAttempts(), sessions=FakeSessions(agents), audit=FakeAudit(),
                clock=clock)
    deps.signer_factory = lambda: TokenSigner([KEY], clock=clock)
    return deps

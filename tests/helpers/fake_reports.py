"""An in-memory ReportsRepo (same methods, same conditions) for unit tests of the consumer."""
from __future__ import annotations

import copy
from collections import defaultdict

from chalicelib.adapters.reports import StateMoved


class FakeReports:
    def __init__(self):
        self.states: dict = {}                 # cid -> (version, {eid: fact})
        self.buckets: dict = defaultdict(lambda: defaultdict(int))
        self.writes = 0
        self.fail_adds = 0                     # make the next n add() calls fail

    def state(self, cid):
        version, facts = self.states.get(cid, (0, {}))
        return version, copy.deepcopy(facts)

    def record(self, cid, site_key, eid, fact, version):
        current, facts = self.states.get(cid, (0, {}))
        if current != version or eid in facts:
            raise StateMoved(eid)
        self.writes += 1
        self.states[cid] = (version + 1, {**facts, eid: copy.deepcopy(fact)})

    def forget(self, cid, eid, version):
        current, facts = self.states.get(cid, (0, {}))
        if current == version + 1:
            facts = dict(facts)
            facts.pop(eid, None)
            self.states[cid] = (version + 2, facts)

    def add(self, site_key, day, counters):
        if self.fail_adds:
            self.fail_adds -= 1
            raise ConnectionError("throttled")
        self.writes += 1
        for attr, value in counters.items():
            self.buckets[(site_key, day)][attr] += value
        return 1

    def days(self, site_key, days):
        return {d: {k: v for k, v in self.buckets[(site_key, d)].items() if v}
                for d in days if (site_key, d) in self.buckets}

    def snapshot(self):
        return {key: {k: v for k, v in attrs.items() if v}
                for key, attrs in self.buckets.items()}

    # agent presence time (adapters/reports.py, same conditions)
    def presence_state(self, agent_id):
        return getattr(self, "presence", {}).get(agent_id)

    def presence_move(self, agent_id, status, at, since):
        self.presence = getattr(self, "presence", {})
        current = self.presence.get(agent_id)
        if (current[1] if current else None) != since:
            raise StateMoved(f"{agent_id}@{at}")
        self.writes += 1
        self.presence[agent_id] = (status, at)

    def presence_add(self, utc_day, counters):
        self.writes += 1
        for attr, value in counters.items():
            self.buckets[("presence", utc_day)][attr] += value

    def presence_days(self, utc_days):
        return self.days("presence", utc_days)

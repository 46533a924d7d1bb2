"""Generated conversations with known shapes and timings, run through the real services on
moto with a simulated clock (tests/helpers/clock.py), and an oracle that recomputes the
report figures from the stored rows with plain, separate code."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.actors import Actor
from chalicelib.domain.reports import bin_of, bin_upper
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, routing, sessions, sites
from tests.helpers.event_envelopes import rows

SITE = "rpt"
TZ = "Asia/Shanghai"
START_MS = 1_767_225_600_000 - 8 * 3_600_000 + 7 * 3_600_000   # 2026-01-01 07:00 +08:00
SHAPES = ("bot", "bot", "served", "served", "served", "transfer", "abandon", "left",
          "reopen", "team")


class World:
    def __init__(self, deps, clock, seed=13):
        self.deps, self.clock, self.rng = deps, clock, random.Random(seed)
        deps.directory.create("team", "sales", {"name": "Sales"})
        deps.directory.create("team", "billing", {"name": "Billing"})
        sites.create_site(deps, SITE, "Reports", {"bot_enabled": True, "report_tz": TZ,
                                                  "teams": ["sales", "billing"]})
        self.agents = [self._agent("Ann"), self._agent("Bob")]
        self.cids: list[str] = []
        self.n = 0

    def _agent(self, name):
        a = agent_svc.create_agent(self.deps, {"email": f"{name.lower()}@rpt.example",
                                               "name": name, "password": "password1",
                                               "capacity": 100,
                                               "teams": ["sales", "billing"]})
        actor = Actor(kind="agent", id=a["agent_id"], role="agent", name=name)
        presence.set_status(self.deps, actor, {"status": "online"})
        return actor

    def wait(self, lo_s, hi_s):
        self.clock.advance(self.rng.randint(lo_s * 1000, hi_s * 1000))

    def say(self, actor, cid, text="hello, 你好"):
        self.n += 1
        convs.post_message(self.deps, actor, cid, {"client_message_id": f"m{self.n}",
                                                   "text": text})

    def bot(self, cid):
        conv = self.deps.conversations.get(cid, consistent=True)
        convs.post_bot_message(self.deps, conv, "Here is an answer.")

    def presence(self, status):
        for a in self.agents:
            presence.set_status(self.deps, a, {"status": status})

    def run_one(self, shape: str):
        d, rng = self.deps, self.rng
        s = sessions.start_session(d, {"site_key": SITE})
        cid = s["conversation_id"]
        v = Actor(kind="visitor", id=s["visitor_id"], site_key=SITE)
        self.cids.append(cid)
        agent = rng.choice(self.agents)
        self.wait(1, 20)
        self.say(v, cid, "我想问一下, \"price\"?")
        self.wait(1, 5)
        self.bot(cid)
        if shape == "bot":
            self.wait(5, 120)
            if rng.random() < 0.8:
                lifecycle.visitor_close(d, v, cid)
            return
        if shape == "left":
            self.presence("away")
            routing.visitor_handoff(d, v, cid, {})          # nobody online: offered offline
            self.wait(10, 60)
            lifecycle.leave_offline_message(d, v, cid, {"email": "v@example.com",
                                                    "text": "call me, 请回电"})
            self.presence("online")
            self.wait(300, 7200)
            lifecycle.accept(d, agent, cid)
            self.wait(5, 60)
            self.say(agent, cid, "Sorry we missed you")
            self.wait(30, 300)
            lifecycle.close(d, agent, cid)
            return
        team = rng.choice(["sales", "billing"]) if shape == "team" else None
        routing.visitor_handoff(d, v, cid, {"team": team} if team else {})
        self.wait(5, 900)
        if shape == "abandon":
            lifecycle.visitor_close(d, v, cid)
            return
        lifecycle.accept(d, agent, cid)
        self.wait(3, 240)
        if rng.random() < 0.3:
            self.say(v, cid, "are you there?")
            self.wait(2, 60)
        for turn in range(rng.randint(1, 4)):
            self.say(agent, cid, f"answer {turn}")
            self.wait(5, 300)
            self.say(v, cid, "ok, 好的")
            self.wait(2, 120)
        if shape == "transfer":
            other = self.agents[1] if agent is self.agents[0] else self.agents[0]
            lifecycle.transfer(d, agent, cid, {"agent_id": other.id})
            agent = other
            self.wait(10, 200)
            self.say(agent, cid, "taking over")
            self.wait(10, 200)
        lifecycle.close(d, agent, cid)
        if rng.random() < 0.6:
            self.wait(2, 60)
            lifecycle.rate(d, v, cid, {"score": rng.randint(1, 5)})
        if shape == "reopen":
            self.wait(60, 3600)
            lifecycle.reopen(d, agent, cid)
            self.wait(5, 200)
            self.say(agent, cid, "one more thing")
            self.wait(10, 300)
            lifecycle.close(d, agent, cid)

    def run(self, count: int):
        """Run `count` conversations; each one's rows are captured (self.captured: [(conv,
        rows)]) and then removed from moto, whose transactions copy whole tables: small
        tables keep a few hundred conversations fast."""
        self.captured = []
        for i in range(count):
            self.run_one(SHAPES[i % len(SHAPES)] if i < len(SHAPES) else
                         self.rng.choice(SHAPES))
            cid = self.cids[-1]
            self.captured.append((self.deps.conversations.get(cid, consistent=True),
                                  rows(self.deps, cid)))
            forget(cid)
            self.clock.advance(self.rng.randint(5 * 60_000, 100 * 60_000))


def forget(cid: str) -> None:
    """Test-only: delete a finished conversation's rows (conversation, messages, claims)."""
    import boto3
    from chalicelib import config
    ddb = boto3.client("dynamodb")
    ddb.delete_item(TableName=config.TABLES["conversations"],
                    Key={"conversation_id": {"S": cid}})
    got = ddb.query(TableName=config.TABLES["messages"],
                    KeyConditionExpression="conversation_id = :c",
                    ExpressionAttributeValues={":c": {"S": cid}},
                    ProjectionExpression="seq")["Items"]
    for item in got:
        ddb.delete_item(TableName=config.TABLES["messages"],
                        Key={"conversation_id": {"S": cid}, "seq": item["seq"]})
    for page in ddb.get_paginator("scan").paginate(TableName=config.TABLES["keys"]):
        for item in page["Items"]:
            ddb.delete_item(TableName=config.TABLES["keys"], Key={"key": item["key"]})


# ---------------------------------------------------------------- the oracle
def local_day(at_ms, tz=TZ) -> str:
    return datetime.fromtimestamp(at_ms / 1000, ZoneInfo(tz)).strftime("%Y-%m-%d")


def oracle(captured):
    """Figures recomputed from the stored conversation and message rows [(conv, rows)],
    conversation by conversation, with no reference to the consumer's facts or buckets."""
    count = defaultdict(int)
    per_agent = defaultdict(lambda: defaultdict(int))
    durations = defaultdict(list)
    started_by_day = defaultdict(int)
    for conv, stored in captured:
        count["started"] += 1
        started_by_day[local_day(conv["created_at"])] += 1
        holder, turn_start, replied, waiting_since, asked_at = None, None, False, None, None
        last_holder, left_at, closed_once, rated_once = None, None, False, False
        human = handed = accepted = missed = left_answered = False
        for r in stored:
            at, ev = int(r["created_at"]), (r.get("event") or {})
            kind = ev.get("kind") if r["type"] == "event" else None
            if r["type"] == "note":
                continue
            if kind == "queued" or (kind == "transferred" and not ev.get("agent_id")):
                count["queued"] += 1
                if kind == "queued" and not handed:
                    handed = True
                    count["handed_off"] += 1
                if kind == "transferred":
                    count["transfers"] += 1
                    per_agent[holder]["transfers"] += 1
                    durations["handle"].append((holder, at - turn_start))
                    holder = None
                waiting_since, human = at, True
            elif kind in ("assigned", "transferred", "reopened"):
                if kind == "transferred":
                    count["transfers"] += 1
                    per_agent[holder]["transfers"] += 1
                if kind == "reopened":
                    count["reopened"] += 1
                if holder is not None:
                    durations["handle"].append((holder, at - turn_start))
                if waiting_since is not None:
                    durations["wait"].append((ev["agent_id"], at - waiting_since))
                    if handed and not accepted:
                        accepted = True
                        count["accepted"] += 1
                    waiting_since = None
                holder = last_holder = ev["agent_id"]
                turn_start, replied, asked_at, human = at, False, None, True
                count["assignments"] += 1
                per_agent[holder]["assignments"] += 1
            elif kind == "closed":
                if waiting_since is not None:
                    count["abandoned"] += 1
                    waiting_since = None
                if not closed_once:
                    closed_once = True
                    count["closed"] += 1
                    if not human:
                        count["bot_resolved"] += 1
                if holder is not None:
                    durations["handle"].append((holder, at - turn_start))
                    holder = None
            elif kind == "offline":
                human = True
                if ev.get("reason") == "left_message":
                    if left_at is None:
                        left_at = at
                        count["left_message"] += 1
                elif not missed:
                    missed = True
                    count["missed"] += 1
            elif kind == "rated" and not rated_once:
                rated_once = True
                count["rated"] += 1
                count["csat_sum"] += ev["score"]
                per_agent[last_holder]["rated"] += 1
            elif r["type"] in ("text", "attachment"):
                who = r["sender_type"]
                count["msg_" + who] += 1
                if who == "visitor" and holder is not None and asked_at is None:
                    asked_at = at
                if who == "agent":
                    per_agent[r["sender_id"]]["msg_agent"] += 1
                    if r["sender_id"] == holder:
                        if not replied:
                            replied = True
                            durations["first_response"].append((holder, at - turn_start))
                        if asked_at is not None:
                            durations["response"].append((holder, at - asked_at))
                            asked_at = None
                    if left_at is not None and not left_answered:
                        left_answered = True
                        count["left_answered"] += 1
                        durations["left_answer"].append((r["sender_id"], at - left_at))
    return {"count": dict(count), "per_agent": per_agent, "durations": durations,
            "started_by_day": dict(started_by_day)}


def nearest_rank_edge(values, p):
    """The reported percentile: the histogram bin edge above the nearest-rank value."""
    values = sorted(values)
    if not values:
        return None
    rank = max(1, -(-int(p * 100) * len(values) // 100))
    return bin_upper(bin_of(values[rank - 1]))

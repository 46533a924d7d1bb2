"""Report metrics as a pure function of a conversation's events (no AWS, no clock).

The reports consumer keeps, per conversation, the compact *facts* of the events it has seen
(`fact_of`). `contributions(facts, tz)` says what the conversation adds to the day buckets
given those facts: a dict {(local day, attribute): number}. Because it depends only on the
*set* of facts (ordered by the message sequence number, never by arrival), the consumer can
apply `diff(contributions(new), contributions(old))` with DynamoDB ADD and every total ends
the same whatever the delivery order, and a duplicate (no new fact) adds nothing.

Metric definitions (each is attributed to the local day/hour of the event that defines it):
- started: conversation.created.  closed: the first close.
- handed_off: the first queue entry; queued: every queue entry (incl. transfers to a team).
- accepted: the first assignment after the first queue entry (reception = accepted/handed_off).
- abandoned: a close while a queue entry waits for an agent.  missed: the first offline offer.
- bot_resolved: the first close when no queue entry, offer, left message or assignment came
  before it.
- wait_ms: queue entry -> the assignment that ends it (at the assignment, its agent); an
  overflow to another team's line (a transfer with reason overflow) keeps the entry's start.
- first_response_ms: start of an agent's turn (assigned, transferred to, reopened) -> that
  agent's first public reply.  response_ms: first unanswered visitor message while an agent
  holds the chat -> the next agent reply.  handle_ms: start of an agent's turn -> close or
  transfer away (busy_ms spreads the same span over the local hours it covers, per agent:
  busy_ms / hour length = average concurrent chats).
- left_message: the first message left offline; left_answered / left_answer_ms: the first
  agent reply after it.
- assignments (chats handled), transfers, reopened, msg_visitor / msg_agent / msg_bot.
- rated, csat_sum, csat_1..csat_5: the first rating (agent: whoever held the chat last).
- per knowledge-base entry (dimension "k:{entry id}", from bot replies' ``data.bot``):
  answered (the bot answered with it), offered (among the bot's suggestions; offered_first:
  the first of them, the bot's best guess -- asked = answered + offered_first), handed_off
  (the chat's first queue entry came after an answer: the entry answered last), resolved
  (the first close with no person before it came after an answer: the entry answered last).
  helpful / not_helpful are added by the widget's feedback (services/bot_figures.py).

Attribute names in a day item: "{dim}|{metric}" (counters), "{dim}|{metric}.n" / ".sum"
(durations), "{dim}|{metric}.b{bin}" (histograms: site/team/channel for every
duration, agents for AGENT_HISTOGRAMS only - wait, first response, handle time - which keeps
an item bounded), "h{HH}|{metric}" (site, by local hour)
and "h{HH}|a:{agent}|busy_ms". dim: "s" (site), "a:{agent}", "t:{team}", "c:{channel}", "k:{KB entry}" (by day only).
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime, timedelta, timezone

REPORT_TYPES = ("conversation.created", "message.created", "conversation.queued",
                "conversation.offline_offered", "conversation.message_left",
                "conversation.assigned", "conversation.transferred", "conversation.closed",
                "conversation.reopened", "conversation.rated")

COUNTERS = ("started", "closed", "handed_off", "queued", "accepted", "abandoned", "missed",
            "bot_resolved", "assignments", "transfers", "reopened", "left_message",
            "left_answered", "msg_visitor", "msg_agent", "msg_bot", "rated", "csat_sum",
            "csat_1", "csat_2", "csat_3", "csat_4", "csat_5")
DURATIONS = ("wait_ms", "first_response_ms", "response_ms", "handle_ms", "left_answer_ms")
AGENT_HISTOGRAMS = ("wait_ms", "first_response_ms", "handle_ms")   # per-agent p50/p90

#: histogram bin upper edges (ms): 0, then 1 s growing by a factor of sqrt(2) a step to a
#: little over a day; a percentile is reported as the upper edge of the bin holding the
#: nearest-rank value (so it is at most 41 % above the exact value)
EDGES = [0] + [int(round(1000 * 2 ** (i / 2))) for i in range(34)]
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def bin_of(ms: int) -> int:
    """Index of the smallest edge >= ms (len(EDGES) for values past the last edge)."""
    return bisect.bisect_left(EDGES, max(0, int(ms)))


def bin_upper(index: int) -> int:
    return EDGES[min(index, len(EDGES) - 1)]


def percentile_from_hist(hist: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile from {bin: count}, as its bin's upper edge (ms)."""
    n = sum(hist.values())
    if n <= 0:
        return None
    rank = max(1, -(-int(p * 100) * n // 100))   # ceil(p * n) without float error
    seen = 0
    for index in sorted(hist):
        seen += hist[index]
        if seen >= rank:
            return bin_upper(index)
    return bin_upper(max(hist))


# ---------------------------------------------------------------- time zones
def zone(name: str | None):
    """A tzinfo for "UTC", "+08:00"-style offsets or an IANA name (unknown: UTC)."""
    from chalicelib.domain.assignment import _tz
    try:
        return _tz(name)
    except ValueError:
        return timezone.utc


def local_day_hour(at_ms: int, tz) -> tuple[str, int]:
    t = datetime.fromtimestamp(at_ms / 1000, tz)
    return t.strftime("%Y-%m-%d"), t.hour


def spread_over_hours(start_ms: int, end_ms: int, tz):
    """[(day, hour, ms)] covering [start, end) in local hours (whole-hour zones and DST-aware
    IANA zones both work: the boundaries are computed in UTC and labelled locally)."""
    out = []
    t = start_ms
    while t < end_ms:
        nxt = min(end_ms, (t // HOUR_MS + 1) * HOUR_MS)
        day, hour = local_day_hour(t, tz)
        out.append((day, hour, nxt - t))
        t = nxt
        if len(out) > 24 * 62:     # a chat held for two months: stop spreading
            break
    return out


# ---------------------------------------------------------------- facts
def fact_of(event: dict) -> dict | None:
    """The compact record of one envelope that the metrics need (None: not a report event)."""
    etype = event.get("type")
    if etype not in REPORT_TYPES:
        return None
    ctx = event.get("conversation") or {}
    data = event.get("data") or {}
    short = "message" if etype == "message.created" else etype.split(".", 1)[1]
    f = {"t": short, "at": int(event["at"]), "q": int(event.get("seq") or 0),
         "tm": ctx.get("team") or None, "ch": ctx.get("channel") or "web"}
    if etype == "message.created":
        sender = data.get("sender") or {}
        if data.get("private") or data.get("kind") == "note":
            return None                       # notes are not part of the conversation
        f["s"] = sender.get("type")
        if sender.get("type") == "agent":
            f["a"] = sender.get("id")
        bot = data.get("bot") if sender.get("type") == "bot" else None
        if bot and bot.get("kind") == "answer" and bot.get("entry_id"):
            f["e"] = bot["entry_id"]                  # the entry it answered with
        elif bot and bot.get("kind") == "suggest" and bot.get("suggestions"):
            f["sg"] = list(bot["suggestions"])[:5]    # the entries it offered
    elif etype in ("conversation.assigned", "conversation.reopened"):
        f["a"] = data.get("agent_id")
    elif etype == "conversation.transferred":
        f["a"] = data.get("agent_id")         # None when transferred to a team queue
        if data.get("team"):
            f["tm"] = data["team"]
        if data.get("reason") == "overflow":
            f["r"] = "overflow"               # a waiting chat moved on: its wait goes on
    elif etype == "conversation.rated":
        f["sc"] = int(data.get("score") or 0)
    return {k: v for k, v in f.items() if v is not None}


def _order(f: dict):
    return (f.get("q", 0), f["at"])


# ---------------------------------------------------------------- observations
class _Obs:
    """Collects (metric, at, dims, value) and turns them into bucket attributes."""

    def __init__(self, tz):
        self.tz = tz
        self.out: dict = defaultdict(int)

    def _dims(self, f: dict, agent: str | None):
        dims = ["s", "c:" + f.get("ch", "web")]
        if f.get("tm"):
            dims.append("t:" + f["tm"])
        if agent:
            dims.append("a:" + agent)
        return dims

    def count(self, metric: str, f: dict, agent: str | None = None, value: int = 1):
        day, hour = local_day_hour(f["at"], self.tz)
        for d in self._dims(f, agent):
            self.out[(day, f"{d}|{metric}")] += value
        self.out[(day, f"h{hour:02d}|{metric}")] += value

    def duration(self, metric: str, f: dict, ms: int, agent: str | None = None):
        ms = max(0, int(ms))
        day, hour = local_day_hour(f["at"], self.tz)
        b = bin_of(ms)
        for d in self._dims(f, agent):
            self.out[(day, f"{d}|{metric}.n")] += 1
            self.out[(day, f"{d}|{metric}.sum")] += ms
            if not d.startswith("a:") or metric in AGENT_HISTOGRAMS:
                self.out[(day, f"{d}|{metric}.b{b}")] += 1
        self.out[(day, f"h{hour:02d}|{metric}.n")] += 1
        self.out[(day, f"h{hour:02d}|{metric}.sum")] += ms

    def entry(self, metric: str, f: dict, entry: str):
        """A knowledge-base entry's figure (its own dimension, by day only)."""
        day, _hour = local_day_hour(f["at"], self.tz)
        self.out[(day, f"k:{entry}|{metric}")] += 1

    def busy(self, agent: str, start: int, end: int):
        for day, hour, ms in spread_over_hours(start, end, self.tz):
            self.out[(day, f"h{hour:02d}|a:{agent}|busy_ms")] += ms


def contributions(facts, tz) -> dict:
    """{(day, attribute): value} that this conversation's facts add to the buckets."""
    obs = _Obs(tz)
    facts = sorted(facts, key=_order)
    first = set()
    pending_queue = None        # fact of the queue entry waiting for an agent
    seg = None                  # the agent turn in progress: {agent, start, replied}
    unanswered = None           # first visitor message not yet answered in this turn
    left_at = None
    last_agent = None
    human = False               # queued, offered, left a message or assigned so far
    answered = None             # the entry the bot answered with last

    def once(name):
        if name in first:
            return False
        first.add(name)
        return True

    def end_turn(f):
        nonlocal seg
        if seg is not None:
            obs.duration("handle_ms", f, f["at"] - seg["start"], seg["agent"])
            obs.busy(seg["agent"], seg["start"], f["at"])
            seg = None

    def start_turn(f, agent):
        nonlocal seg, unanswered, last_agent
        seg = {"agent": agent, "start": f["at"], "replied": False}
        unanswered, last_agent = None, agent
        obs.count("assignments", f, agent)

    for f in facts:
        t = f["t"]
        if t == "created":
            if once("created"):
                obs.count("started", f)
        elif t == "queued":
            obs.count("queued", f)
            if once("handed_off"):
                obs.count("handed_off", f)
                if answered is not None:
                    obs.entry("handed_off", f, answered)
            pending_queue, human = f, True
        elif t in ("assigned", "transferred", "reopened"):
            agent = f.get("a")
            if t == "transferred":
                obs.count("transfers", f, seg["agent"] if seg else None)
            if t == "reopened":
                obs.count("reopened", f, agent)
            end_turn(f)
            if agent is None:                 # transferred to a team: back in the queue
                obs.count("queued", f)
                if not (f.get("r") == "overflow" and pending_queue is not None):
                    pending_queue = f         # an overflow keeps the wait's start
                continue
            if pending_queue is not None:
                obs.duration("wait_ms", f, f["at"] - pending_queue["at"], agent)
                if "handed_off" in first and once("accepted"):
                    obs.count("accepted", f, agent)
                pending_queue = None
            human = True
            start_turn(f, agent)
        elif t == "closed":
            agent = seg["agent"] if seg else last_agent
            if pending_queue is not None:
                obs.count("abandoned", f)
                pending_queue = None
            if once("closed"):
                obs.count("closed", f, agent)
                if not human:
                    obs.count("bot_resolved", f)
                    if answered is not None:
                        obs.entry("resolved", f, answered)
            end_turn(f)
        elif t == "offline_offered":
            human = True
            if once("missed"):
                obs.count("missed", f)
        elif t == "message_left":
            human = True
            if once("left_message"):
                obs.count("left_message", f)
                left_at = f["at"]
        elif t == "rated":
            if once("rated"):
                score = int(f.get("sc") or 0)
                obs.count("rated", f, last_agent)
                obs.count("csat_sum", f, last_agent, value=score)
                if 1 <= score <= 5:
                    obs.count(f"csat_{score}", f, last_agent)
        elif t == "message":
            sender = f.get("s")
            if sender == "visitor":
                obs.count("msg_visitor", f, seg["agent"] if seg else None)
                if seg is not None and unanswered is None:
                    unanswered = f
            elif sender == "bot":
                obs.count("msg_bot", f)
                if f.get("e"):
                    answered = f["e"]
                    obs.entry("answered", f, answered)
                for n, entry in enumerate(f.get("sg") or ()):
                    obs.entry("offered", f, entry)
                    if n == 0:   # the bot's best guess for the question
                        obs.entry("offered_first", f, entry)
            elif sender == "agent":
                agent = f.get("a")
                obs.count("msg_agent", f, agent)
                if seg is not None and agent == seg["agent"]:
                    if not seg["replied"]:
                        seg["replied"] = True
                        obs.duration("first_response_ms", f, f["at"] - seg["start"], agent)
                    if unanswered is not None:
                        obs.duration("response_ms", f, f["at"] - unanswered["at"], agent)
                        unanswered = None
                if left_at is not None and once("left_answered"):
                    obs.count("left_answered", f, agent)
                    obs.duration("left_answer_ms", f, f["at"] - left_at, agent)
    return {k: v for k, v in obs.out.items() if v}


def diff(new: dict, old: dict) -> dict:
    """new - old, without zero entries: what one more fact changes in the buckets."""
    out = {}
    for key in set(new) | set(old):
        delta = new.get(key, 0) - old.get(key, 0)
        if delta:
            out[key] = delta
    return out


def by_day(delta: dict) -> dict[str, dict[str, int]]:
    out: dict = defaultdict(dict)
    for (day, attr), value in delta.items():
        out[day][attr] = value
    return dict(out)


def days_between(first: str, last: str) -> list[str]:
    d0 = datetime.strptime(first, "%Y-%m-%d")
    d1 = datetime.strptime(last, "%Y-%m-%d")
    return [(d0 + timedelta(days=i)).strftime("%Y-%m-%d") for i in range((d1 - d0).days + 1)]

"""QA figures (no AWS): what one scored conversation or one review adds to its day's
aggregate, and the summary read from a range of days.

A day item holds sums and counts, never averages, so contributions add and subtract:
`{"auto": {"n", "sum"}, "reviews": {"n", "sum"}, "findings": {check: n},
  "agents": {id: {"auto_n", "auto_sum", "rev_n", "rev_sum"}}, "teams": {team: {...}},
  "criteria": {id: {"n", "sum"}}}`. A rescored conversation (rated after the close, or a
redelivered event) contributes its new result minus its old one, so it is counted once.
"""
from __future__ import annotations

from datetime import datetime, timezone

DAY_MS = 24 * 3600 * 1000


def day_of(ms: int, tz=timezone.utc) -> str:
    """The local day (in the site's report zone) of an instant: the day item it counts in."""
    return datetime.fromtimestamp(int(ms) / 1000, tz).strftime("%Y-%m-%d")


def day_start(day: str) -> int:
    """A day item's range key: the label's midnight read as UTC. It orders and bounds the
    labels (one Query for a range of local days); it is not the local day's first instant."""
    d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return int(d.timestamp() * 1000)


def counted_day(item: dict | None) -> str | None:
    """The day an automatic result or a review was counted in: the `day` fixed when the
    conversation was scored (local to the site's zone then), else (items from before days
    were local) the UTC day of the close. Always the same for one item, so a rescoring or a
    review move subtracts from the day it added to, even after the site's zone changed."""
    if not item:
        return None
    day = (item.get("result") or {}).get("day") or item.get("day")
    if day:
        return day
    return day_of(item["closed_at"]) if item.get("closed_at") else None


def _add(target: dict, path: tuple, value: int) -> None:
    node = target
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = node.get(path[-1], 0) + value


def auto_contribution(item: dict | None, sign: int = 1) -> dict:
    """One automatic result (a qa table item: score, agent_id, result.findings)."""
    out: dict = {}
    if not item:
        return out
    score = int(item.get("score") or 0)
    _add(out, ("auto", "n"), sign)
    _add(out, ("auto", "sum"), sign * score)
    agent = item.get("agent_id")
    if agent:
        _add(out, ("agents", agent, "auto_n"), sign)
        _add(out, ("agents", agent, "auto_sum"), sign * score)
    for f in (item.get("result") or {}).get("findings") or []:
        _add(out, ("findings", str(f.get("check"))), sign)
    return out


def review_contribution(review: dict | None, sign: int = 1) -> dict:
    """One scored review (reviewed, acknowledged, disputed or settled)."""
    out: dict = {}
    if not review or review.get("status") == "queued" or review.get("score") is None:
        return out
    score = int(review["score"])
    _add(out, ("reviews", "n"), sign)
    _add(out, ("reviews", "sum"), sign * score)
    if review.get("agent_id"):
        _add(out, ("agents", review["agent_id"], "rev_n"), sign)
        _add(out, ("agents", review["agent_id"], "rev_sum"), sign * score)
    if review.get("team"):
        _add(out, ("teams", review["team"], "rev_n"), sign)
        _add(out, ("teams", review["team"], "rev_sum"), sign * score)
    for cid, points in (review.get("scores") or {}).items():
        _add(out, ("criteria", cid, "n"), sign)
        _add(out, ("criteria", cid, "sum"), sign * int(points) * 20)     # 0-5 -> 0-100
    return out


def merge(a: dict, b: dict) -> dict:
    """a + b, key by key (nested); zero entries are dropped."""
    out = {k: (merge(v, {}) if isinstance(v, dict) else v) for k, v in a.items()}
    for k, v in b.items():
        if isinstance(v, dict):
            out[k] = merge(out.get(k) or {}, v)
        else:
            out[k] = out.get(k, 0) + v
    return {k: v for k, v in out.items() if v != 0 and v != {}}


def delta(old: dict, new: dict) -> dict:
    return merge(new, _negate(old))


def _negate(d: dict) -> dict:
    return {k: _negate(v) if isinstance(v, dict) else -v for k, v in d.items()}


def _avg(total: int, n: int):
    return round(total / n, 1) if n else None


def summarize(days: list[dict], top: int = 10) -> dict:
    """Averages over the days given (each {"day", "figures"}), a series per day, the most
    frequent automatic findings."""
    total: dict = {}
    series = []
    for d in sorted(days, key=lambda x: x["day"]):
        f = d.get("figures") or {}
        total = merge(total, f)
        series.append({"day": d["day"],
                       "auto_avg": _avg((f.get("auto") or {}).get("sum", 0),
                                        (f.get("auto") or {}).get("n", 0)),
                       "review_avg": _avg((f.get("reviews") or {}).get("sum", 0),
                                          (f.get("reviews") or {}).get("n", 0))})
    auto, rev = total.get("auto") or {}, total.get("reviews") or {}
    agents = [{"agent_id": a, "auto_n": v.get("auto_n", 0),
               "auto_avg": _avg(v.get("auto_sum", 0), v.get("auto_n", 0)),
               "review_n": v.get("rev_n", 0), "review_avg": _avg(v.get("rev_sum", 0),
                                                                 v.get("rev_n", 0))}
              for a, v in sorted((total.get("agents") or {}).items())]
    teams = [{"team": t, "review_n": v.get("rev_n", 0),
              "review_avg": _avg(v.get("rev_sum", 0), v.get("rev_n", 0))}
             for t, v in sorted((total.get("teams") or {}).items())]
    criteria = [{"criterion": c, "n": v.get("n", 0), "avg": _avg(v.get("sum", 0), v.get("n", 0))}
                for c, v in sorted((total.get("criteria") or {}).items())]
    findings = sorted(((k, n) for k, n in (total.get("findings") or {}).items() if n > 0),
                      key=lambda kv: (-kv[1], kv[0]))[:top]
    return {"auto": {"n": auto.get("n", 0), "avg": _avg(auto.get("sum", 0), auto.get("n", 0))},
            "reviews": {"n": rev.get("n", 0), "avg": _avg(rev.get("sum", 0), rev.get("n", 0))},
            "agents": agents, "teams": teams, "criteria": criteria,
            "top_findings": [{"check": k, "count": n} for k, n in findings],
            "series": series}

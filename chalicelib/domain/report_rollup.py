"""Read side of the reports: roll day items up into figures (pure, no AWS).

A day item is {attribute: number} as written by the consumer (see domain/reports.py for the
attribute names). Figures are sums over days, rates of two sums, averages (sum / n) and
percentiles from the summed histograms.
"""
from __future__ import annotations

from collections import defaultdict

from chalicelib.domain.reports import COUNTERS, DURATIONS, percentile_from_hist
from chalicelib.domain.ticket_reports import TICKET_COUNTERS, TICKET_DURATIONS

RATES = {   # name: (numerator, denominator)
    "bot_resolution_rate": ("bot_resolved", "closed"),
    "reception_rate": ("accepted", "handed_off"),
    "abandon_rate": ("abandoned", "handed_off"),
    "reopen_rate": ("reopened", "closed"),
    "csat_response_rate": ("rated", "closed"),
    "left_answered_rate": ("left_answered", "left_message"),
}


def _ratio(a, b, digits=4):
    return round(a / b, digits) if b else None


def split(item: dict) -> dict:
    """{dim: {name: value}} of one day item ("s|started" -> {"s": {"started": n}}; hour
    attributes under "hNN"): split once, each figure then reads only its dimension. A
    summary is stored split already and is returned as it is."""
    for value in item.values():
        if isinstance(value, dict):
            return item
        break
    out: dict = defaultdict(dict)
    for attr, value in item.items():
        dim, sep, name = attr.partition("|")
        if sep:
            out[dim][name] = value
    return dict(out)


def _split_all(items) -> list[dict]:
    items = list(items)
    if items and not all(isinstance(v, dict) for v in items[0].values()):
        return [split(i) for i in items]
    return items


def collect(items, dim: str) -> dict:
    """Sum the attributes of one dimension ("s", "a:x", "t:y", "c:web") over day items
    (raw or split): {"counters": {...}, "durations": {metric: {"n", "sum", "hist"}}}."""
    counters: dict = defaultdict(int)
    durations: dict = {m: {"n": 0, "sum": 0, "hist": defaultdict(int)}
                       for m in DURATIONS + TICKET_DURATIONS}
    for item in _split_all(items):
        for name, value in (item.get(dim) or {}).items():
            metric, _, part = name.partition(".")
            if not part:
                counters[metric] += int(value)
            elif metric in durations:
                if part in ("n", "sum"):
                    durations[metric][part] += int(value)
                elif part.startswith("b"):
                    durations[metric]["hist"][int(part[1:])] += int(value)
    return {"counters": dict(counters), "durations": durations}


def figures(collected: dict, percentiles: bool = True) -> dict:
    """Counters, rates, averages and (with histograms) p50/p90, as one flat dict."""
    c = collected["counters"]
    out = {name: int(c.get(name, 0)) for name in COUNTERS + TICKET_COUNTERS}
    for name, (num, den) in RATES.items():
        out[name] = _ratio(out[num], out[den])
    out["csat_avg"] = _ratio(out["csat_sum"], out["rated"], 2)
    messages = out["msg_visitor"] + out["msg_agent"] + out["msg_bot"]
    out["messages_per_conversation"] = _ratio(messages, out["started"], 2)
    for metric, d in collected["durations"].items():
        base = metric[:-3]    # "wait_ms" -> "wait"
        out[f"{base}_n"] = d["n"]
        out[f"{base}_avg_ms"] = (d["sum"] // d["n"]) if d["n"] else None
        if percentiles:
            out[f"{base}_p50_ms"] = percentile_from_hist(d["hist"], 0.5)
            out[f"{base}_p90_ms"] = percentile_from_hist(d["hist"], 0.9)
    return out


def dim_values(items, kind: str) -> list[str]:
    """The values of one dimension kind ("a", "t", "c") present in items."""
    prefix = kind + ":"
    return sorted({dim[len(prefix):] for item in _split_all(items) for dim in item
                   if dim.startswith(prefix)})


BUSY = "busy"     # a sealed day's {agent: busy ms} (summary_parts)


def summary_parts(item: dict) -> tuple[dict, dict]:
    """A split day item as a sealed summary: (main, hours). The hour attributes (more than half
    of a busy day's) are kept apart, read only by an hourly report; the main part carries
    each agent's busy ms of the day, summed, so a long report never reads the hours."""
    main = {dim: values for dim, values in item.items() if dim[:1] != "h"}
    hours = {dim: values for dim, values in item.items() if dim[:1] == "h"}
    main[BUSY] = busy_by_agent([hours]) if hours else {}
    return main, hours


def busy_by_agent(items) -> dict[str, int]:
    """{agent: busy ms} over day items: a sealed day's sums, else one pass over the hour
    attributes."""
    out: dict = defaultdict(int)
    for item in _split_all(items):
        if BUSY in item:
            for agent, ms in item[BUSY].items():
                out[agent] += int(ms)
            continue
        for dim, values in item.items():
            if dim[:1] != "h":
                continue
            for name, value in values.items():
                if name.endswith("|busy_ms"):
                    out[name[2:-8]] += int(value)
    return dict(out)


def busy_ms(items, agent: str) -> int:
    return busy_by_agent(items).get(agent, 0)


SERIES_METRICS = ("started", "handed_off", "accepted", "missed", "abandoned", "closed",
                  "bot_resolved", "rated", "tk_created", "tk_solved")
SERIES_AVERAGES = ("wait_ms", "first_response_ms", "handle_ms")


def _point(counters: dict, durations: dict) -> dict:
    point = {m: int(counters.get(m, 0)) for m in SERIES_METRICS}
    for m in SERIES_AVERAGES:
        n, total = durations.get(m, (0, 0))
        point[m[:-3] + "_avg_ms"] = (total // n) if n else None
    rated = int(counters.get("rated", 0))
    point["csat_avg"] = _ratio(int(counters.get("csat_sum", 0)), rated, 2)
    return point


def daily_series(items_by_day: dict, days: list[str], dim: str) -> list[dict]:
    out = []
    for day in days:
        got = collect([items_by_day.get(day) or {}], dim)
        durations = {m: (d["n"], d["sum"]) for m, d in got["durations"].items()}
        out.append({"t": day, **_point(got["counters"], durations)})
    return out


def hourly_series(items_by_day: dict, days: list[str]) -> list[dict]:
    """Site figures per local hour (hour attributes are kept for the site only)."""
    out = []
    for day in days:
        item = _split_all([items_by_day.get(day) or {}])[0]
        for h in range(24):
            counters, durations = defaultdict(int), defaultdict(lambda: [0, 0])
            for name, value in (item.get(f"h{h:02d}") or {}).items():
                metric, _, part = name.partition(".")
                if "|" in name:
                    continue                      # per-agent busy time
                if not part:
                    counters[metric] += int(value)
                elif part in ("n", "sum"):
                    durations[metric][0 if part == "n" else 1] += int(value)
            out.append({"t": f"{day}T{h:02d}:00",
                        **_point(counters, {m: tuple(v) for m, v in durations.items()})})
    return out


def change(current: dict, previous: dict, keys) -> dict:
    """Relative change of each headline figure against the previous period (None: no base)."""
    out = {}
    for k in keys:
        a, b = current.get(k), previous.get(k)
        out[k] = None if a is None or not b else round((a - b) / b, 4)
    return out

"""Report queries: figures for a site and a date range, read from the day buckets only.

A report over N local days reads the summaries of the days older than two days and the live
buckets of the others, for the range and the previous period (BatchGetItem, 100 keys a
request: 90 days = 2 requests for summaries + up to 2 for days without one), the site (its zone)
and the agent list (names): no full-table read, no conversation read, the same cost at 10
or 100,000 conversations. The first read of an old day seals it (one transaction per day, once).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import presence_time
from chalicelib.domain import report_rollup as rollup
from chalicelib.domain import reports as metrics
from chalicelib.domain.actors import Actor
from chalicelib.domain.reports import DAY_MS, days_between
from chalicelib.domain.validation import ID_RE, SITE_KEY_RE
from chalicelib.errors import NotFound, ValidationError
from chalicelib.services.reports.consumer import site_zone_name

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DAYS = 366
HOURLY_MAX_DAYS = 2
SEAL_AFTER_DAYS = 2       # a day this old is summarised (late events remove the summary)
HEADLINES = ("started", "handed_off", "bot_resolution_rate", "reception_rate",
             "wait_avg_ms", "first_response_avg_ms", "handle_avg_ms", "csat_avg",
             "missed", "abandoned", "tk_created", "tk_solved", "tk_first_reply_avg_ms",
             "tk_resolution_avg_ms")
AGENT_COLUMNS = ("assignments", "closed", "transfers", "msg_agent", "first_response_avg_ms",
                 "first_response_p50_ms", "first_response_p90_ms", "response_avg_ms",
                 "handle_avg_ms", "handle_p50_ms", "handle_p90_ms", "wait_avg_ms",
                 "wait_p50_ms", "wait_p90_ms", "rated", "csat_avg", "tk_replies", "tk_solved",
                 "tk_first_reply_avg_ms")
PRESENCE_COLUMNS = tuple(presence_time.COLUMNS.values())
PARAMS = ("site", "from", "to", "agent", "team", "channel")


def _date(name: str, value) -> datetime:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValidationError(f"'{name}' must be a date, YYYY-MM-DD.", code="invalid_date",
                              details={"field": name})
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise ValidationError(f"'{name}' is not a calendar date.", code="invalid_date",
                              details={"field": name})


def parse(params: dict, actor: Actor) -> dict:
    """Validate the query string; agents always get their own figures."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise ValidationError(f"Unknown parameter '{unknown[0]}'.", code="unknown_field",
                              details={"field": unknown[0]})
    site = params.get("site")
    if not site or not SITE_KEY_RE.match(site):
        raise ValidationError("'site' is required (a site key).", code="invalid_field",
                              details={"field": "site"})
    first, last = _date("from", params.get("from")), _date("to", params.get("to"))
    if last < first:
        raise ValidationError("'to' is before 'from'.", code="invalid_range",
                              details={"field": "to"})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"A report covers at most {MAX_DAYS} days.",
                              code="range_too_long", details={"field": "to"})
    filters = [(k, params[k]) for k in ("agent", "team", "channel") if params.get(k)]
    if len(filters) > 1:
        raise ValidationError("Filter by one of agent, team or channel.",
                              code="too_many_filters", details={"field": filters[1][0]})
    for k, v in filters:
        if not ID_RE.match(v):
            raise ValidationError(f"'{k}' is not a valid id.", code="invalid_field",
                                  details={"field": k})
    if not actor.is_supervisor:
        filters = [("agent", actor.id)]
    return {"site": site, "from": first, "to": last, "filter": filters[0] if filters else None}


def load_days(deps, site_key: str, days: list[str], tz, hours: bool = False
              ) -> dict[str, dict]:
    """{day: counters}: the summary of each day older than SEAL_AFTER_DAYS (one small item;
    its hour attributes only when `hours`: an hourly report), else the live bucket; a live
    bucket old enough is sealed on the way (once per day)."""
    today = datetime.strptime(metrics.local_day_hour(now_ms(), tz)[0], "%Y-%m-%d")
    cutoff = _iso(today - timedelta(days=SEAL_AFTER_DAYS))
    old = [d for d in days if d <= cutoff]
    out = deps.reports.summaries(site_key, old, hours=hours) if old else {}
    missing = [d for d in days if d not in out]
    live = deps.reports.days(site_key, missing) if missing else {}
    for day, counters in live.items():
        if day <= cutoff:
            # stored split by dimension (a report parses it and reads it as it is), the
            # hours apart (report_rollup.summary_parts)
            main, apart = rollup.summary_parts(rollup.split(
                {k: v for k, v in counters.items() if v and k not in ("ver", "sealed")}))
            deps.reports.seal(site_key, day, counters, main, apart)
        out[day] = counters
    return out


def _iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%d")


def site_report(deps, actor: Actor, params: dict) -> dict:
    q = parse(params, actor)
    site = deps.sites.get(q["site"])
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    span = (q["to"] - q["from"]).days + 1
    days = days_between(_iso(q["from"]), _iso(q["to"]))
    prev_first = q["from"] - timedelta(days=span)
    prev_days = days_between(_iso(prev_first), _iso(q["from"] - timedelta(days=1)))
    kind, value = q["filter"] or ("site", None)
    hourly = span <= HOURLY_MAX_DAYS and kind == "site"
    items = load_days(deps, q["site"], prev_days + days, metrics.zone(
        site_zone_name(site.get("settings"))), hours=hourly)
    items = {day: rollup.split(item) for day, item in items.items()}
    current = [items[d] for d in days if d in items]
    previous = [items[d] for d in prev_days if d in items]

    dim = {"site": "s", "agent": "a:", "team": "t:", "channel": "c:"}[kind] + (value or "")
    totals = rollup.figures(rollup.collect(current, dim))
    before = rollup.figures(rollup.collect(previous, dim))
    series = (rollup.hourly_series(items, days) if hourly
              else rollup.daily_series(items, days, dim))
    out = {"site_key": q["site"], "from": days[0], "to": days[-1],
           "tz": site_zone_name(site.get("settings")),
           "filter": {"kind": kind, "value": value} if value else None,
           "granularity": "hour" if hourly else "day",
           "totals": totals,
           "previous": {"from": prev_days[0], "to": prev_days[-1], "totals": before},
           "change": rollup.change(totals, before, HEADLINES),
           "series": series}
    if kind in ("site", "agent"):
        tz = metrics.zone(site_zone_name(site.get("settings")))
        presence = presence_time.local_totals(
            deps.reports.presence_days(presence_time.utc_days_for(days[0], days[-1], tz)),
            days[0], days[-1], tz)
        out["agents"] = _agents(deps, current, span, value, presence,
                                set((site.get("settings") or {}).get("teams") or ()))
    if kind == "site":
        out["teams"] = [{"team": t, **_pick(rollup.figures(rollup.collect(current, "t:" + t)))}
                        for t in rollup.dim_values(current, "t")]
        out["channels"] = [{"channel": c,
                            **_pick(rollup.figures(rollup.collect(current, "c:" + c)))}
                           for c in rollup.dim_values(current, "c")]
    return out


def _pick(fig: dict) -> dict:
    return {k: fig.get(k) for k in ("started", "handed_off", "accepted", "reception_rate",
                                     "wait_avg_ms", "wait_p90_ms", "handle_avg_ms",
                                     "csat_avg", "rated", "tk_created", "tk_solved")}


def _agents(deps, items, span_days: int, only: str | None, presence: dict,
            site_teams: set) -> list[dict]:
    """One row per agent with chats on the site in the range, and per agent of one of the
    site's teams with presence time in it (online with no chat). Presence time is the
    agent's, not the site's: agents are not per site."""
    agents = deps.agents.list_all()
    names = {a["agent_id"]: a.get("name") for a in agents}
    idle = {a["agent_id"] for a in agents if a["agent_id"] in presence
            and site_teams & set(a.get("teams") or ())}
    ids = [only] if only else sorted(set(rollup.dim_values(items, "a")) | idle)
    rows = []
    busy_all = rollup.busy_by_agent(items)      # one pass for every agent
    for agent_id in ids:
        fig = rollup.figures(rollup.collect(items, "a:" + agent_id))
        busy = busy_all.get(agent_id, 0)
        rows.append({"agent_id": agent_id, "name": names.get(agent_id),
                     **{k: fig.get(k) for k in AGENT_COLUMNS},
                     "busy_ms": busy,
                     **(presence.get(agent_id) or {c: 0 for c in PRESENCE_COLUMNS}),
                     "avg_concurrency": round(busy / (span_days * DAY_MS), 3)})
    return rows

"""QA figures: per-site day aggregates kept up to date by the `qa` consumer (automatic
scores and findings) and by review writes (manual scores per agent, team and criterion), and
the summary read from them (GET /v1/agent/qa/summary): one Query for up to 90 days, never a
read of the results themselves (the design of docs/reports.md). Days are the site's local
days (settings.report_tz, else business_hours.tz, else UTC, as reports) of the conversation's
close, fixed on the result when it is scored (domain/qa/figures.counted_day)."""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain import reports as metrics
from chalicelib.domain.qa import figures as fig
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Forbidden, ValidationError
from chalicelib.services.reports.consumer import site_zone_name

SUMMARY_SCHEMA = {"site_key": Field(str, required=True, min_len=1, max_len=64),
                  "days": Field(int, min=1, max=90)}


def _add(deps, site_key: str | None, day: str | None, change: dict) -> None:
    if not change or not site_key or not day:
        return
    deps.qa_figures.add(site_key, day, fig.day_start(day), change, fig.merge)


def on_scored(deps, old: dict | None, new: dict | None) -> None:
    """A conversation was (re)scored: its new result replaces its old one in the figures."""
    try:
        if old and new and fig.counted_day(old) == fig.counted_day(new) \
                and old.get("site_key") == new.get("site_key"):
            _add(deps, new.get("site_key"), fig.counted_day(new),
                 fig.delta(fig.auto_contribution(old), fig.auto_contribution(new)))
            return
        if old:
            _add(deps, old.get("site_key"), fig.counted_day(old), fig.auto_contribution(old, -1))
        if new:
            _add(deps, new.get("site_key"), fig.counted_day(new), fig.auto_contribution(new))
    except Exception as exc:      # the score is stored; a lost figure is logged (an alarm)
        log.error("qa_figures_failed", conversation_id=(new or old or {}).get("conversation_id"),
                  error=repr(exc))


def on_review(deps, before: dict, after: dict) -> None:
    try:
        _add(deps, after.get("site_key"), fig.counted_day(after),
             fig.delta(fig.review_contribution(before), fig.review_contribution(after)))
    except Exception as exc:
        log.error("qa_figures_failed", conversation_id=after.get("conversation_id"),
                  error=repr(exc))


def summary(deps, actor: Actor, query: dict) -> dict:
    """QA averages per agent, team and criterion, the daily series and the most frequent
    automatic findings of a site over the last `days` (default 30) days, local to the site's
    report zone (today included). Supervisors and
    admins only: agents read their own reviews (GET /v1/agent/qa-review/mine)."""
    if not actor.is_supervisor:
        raise Forbidden("Only supervisors and admins see QA figures.", code="forbidden")
    params = dict(query or {})
    if "days" in params:
        try:
            params["days"] = int(params["days"])
        except (TypeError, ValueError):
            raise ValidationError("'days' must be a whole number.", code="invalid_type",
                                  details={"field": "days"})
    q = validate(params, SUMMARY_SCHEMA)
    n = q.get("days", 30)
    site = deps.sites.get(q["site_key"]) or {}
    tz = metrics.zone(site_zone_name(site.get("settings")))
    today = datetime.fromtimestamp(deps.clock(), tz).date()
    first = today - timedelta(days=n - 1)
    from_ms = fig.day_start(first.isoformat())
    to_ms = fig.day_start(today.isoformat())
    days = deps.qa_figures.days(q["site_key"], from_ms, to_ms)
    return {"site_key": q["site_key"], "from": first.isoformat(), "to": today.isoformat(),
            **fig.summarize(days)}

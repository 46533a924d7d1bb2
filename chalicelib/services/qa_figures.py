"""QA figures: per-site day aggregates kept up to date by the `qa` consumer (automatic
scores and findings) and by review writes (manual scores per agent, team and criterion), and
the summary read from them (GET /v1/agent/qa/summary): one Query for up to 90 days, never a
read of the results themselves (the design of docs/reports.md). Days are UTC days of the
conversation's close."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.qa import figures as fig
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Forbidden, ValidationError

SUMMARY_SCHEMA = {"site_key": Field(str, required=True, min_len=1, max_len=64),
                  "days": Field(int, min=1, max=90)}


def _add(deps, site_key: str | None, closed_at, change: dict) -> None:
    if not change or not site_key or not closed_at:
        return
    day = fig.day_of(int(closed_at))
    deps.qa_figures.add(site_key, day, fig.day_start(day), change, fig.merge)


def on_scored(deps, old: dict | None, new: dict | None) -> None:
    """A conversation was (re)scored: its new result replaces its old one in the figures."""
    try:
        if old and new and fig.day_of(old["closed_at"]) == fig.day_of(new["closed_at"]) \
                and old.get("site_key") == new.get("site_key"):
            _add(deps, new.get("site_key"), new["closed_at"],
                 fig.delta(fig.auto_contribution(old), fig.auto_contribution(new)))
            return
        if old:
            _add(deps, old.get("site_key"), old.get("closed_at"), fig.auto_contribution(old, -1))
        if new:
            _add(deps, new.get("site_key"), new.get("closed_at"), fig.auto_contribution(new))
    except Exception as exc:      # the score is stored; a lost figure is logged (an alarm)
        log.error("qa_figures_failed", conversation_id=(new or old or {}).get("conversation_id"),
                  error=repr(exc))


def on_review(deps, before: dict, after: dict) -> None:
    try:
        _add(deps, after.get("site_key"), after.get("closed_at"),
             fig.delta(fig.review_contribution(before), fig.review_contribution(after)))
    except Exception as exc:
        log.error("qa_figures_failed", conversation_id=after.get("conversation_id"),
                  error=repr(exc))


def summary(deps, actor: Actor, query: dict) -> dict:
    """QA averages per agent, team and criterion, the daily series and the most frequent
    automatic findings of a site over the last `days` (default 30) UTC days. Supervisors and
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
    today = datetime.fromtimestamp(deps.clock(), timezone.utc).date()
    first = today - timedelta(days=n - 1)
    from_ms = fig.day_start(first.isoformat())
    to_ms = fig.day_start(today.isoformat())
    days = deps.qa_figures.days(q["site_key"], from_ms, to_ms)
    return {"site_key": q["site_key"], "from": first.isoformat(), "to": today.isoformat(),
            **fig.summarize(days)}

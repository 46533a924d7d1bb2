"""Daily maintenance of the reports data (app.py `reports_daily`, once a day):

1. seal the day summaries of every site's recent past days (queries.load_days seals a live
   day older than SEAL_AFTER_DAYS that has no summary, one transaction per day), so a report
   never pays for sealing; a 7-day window catches missed runs and late events that unsealed
   a day (docs/reports.md, "Reads");
2. apply each site's retention to the analysts' archive (services/records/retention.py).

Sites come from the directory table (Query), never a full-table read.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import reports as metrics
from chalicelib.services.records import retention
from chalicelib.services.reports.consumer import site_zone_name
from chalicelib.services.reports.queries import SEAL_AFTER_DAYS, load_days

SEAL_WINDOW_DAYS = 7


def seal_days(deps, site_key: str, settings: dict | None) -> int:
    """Make sure the summaries of the site's last SEAL_WINDOW_DAYS sealable days exist.
    Returns the number of those days that have figures."""
    tz = metrics.zone(site_zone_name(settings))
    today = datetime.strptime(metrics.local_day_hour(now_ms(), tz)[0], "%Y-%m-%d")
    last = today - timedelta(days=SEAL_AFTER_DAYS)
    days = [(last - timedelta(days=i)).strftime("%Y-%m-%d") for i in range(SEAL_WINDOW_DAYS)]
    return len(load_days(deps, site_key, sorted(days), tz))


def run(deps, today: str | None = None) -> dict:
    sealed = {}
    for entry in deps.directory.list("site"):
        site = deps.sites.get(entry["id"])
        if site is None:
            continue
        sealed[entry["id"]] = seal_days(deps, entry["id"], site.get("settings"))
    purged = retention.purge(deps, today)
    log.info("reports_daily", sites=len(sealed), days_with_figures=sum(sealed.values()),
             archive_objects_deleted=sum(purged["deleted"].values()))
    return {"sealed": sealed, "purged": purged["deleted"]}

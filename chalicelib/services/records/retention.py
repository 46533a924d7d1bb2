"""A site's retention applied to the analysts' archive: once a day (app.py `reports_daily`),
for every site with `retention_days`, delete the archive's day prefixes just past it
(domain/archive.purge_days). Sites come from the directory table (Query), never a full-table read.

Why a scheduled deleter and not an S3 lifecycle rule: lifecycle rules are set on the bucket
(at most 1,000, by prefix or tag, each a fixed number of days), while retention is a site
setting an admin changes at any time; one rule per site would need a bucket-configuration
change on every site edit. The site's prefix (`site=<key>/`) lets a daily job delete exactly
one day of one site with a List and a DeleteObjects.
"""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib import log
from chalicelib.domain import archive as archiving


def purge(deps, today: str | None = None) -> dict:
    today = today or datetime.fromtimestamp(deps.clock(), timezone.utc).strftime("%Y-%m-%d")
    deleted = {}
    for entry in deps.directory.list("site"):
        site = deps.sites.get(entry["id"])
        days = ((site or {}).get("settings") or {}).get("retention_days")
        count = 0
        for day in archiving.purge_days(today, days):
            count += deps.archive.delete_prefix(f"site={entry['id']}/dt={day}/")
        if count:
            deleted[entry["id"]] = count
            log.info("archive_purged", site_key=entry["id"], objects=count)
    return {"today": today, "deleted": deleted}

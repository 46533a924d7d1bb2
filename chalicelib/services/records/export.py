"""Exports of chat records: the filtered list, or the transcripts of its conversations, as CSV
(UTF-8 with BOM) or JSON (encoding in services/reports/export.py).

A small export (at most INLINE_MAX conversations, found within one request's search budget)
is answered directly. Anything larger becomes a background job: a job item, an SQS task
`records_export` (chalicelib/bootstrap.TASK_HANDLERS) that runs the same search to the end
(at most MAX_EXPORT conversations), writes the file to S3 and marks the job done; the console
polls the job and downloads through a presigned link valid 15 minutes. Running a job twice
(SQS redelivery) writes the same key again.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from chalicelib import log
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain import records as rules
from chalicelib.domain.actors import Actor
from chalicelib.errors import NotFound, ValidationError
from chalicelib.services import tasks
from chalicelib.services.qa import transcript as read_transcript
from chalicelib.services.records import search
from chalicelib.services.reports import export as encode

INLINE_MAX = 100
MAX_EXPORT = 20000
JOB_TTL_SECONDS = 24 * 3600
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
RECORD_COLUMNS = ("conversation_id", "started", "closed", "status", "channel", "team",
                  "agent_id", "agent_name", "tags", "rating", "visitor_id", "visitor_name",
                  "messages")
FILTERS = tuple(p for p in rules.PARAMS if p not in ("cursor", "limit"))


def _iso(ms) -> str | None:
    if not ms:
        return None
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def _options(body: dict) -> tuple[dict, str, bool]:
    body = dict(body or {})
    fmt = body.pop("format", "csv")
    if fmt not in FORMATS:
        raise ValidationError("'format' is csv or json.", code="invalid_value",
                              details={"field": "format"})
    with_text = body.pop("transcripts", False)
    if not isinstance(with_text, bool):
        raise ValidationError("'transcripts' is true or false.", code="invalid_type",
                              details={"field": "transcripts"})
    for k, v in body.items():
        if v is not None and not isinstance(v, str):
            raise ValidationError(f"'{k}' must be a string.", code="invalid_type",
                                  details={"field": k})
    return body, fmt, with_text


def collect(deps, actor: Actor, f: dict, most: int) -> tuple[list[dict], bool]:
    """Page through a search: (records, complete) with at most `most` records."""
    out, page = [], dict(f)
    while len(out) < most:
        found, cursor = search.find(deps, actor, page, min(search.MAX_LIMIT, most - len(out)))
        out += found
        if cursor is None:
            return out, True
        page["hi"] = cursor
    return out, False


def encode_file(deps, records: list[dict], fmt: str, with_text: bool) -> bytes:
    if with_text:
        convs = [{**r, "messages": encode.transcript_rows(read_transcript(deps,
                                                                         r["conversation_id"]))}
                 for r in records]
        if fmt == "json":
            return encode.to_json(convs)
        return encode.to_csv([m for c in convs for m in c["messages"]],
                             encode.TRANSCRIPT_COLUMNS)
    rows = [{**r, "started": _iso(r.get("started_at")), "closed": _iso(r.get("closed_at")),
             "tags": ",".join(r.get("tags") or [])} for r in records]
    if fmt == "json":
        return encode.to_json(records)
    return encode.to_csv(rows, RECORD_COLUMNS)


def filename(f: dict, fmt: str, with_text: bool) -> str:
    kind = "transcripts" if with_text else "records"
    return f"{kind}-{f['site']}-{f['from']}-{f['to']}.{fmt}"


def request(deps, actor: Actor, body: dict) -> dict:
    """Export now (small) or start a background job. Returns {"inline": True, "filename",
    "content_type", "data": bytes} or {"inline": False, "export": job view}."""
    filters, fmt, with_text = _options(body)
    f, _ = search.parse(deps, filters, FILTERS)
    records, complete = collect(deps, actor, f, INLINE_MAX + 1)
    if complete and len(records) <= INLINE_MAX:
        return {"inline": True, "filename": filename(f, fmt, with_text),
                "content_type": FORMATS[fmt],
                "data": encode_file(deps, records, fmt, with_text)}
    job_id = uuid.uuid4().hex
    job = {"export_id": job_id, "status": "pending", "owner": actor.id, "role": actor.role,
           "teams": list(actor.teams or ()), "filters": filters, "format": fmt,
           "transcripts": with_text, "created_at": now_ms(),
           "filename": filename(f, fmt, with_text)}
    deps.records.put_job(job_id, job, int(deps.clock()) + JOB_TTL_SECONDS)
    tasks.publish(deps, "records_export", {"export_id": job_id})
    log.info("records_export_started", export_id=job_id, agent_id=actor.id)
    return {"inline": False, "export": _view(deps, job)}


def run(deps, body: dict) -> None:
    """The `records_export` task (idempotent: a done job is left alone, a rerun rewrites the
    same object)."""
    job = deps.records.get_job(str(body.get("export_id") or ""))
    if job is None or job["status"] == "done":
        return
    actor = Actor(kind="agent", id=job["owner"], role=job.get("role"),
                  teams=tuple(job.get("teams") or ()))
    try:
        f, _ = search.parse(deps, job["filters"], FILTERS)
        records, complete = collect(deps, actor, f, MAX_EXPORT)
        data = encode_file(deps, records, job["format"], job["transcripts"])
        key = deps.exports.put(f"{job['export_id']}.{job['format']}", data,
                               FORMATS[job["format"]])
    except (ValidationError, NotFound) as err:
        job.update(status="failed", error=err.code)
    else:
        job.update(status="done", key=key, count=len(records), complete=complete,
                   bytes=len(data), done_at=now_ms())
    deps.records.put_job(job["export_id"], job, int(deps.clock()) + JOB_TTL_SECONDS)
    log.info("records_export_finished", export_id=job["export_id"], status=job["status"],
             count=job.get("count"))


def _view(deps, job: dict) -> dict:
    out = {k: job.get(k) for k in ("export_id", "status", "format", "transcripts",
                                    "created_at", "filename", "count", "complete", "error")}
    if job["status"] == "done":
        out["url"] = deps.exports.link(job["key"], job["filename"])
        out["url_expires_in"] = 900
    return out


def status(deps, actor: Actor, export_id: str) -> dict:
    job = deps.records.get_job(export_id) if isinstance(export_id, str) and \
        0 < len(export_id) <= 64 else None
    if job is None or job.get("owner") != actor.id:
        raise NotFound("No such export.", code="export_not_found")
    return {"export": _view(deps, job)}

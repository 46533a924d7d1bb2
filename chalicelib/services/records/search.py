"""Chat records search and transcripts (GET /v1/agent/records...).

Without `q`: one Query on the site's records (newest first, a bounded number examined per
request), the other filters applied to that page. With `q`: one Query per query token on its
postings within the date range (at most POSTING_BUDGET keys each), intersected
(domain/records.intersect), then the candidates' records read by BatchGetItem and filtered.
A page may hold fewer than `limit` records and still have a `cursor`: the next page goes on
below it. No full-table read anywhere.
"""
from __future__ import annotations

from chalicelib.domain import records as rules
from chalicelib.domain import reports as metrics
from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import ID_RE
from chalicelib.errors import Forbidden, NotFound, ValidationError
from chalicelib.services.qa import transcript as read_transcript
from chalicelib.services.reports.consumer import site_zone_name
from chalicelib.services.views import message_view

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
RECORD_BUDGET = 1000        # records examined per request (no q)
POSTING_BUDGET = 2000       # postings read per token per request (q)
CANDIDATE_CHUNK = 100


def parse(deps, params: dict, allowed=rules.PARAMS) -> tuple[dict, int]:
    """(filters, limit) of a search; 404 for an unknown site."""
    site_key = (params or {}).get("site")
    site = deps.sites.get(site_key) if isinstance(site_key, str) and \
        0 < len(site_key) <= 64 else None
    if site is None:
        if site_key in (None, ""):
            rules.parse(params, metrics.zone("UTC"), allowed)   # the missing-site error
        raise NotFound("Unknown site key.", code="unknown_site")
    tz = metrics.zone(site_zone_name(site.get("settings")))
    f = rules.parse(params, tz, allowed)
    limit = DEFAULT_LIMIT
    if (params or {}).get("limit") not in (None, ""):
        try:
            limit = int(params["limit"])
        except (TypeError, ValueError):
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"'limit' is 1-{MAX_LIMIT}.", code="out_of_range",
                                  details={"field": "limit"})
    return f, limit


def find(deps, actor: Actor, f: dict, limit: int) -> tuple[list[dict], str | None]:
    """(records, cursor): up to `limit` visible records matching `f`, newest first; cursor
    None when the range is exhausted."""
    if f.get("tokens"):
        return _by_text(deps, actor, f, limit)
    return _by_range(deps, actor, f, limit)


def _keep(record: dict, actor: Actor, f: dict) -> bool:
    return rules.visible(record, actor) and rules.matches(record, f)


def _by_range(deps, actor, f, limit):
    out, examined, start, last = [], 0, None, None
    while True:
        page, start = deps.records.record_page(f["site"], f["lo"], f["hi"],
                                               min(500, RECORD_BUDGET - examined), start)
        for sk, record in page:
            examined += 1
            last = sk
            if _keep(record, actor, f):
                out.append(record)
                if len(out) >= limit:
                    return out, sk
        if not start:
            return out, None
        if examined >= RECORD_BUDGET:
            return out, last


def _by_text(deps, actor, f, limit):
    lists = []
    for token in f["tokens"]:
        keys, cut = deps.records.postings(f["site"], token, f["lo"], f["hi"], POSTING_BUDGET)
        if not keys:
            return [], None          # a token found nowhere in the range: nothing matches
        lists.append((keys, cut))
    candidates, horizon = rules.intersect(lists)
    out = []
    for start in range(0, len(candidates), CANDIDATE_CHUNK):
        chunk = candidates[start:start + CANDIDATE_CHUNK]
        got = deps.records.records(f["site"], chunk)
        for sk in chunk:
            record = got.get(sk)
            if record is not None and _keep(record, actor, f):
                out.append(record)
                if len(out) >= limit:
                    return out, sk
    return out, horizon


def search(deps, actor: Actor, params: dict) -> dict:
    f, limit = parse(deps, params)
    found, cursor = find(deps, actor, f, limit)
    return {"site_key": f["site"], "from": f["from"], "to": f["to"],
            "records": found, "cursor": cursor}


def load_visible(deps, actor: Actor, conversation_id: str) -> tuple[dict, dict]:
    """(conversation, record) if the actor may read its transcript."""
    if not isinstance(conversation_id, str) or not ID_RE.match(conversation_id):
        raise NotFound("No such conversation.", code="conversation_not_found")
    conv = deps.conversations.get(conversation_id)
    if conv is None:
        raise NotFound("No such conversation.", code="conversation_not_found")
    record = rules.record_of(conv)
    if not rules.visible(record, actor):
        raise Forbidden("Only your own and your teams' chats.", code="forbidden")
    return conv, record


def transcript(deps, actor: Actor, conversation_id: str) -> dict:
    _, record = load_visible(deps, actor, conversation_id)
    messages = read_transcript(deps, conversation_id)
    return {"record": record,
            "messages": [message_view(m, deps.storage) for m in messages]}

"""Quality inspection (质检): every closed conversation gets an automatic score.

`on_event` is the `qa` consumer of the conversation event stream (chalicelib/bootstrap.py):
on `conversation.closed` and `conversation.rated` it reads the transcript (key reads of one
conversation's messages), applies the site's rules (site settings `qa_rules` over
domain/qa/checks.DEFAULT_RULES, and for a team's conversation `qa_team_rules[team]` on top)
and stores the score with its findings. Scoring is a pure
function of the transcript and the rules, so a redelivered event writes the same item: the
consumer is idempotent without a claim. Reading: supervisors see a site's results, agents
their own.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib import log
from chalicelib.domain import reports as metrics
from chalicelib.domain.actors import Actor
from chalicelib.domain.qa import checks
from chalicelib.domain.qa import figures as fig
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import Forbidden, NotFound, ValidationError
from chalicelib.services.reports.consumer import site_zone_name

HANDLED_TYPES = ("conversation.closed", "conversation.rated")
PAGE = 200                      # messages read per Query
MAX_MESSAGES = 5000             # a transcript longer than this is scored on its first part


def transcript(deps, conversation_id: str) -> list[dict]:
    rows, after = [], 0
    while len(rows) < MAX_MESSAGES:
        page = deps.messages.after(conversation_id, after, PAGE)
        rows += page
        if len(page) < PAGE:
            break
        after = int(page[-1]["seq"])
    return rows


def score(deps, conversation_id: str) -> dict | None:
    """Inspect one closed conversation and store the result (None: not closed)."""
    conv = deps.conversations.get(conversation_id, consistent=True)
    if conv is None or conv.get("status") != "closed":
        return None
    site = deps.sites.get(conv.get("site_key")) or {}
    settings = site.get("settings") or {}
    rules = checks.layered(settings.get("qa_rules"),
                           (settings.get("qa_team_rules") or {}).get(conv.get("team") or ""))
    result = checks.inspect(transcript(deps, conversation_id), conv, rules)
    attrs = conv.get("attrs") or {}
    holder = conv.get("agent_id") or (attrs.get("last_agent") or {}).get("id")
    closed_at = int(attrs.get("closed_at") or conv.get("updated_at") or 0)
    # the figures' day (the site's report zone), fixed once: a rescoring keeps it
    before = deps.qa.get(conversation_id)
    day = fig.counted_day(before) if before and before.get("closed_at") == closed_at else \
        fig.day_of(closed_at, metrics.zone(site_zone_name(settings)))
    stored = deps.qa.put(conversation_id, conv.get("site_key") or "", holder, closed_at,
                         result["score"], {**{k: result[k] for k in ("checks", "findings",
                                                                      "masked")},
                                           "day": day})
    log.info("qa_scored", conversation_id=conversation_id, score=result["score"],
             findings=len(result["findings"]))
    return stored


def on_event(deps, event: dict) -> None:
    if event.get("type") in HANDLED_TYPES and event.get("conversation_id"):
        score(deps, event["conversation_id"])


# ------------------------------------------------------------------ reading
def _view(item: dict) -> dict:
    result = item.get("result") or {}
    return {"conversation_id": item["conversation_id"], "site_key": item.get("site_key"),
            "agent_id": item.get("agent_id"), "closed_at": item.get("closed_at"),
            "score": item.get("score"), "checks": result.get("checks") or {},
            "findings": result.get("findings") or [],
            "masked": {str(k): v for k, v in (result.get("masked") or {}).items()}}


def get_result(deps, actor: Actor, conversation_id: str) -> dict:
    item = deps.qa.get(conversation_id) if isinstance(conversation_id, str) and \
        0 < len(conversation_id) <= 64 else None
    if item is None:
        raise NotFound("No quality result for this conversation.", code="qa_not_found")
    if not actor.is_supervisor and item.get("agent_id") != actor.id:
        raise Forbidden("Only your own conversations' results.", code="forbidden")
    return {"result": _view(item)}


LIST_SCHEMA = {
    "site_key": Field(str, min_len=1, max_len=64),
    "agent_id": Field(str, min_len=1, max_len=64),
    "days": Field(int, min=1, max=90),
    "max_score": Field(int, min=0, max=100),
    "limit": Field(int, min=1, max=200),
}


def list_results(deps, actor: Actor, query: dict) -> dict:
    """Results closed in the last `days` (default 7), newest first: a site's (supervisors),
    or one agent's (supervisors: any; agents: themselves); `max_score` keeps the low ones."""
    params = {}
    for k, v in (query or {}).items():
        if k in ("days", "max_score", "limit"):
            try:
                params[k] = int(v)
            except (TypeError, ValueError):
                raise ValidationError(f"'{k}' must be a whole number.", code="invalid_type",
                                      details={"field": k})
        else:
            params[k] = v
    q = validate(params, LIST_SCHEMA)
    now = datetime.now(timezone.utc)
    since = int((now - timedelta(days=q.get("days", 7))).timestamp() * 1000)
    before = int(now.timestamp() * 1000) + 1
    limit = q.get("limit", 50)
    agent_id = q.get("agent_id") or (None if actor.is_supervisor else actor.id)
    if agent_id is not None:
        if agent_id != actor.id and not actor.is_supervisor:
            raise Forbidden("Only your own results.", code="forbidden")
        items = deps.qa.by_agent(agent_id, since, before, limit)
    elif q.get("site_key"):
        items = deps.qa.by_site(q["site_key"], since, before, limit)
    else:
        raise ValidationError("Give 'site_key' or 'agent_id'.", code="missing_field",
                              details={"field": "site_key"})
    if "max_score" in q:
        items = [i for i in items if int(i.get("score") or 0) <= q["max_score"]]
    return {"results": [_view(i) for i in items]}

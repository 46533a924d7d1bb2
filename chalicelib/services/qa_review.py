"""Manual quality review (人工质检): team rubrics (admins), the review queue filled by the `qa`
consumer, reviewing, the agent's answer and the supervisor's settlement. The rules are in
chalicelib/domain/qa/review.py; storage is the qa table (adapters/qa_reviews.py).

Who: supervisors and admins review every team, and an agent named in a team's `reviewers`
reviews that team (a permission held as data on the team's QA settings, not a new role: a
reviewer keeps answering chats with their own role, and granting or withdrawing it changes
no socket or inbox rule). The reviewed agent reads their own reviews and answers them once.
"""
from __future__ import annotations

from chalicelib import log
from chalicelib.domain.actors import Actor
from chalicelib.domain.assignment import DEFAULT_QUEUE
from chalicelib.domain.qa import review as rules
from chalicelib.domain.qa.figures import counted_day
from chalicelib.domain.validation import ID_RE, Field, validate
from chalicelib.errors import Forbidden, NotFound, ValidationError
from chalicelib.services import audit, qa, qa_figures
from chalicelib.services.routing import team_exists
from chalicelib.services.views import message_view

PAGE = 20
LIST_SCHEMA = {"site_key": Field(str, required=True, min_len=1, max_len=64),
               "team": Field(str, min_len=1, max_len=64),
               "status": Field(str, choices=("queued", "reviewed", "acknowledged", "disputed",
                                             "settled")),
               "cursor": Field(str, max_len=1000),
               "limit": Field(int, min=1, max=100)}
MINE_SCHEMA = {"cursor": Field(str, max_len=1000), "limit": Field(int, min=1, max=100)}


def _now(deps) -> int:
    return int(deps.clock() * 1000)


def _team_key(team: str) -> str:
    if not isinstance(team, str) or not ID_RE.match(team):
        raise NotFound("No such team.", code="team_not_found")
    return team


def _conv_team(conv: dict) -> str:
    return conv.get("team") or DEFAULT_QUEUE


# ------------------------------------------------------------------ rubrics (admins write)
def list_rubrics(deps, actor: Actor) -> dict:
    return {"rubrics": deps.qa_reviews.list_configs()}


def get_rubric(deps, actor: Actor, team: str) -> dict:
    cfg = deps.qa_reviews.get_config(_team_key(team))
    if cfg is None:
        raise NotFound("This team has no QA rubric.", code="rubric_not_found")
    return {"rubric": cfg}


def put_rubric(deps, actor: Actor, team: str, payload: dict) -> dict:
    if actor.role != "admin":
        raise Forbidden("Only admins change QA rubrics.", code="forbidden")
    team = _team_key(team)
    cfg = rules.parse_config(payload)
    if team != DEFAULT_QUEUE and not team_exists(deps, team):
        raise NotFound("No such team.", code="team_not_found")
    stored = deps.qa_reviews.put_config(team, cfg)
    audit.record(deps, actor, "qa.rubric_changed", "team", team, None,
                 {"criteria": [c["id"] for c in cfg["criteria"]],
                  "reviewers": len(cfg["reviewers"])})
    return {"rubric": stored}


def delete_rubric(deps, actor: Actor, team: str) -> dict:
    if actor.role != "admin":
        raise Forbidden("Only admins change QA rubrics.", code="forbidden")
    team = _team_key(team)
    if not deps.qa_reviews.delete_config(team):
        raise NotFound("This team has no QA rubric.", code="rubric_not_found")
    audit.record(deps, actor, "qa.rubric_changed", "team", team, None, {"deleted": True})
    return {"deleted": True}


# ------------------------------------------------------------------ the queue (consumer)
def on_event(deps, event: dict) -> None:
    """The `qa` consumer's handler (chalicelib/bootstrap.py): the automatic score
    (services/qa.py), then the review queue when the team's sampling rules pick it."""
    if event.get("type") not in qa.HANDLED_TYPES or not event.get("conversation_id"):
        return
    before = deps.qa.get(event["conversation_id"])
    stored = qa.score(deps, event["conversation_id"])
    if stored is not None:
        qa_figures.on_scored(deps, before, stored)
        conv = deps.conversations.get(event["conversation_id"], consistent=True)
        if conv is not None:
            enqueue(deps, conv, stored)


def enqueue(deps, conv: dict, result: dict) -> list[str]:
    """After a closed conversation is scored: queue it for review when its team's sampling
    rules pick it. Deterministic (domain/qa/review.sample) and at most once per conversation
    (a conditional put), so a redelivered event or a later rating never queues it twice."""
    team = _conv_team(conv)
    cfg = deps.qa_reviews.get_config(team)
    if cfg is None:
        return []
    attrs = conv.get("attrs") or {}
    rating = (attrs.get("rating") or {}).get("score")
    reasons = rules.sample(conv["conversation_id"], cfg.get("sampling"), result.get("score"),
                           rating)
    if not reasons:
        return []
    holder = conv.get("agent_id") or (attrs.get("last_agent") or {}).get("id")
    review = rules.new_review(conv["conversation_id"], conv.get("site_key") or "", team,
                              holder, result.get("closed_at") or 0, result.get("score"),
                              reasons, _now(deps))
    review["day"] = counted_day(result)      # counted in the automatic score's day
    created = deps.qa_reviews.create_review(review)
    if created:
        log.info("qa_review_queued", conversation_id=conv["conversation_id"], team=team,
                 reasons=reasons)
    return reasons if created else []


# ------------------------------------------------------------------ reading
def _query(query: dict, schema: dict) -> dict:
    params = {}
    for k, v in (query or {}).items():
        if k == "limit":
            try:
                params[k] = int(v)
            except (TypeError, ValueError):
                raise ValidationError("'limit' must be a whole number.", code="invalid_type",
                                      details={"field": k})
        else:
            params[k] = v
    return validate(params, schema)


def _summary(r: dict) -> dict:
    return {k: r.get(k) for k in ("conversation_id", "site_key", "team", "agent_id",
                                  "closed_at", "auto_score", "reasons", "status", "score",
                                  "reviewer_name", "reviewed_at", "answered_at")}


def list_queue(deps, actor: Actor, query: dict) -> dict:
    """A site's and team's reviews in one state (default: waiting for a reviewer), newest
    closed first, paged with an opaque cursor."""
    q = _query(query, LIST_SCHEMA)
    team = _team_key(q.get("team") or DEFAULT_QUEUE)
    status = q.get("status") or "queued"
    cfg = deps.qa_reviews.get_config(team)
    if not rules.may_review(actor, cfg):
        raise Forbidden("You do not review this team.", code="not_reviewer")
    items, cursor = deps.qa_reviews.by_status(status, q["site_key"], team,
                                              q.get("limit", PAGE), q.get("cursor"))
    return {"reviews": [_summary(r) for r in items], "cursor": cursor}


def list_mine(deps, actor: Actor, query: dict) -> dict:
    q = _query(query, MINE_SCHEMA)
    items, cursor = deps.qa_reviews.by_agent(actor.id, q.get("limit", PAGE), q.get("cursor"))
    return {"reviews": [_summary(r) for r in items], "cursor": cursor}


def _load(deps, actor: Actor, conversation_id: str) -> tuple[dict, dict | None]:
    review = deps.qa_reviews.get_review(conversation_id) if isinstance(conversation_id, str) \
        and 0 < len(conversation_id) <= 64 else None
    if review is None:
        raise NotFound("No review for this conversation.", code="review_not_found")
    cfg = deps.qa_reviews.get_config(review["team"])
    if not rules.visible_to(review, actor, cfg):
        raise Forbidden("Not your review.", code="not_your_review")
    return review, cfg


def _view(review: dict) -> dict:
    return {k: v for k, v in review.items() if k != "_version"}


def get_review(deps, actor: Actor, conversation_id: str) -> dict:
    """The review with the transcript (sensitive data masked as the automatic check found
    it) and the automatic findings, each pointing at a message seq."""
    review, cfg = _load(deps, actor, conversation_id)
    rows = qa.transcript(deps, conversation_id)
    auto = deps.qa.get(conversation_id) or {}
    result = auto.get("result") or {}
    masked = {str(k): v for k, v in (result.get("masked") or {}).items()}
    messages = []
    for row in rows:
        view = message_view(row)
        if str(view["seq"]) in masked:
            view["text"] = masked[str(view["seq"])]
        messages.append(view)
    criteria = review.get("criteria") or (cfg or {}).get("criteria") or []
    return {"review": _view(review), "criteria": criteria, "messages": messages,
            "findings": result.get("findings") or [], "auto_score": auto.get("score")}


# ------------------------------------------------------------------ moves
def _move(deps, actor: Actor, review: dict, moved: dict, action: str) -> dict:
    saved = deps.qa_reviews.save_review(review, moved)
    qa_figures.on_review(deps, review, saved)
    log.info("qa_review_" + action, conversation_id=review["conversation_id"],
             actor_id=actor.id, status=saved["status"])
    return {"review": _view(saved)}


def submit(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    review, cfg = _load(deps, actor, conversation_id)
    if not rules.may_review(actor, cfg):
        raise Forbidden("You do not review this team.", code="not_reviewer")
    if cfg is None:
        raise NotFound("This team has no QA rubric.", code="rubric_not_found")
    conv = deps.conversations.get(conversation_id) or {}
    moved = rules.submit(review, actor, cfg, payload, int(conv.get("last_seq") or 0),
                         _now(deps))
    return _move(deps, actor, review, moved, "reviewed")


def acknowledge(deps, actor: Actor, conversation_id: str) -> dict:
    review, _ = _load(deps, actor, conversation_id)
    return _move(deps, actor, review, rules.acknowledge(review, actor, _now(deps)),
                 "acknowledged")


def dispute(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    review, _ = _load(deps, actor, conversation_id)
    return _move(deps, actor, review, rules.dispute(review, actor, payload, _now(deps)),
                 "disputed")


def settle(deps, actor: Actor, conversation_id: str, payload: dict) -> dict:
    review, _ = _load(deps, actor, conversation_id)
    moved = rules.settle(review, actor, payload, _now(deps))
    return _move(deps, actor, review, moved, "settled")   # the review's history says who

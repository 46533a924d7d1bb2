"""Manual quality review (人工质检), plain rules (no AWS): a team's rubric and sampling rules,
which closed conversations go to the review queue, and the review's life.

A team's QA settings: `criteria` (id, zh/en label, weight), `sampling` (rules as data) and
`reviewers` (agent ids allowed to review that team's conversations besides supervisors and
admins). A review moves

    queued --submit--> reviewed --acknowledge--> acknowledged
                                --dispute------> disputed --settle--> settled (upheld | amended)

Each transition is a function of (review, who, input, now) returning the new review; a move
that is not allowed raises a stable 4xx. The agent disputes at most once: only a `reviewed`
review can be disputed, and nothing leads back to `reviewed`.
"""
from __future__ import annotations

import hashlib
import re

from chalicelib.domain.validation import Field, validate
from chalicelib.errors import AppError, Conflict, Forbidden, ValidationError

CRITERION_ID_RE = re.compile(r"^[a-z0-9_-]{1,40}$")
MAX_POINTS = 5                    # each criterion is scored 0..5
STATUSES = ("queued", "reviewed", "acknowledged", "disputed", "settled")
REASONS = ("random", "low_rating", "low_auto_score")
DEFAULT_SAMPLING = {"random_percent": 5, "max_rating": 2, "max_auto_score": 60,
                    "seed": "parley"}

_LABEL = {"en": Field(str, required=True, min_len=1, max_len=80),
          "zh": Field(str, required=True, min_len=1, max_len=80)}
_CRITERION = {"id": Field(str, required=True, pattern=CRITERION_ID_RE),
              "label": Field(dict, required=True, schema=_LABEL),
              "weight": Field(int, required=True, min=1, max=100)}
_SAMPLING = {"random_percent": Field((int, float), min=0, max=100),
             "max_rating": Field(int, min=0, max=5),
             "max_auto_score": Field(int, min=0, max=100),
             "seed": Field(str, min_len=1, max_len=40)}
CONFIG_SCHEMA = {
    "criteria": Field(list, required=True, item=Field(dict, schema=_CRITERION), max_items=20),
    "sampling": Field(dict, schema=_SAMPLING),
    "reviewers": Field(list, item=Field(str, min_len=1, max_len=64), max_items=50),
}
_COMMENT = {"seq": Field(int, required=True, min=1),
            "text": Field(str, required=True, min_len=1, max_len=1000)}
SUBMIT_SCHEMA = {
    "scores": Field(dict, required=True),
    "comments": Field(list, item=Field(dict, schema=_COMMENT), max_items=50),
    "summary": Field(str, max_len=2000),
}
DISPUTE_SCHEMA = {"reason": Field(str, required=True, min_len=1, max_len=1000)}
SETTLE_SCHEMA = {"decision": Field(str, required=True, choices=("uphold", "amend")),
                 "scores": Field(dict),
                 "comment": Field(str, required=True, min_len=1, max_len=1000)}


# ------------------------------------------------------------------ settings
def parse_config(payload: dict) -> dict:
    """A team's QA settings, validated: 1-20 criteria with unique ids and both labels."""
    body = validate(payload, CONFIG_SCHEMA)
    criteria = body["criteria"]
    if not criteria:
        raise ValidationError("A rubric needs at least one criterion.", code="empty_rubric",
                              details={"field": "criteria"})
    ids = [c["id"] for c in criteria]
    if len(set(ids)) != len(ids):
        raise ValidationError("Criterion ids must be unique.", code="duplicate_criterion",
                              details={"field": "criteria"})
    reviewers = sorted(set(body.get("reviewers") or []))
    return {"criteria": [{"id": c["id"], "label": {"en": c["label"]["en"],
                                                   "zh": c["label"]["zh"]},
                          "weight": c["weight"]} for c in criteria],
            "sampling": {**DEFAULT_SAMPLING, **(body.get("sampling") or {})},
            "reviewers": reviewers}


def may_review(actor, config: dict | None) -> bool:
    """Supervisors and admins review every team; an agent only the teams naming them."""
    if actor.is_supervisor:
        return True
    return bool(config) and actor.id in (config.get("reviewers") or [])


# ------------------------------------------------------------------ sampling
def bucket(seed: str, conversation_id: str) -> int:
    """0..9999, a pure function of the seed and the conversation: a redelivered event, or the
    same conversation seen again, always lands in the same bucket."""
    digest = hashlib.sha256(f"{seed}:{conversation_id}".encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 10000


def sample(conversation_id: str, sampling: dict | None, auto_score: int | None,
           rating: int | None) -> list[str]:
    """Why this conversation goes to the review queue ([] = it does not)."""
    rules = {**DEFAULT_SAMPLING, **(sampling or {})}
    reasons = []
    if rules.get("max_rating") and rating is not None and 0 < int(rating) <= rules["max_rating"]:
        reasons.append("low_rating")
    if rules.get("max_auto_score") and auto_score is not None and \
            int(auto_score) < rules["max_auto_score"]:
        reasons.append("low_auto_score")
    pct = float(rules.get("random_percent") or 0)
    if pct > 0 and bucket(str(rules.get("seed") or ""), conversation_id) < pct * 100:
        reasons.append("random")
    return reasons


# ------------------------------------------------------------------ scoring
def parse_scores(scores: dict, criteria: list[dict]) -> dict:
    """Every criterion of the rubric scored 0..MAX_POINTS, nothing else."""
    ids = [c["id"] for c in criteria]
    unknown = sorted(set(scores) - set(ids))
    if unknown:
        raise ValidationError(f"Unknown criterion '{unknown[0]}'.", code="unknown_criterion",
                              details={"field": f"scores.{unknown[0]}"})
    out = {}
    for cid in ids:
        v = scores.get(cid)
        if v is None:
            raise ValidationError(f"Score every criterion ('{cid}' is missing).",
                                  code="missing_score", details={"field": f"scores.{cid}"})
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_POINTS:
            raise ValidationError(f"'{cid}' must be a whole number from 0 to {MAX_POINTS}.",
                                  code="invalid_score", details={"field": f"scores.{cid}"})
        out[cid] = v
    return out


def total(scores: dict, criteria: list[dict]) -> int:
    """0-100: the weighted mean of the criteria's points."""
    weight = sum(c["weight"] for c in criteria) or 1
    got = sum(c["weight"] * scores.get(c["id"], 0) for c in criteria)
    return round(100 * got / (weight * MAX_POINTS))


# ------------------------------------------------------------------ the review's life
def new_review(conversation_id: str, site_key: str, team: str, agent_id: str | None,
               closed_at: int, auto_score: int | None, reasons: list[str], now: int) -> dict:
    return {"conversation_id": conversation_id, "site_key": site_key, "team": team,
            "agent_id": agent_id, "closed_at": int(closed_at), "auto_score": auto_score,
            "reasons": list(reasons), "status": "queued", "queued_at": now, "history": []}


def _expect(review: dict, *statuses: str) -> None:
    if review.get("status") not in statuses:
        raise Conflict(f"This review is {review.get('status')}.", code="invalid_review_state",
                       details={"status": review.get("status")})


def _step(review: dict, action: str, by: str, now: int, **extra) -> dict:
    entry = {"action": action, "by": by, "at": now, **extra}
    return {**review, "history": list(review.get("history") or []) + [entry]}


def submit(review: dict, reviewer, config: dict, payload: dict, last_seq: int,
           now: int) -> dict:
    _expect(review, "queued")
    if reviewer.id == review.get("agent_id"):
        raise Forbidden("You cannot review your own conversation.", code="own_conversation")
    body = validate(payload, SUBMIT_SCHEMA)
    criteria = config["criteria"]
    scores = parse_scores(body["scores"], criteria)
    comments = sorted(body.get("comments") or [], key=lambda c: c["seq"])
    for c in comments:
        if c["seq"] > last_seq:
            raise ValidationError("A comment points past the last message.",
                                  code="seq_out_of_range", details={"field": "comments"})
    out = _step(review, "reviewed", reviewer.id, now)
    out.update({"status": "reviewed", "reviewer_id": reviewer.id,
                "reviewer_name": reviewer.name, "reviewed_at": now,
                "criteria": criteria, "scores": scores, "score": total(scores, criteria),
                "comments": comments, "summary": body.get("summary")})
    return out


def acknowledge(review: dict, agent, now: int) -> dict:
    _own(review, agent)
    _expect(review, "reviewed")
    return {**_step(review, "acknowledged", agent.id, now), "status": "acknowledged",
            "answered_at": now}


def dispute(review: dict, agent, payload: dict, now: int) -> dict:
    _own(review, agent)
    if review.get("status") in ("disputed", "settled"):
        raise Conflict("A review can be disputed once.", code="already_disputed")
    _expect(review, "reviewed")
    reason = validate(payload, DISPUTE_SCHEMA)["reason"]
    return {**_step(review, "disputed", agent.id, now), "status": "disputed",
            "dispute": {"reason": reason, "at": now}, "answered_at": now}


def settle(review: dict, supervisor, payload: dict, now: int) -> dict:
    if not supervisor.is_supervisor:
        raise Forbidden("Only supervisors settle disputes.", code="not_supervisor")
    _expect(review, "disputed")
    body = validate(payload, SETTLE_SCHEMA)
    out = _step(review, body["decision"], supervisor.id, now)
    out.update({"status": "settled", "settlement": {"decision": body["decision"],
                                                     "comment": body["comment"],
                                                     "by": supervisor.id, "at": now}})
    if body["decision"] == "amend":
        if not body.get("scores"):
            raise ValidationError("An amended score needs 'scores'.", code="missing_field",
                                  details={"field": "scores"})
        scores = parse_scores(body["scores"], review["criteria"])
        out.update({"original_score": review.get("score"), "scores": scores,
                    "score": total(scores, review["criteria"])})
    elif body.get("scores"):
        raise ValidationError("Upholding keeps the scores: leave 'scores' out.",
                              code="invalid_settlement", details={"field": "scores"})
    return out


def _own(review: dict, agent) -> None:
    if review.get("agent_id") != agent.id:
        raise Forbidden("Only the reviewed agent may answer a review.", code="not_your_review")


def visible_to(review: dict, actor, config: dict | None) -> bool:
    """Reviewers see every review of their teams; the agent sees their own once reviewed."""
    if may_review(actor, config):
        return True
    return review.get("agent_id") == actor.id and review.get("status") != "queued"


__all__ = ["parse_config", "may_review", "bucket", "sample", "parse_scores", "total",
           "new_review", "submit", "acknowledge", "dispute", "settle", "visible_to",
           "AppError"]

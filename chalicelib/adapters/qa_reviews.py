"""Manual QA items in the qa table (next to the automatic results, chalicelib/adapters/qa.py),
reusing its two indexes with prefixed keys so no new table or index is needed:

| item | conversation_id (key) | site_key (site-index hash) | agent_id (agent-index hash) | closed_at (range) |
|---|---|---|---|---|
| a team's QA settings | `cfg#{team}` | `cfg` | — | updated at |
| a review | `rev#{conversation}` | `rev#{status}#{site}#{team}` | `rev#{agent}` once reviewed | conversation closed at |

So the review queue of a site and team is one Query on `rev#queued#{site}#{team}`, disputes
one on `rev#disputed#...`, an agent's reviews one on `rev#{agent}`: paged, never a full-table read. A
review is created once (conditional put: a conversation is never queued twice) and moved
with a write conditional on the state it was read in (a concurrent move gets `conflict`).
"""
from __future__ import annotations


from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.adapters import models as m
from chalicelib.adapters.cursor import pack, unpack
from chalicelib.adapters.dynamo import now_ms, to_dict
from chalicelib.errors import Conflict

CFG, REV = "cfg#", "rev#"


def _failed_condition(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None) or ""
    return "ConditionalCheckFailed" in str(cause) or "ConditionalCheckFailed" in str(exc)


def review_partition(status: str, site_key: str, team: str) -> str:
    return f"{REV}{status}#{site_key}#{team}"


def encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    return pack({k: next(iter(v.values())) for k, v in key.items()})


def decode_cursor(cursor: str | None, hash_attr: str) -> dict | None:
    """A cursor back to DynamoDB's start key; None for a missing or forged one."""
    if not cursor:
        return None
    key = unpack(cursor)
    if not isinstance(key, dict) or set(key) != {"conversation_id", hash_attr, "closed_at"}:
        return None
    if not all(isinstance(key[k], str) for k in ("conversation_id", hash_attr)) or \
            isinstance(key["closed_at"], bool) or not isinstance(key["closed_at"], (int, str)):
        return None
    return {"conversation_id": {"S": key["conversation_id"]}, hash_attr: {"S": key[hash_attr]},
            "closed_at": {"N": str(key["closed_at"])}}


def _review(item: dict) -> dict:
    return {**(item.get("result") or {}), "_version": item.get("updated_at")}


class QaReviewRepo:
    # ------------------------------------------------------------ settings
    def get_config(self, team: str) -> dict | None:
        try:
            item = to_dict(m.QaResult.get(CFG + team))
        except DoesNotExist:
            return None
        return {**item["result"], "team": team, "updated_at": item.get("updated_at")}

    def put_config(self, team: str, config: dict) -> dict:
        ts = now_ms()
        m.QaResult(conversation_id=CFG + team, site_key="cfg", closed_at=ts, score=0,
                   result=config, updated_at=ts).save()
        return {**config, "team": team, "updated_at": ts}

    def delete_config(self, team: str) -> bool:
        try:
            m.QaResult(CFG + team).delete(condition=m.QaResult.conversation_id.exists())
            return True
        except Exception as exc:       # DeleteError on a missing item
            if _failed_condition(exc):
                return False
            raise

    def list_configs(self, limit: int = 100) -> list[dict]:
        return [{**to_dict(i)["result"], "team": i.conversation_id[len(CFG):],
                 "updated_at": i.updated_at}
                for i in m.QaResult.site_index.query("cfg", limit=limit)]

    # ------------------------------------------------------------ reviews
    def create_review(self, review: dict) -> bool:
        """Queue a conversation once: False when it was queued (or reviewed) before."""
        ts = now_ms()
        item = m.QaResult(conversation_id=REV + review["conversation_id"],
                          site_key=review_partition("queued", review["site_key"],
                                                    review["team"]),
                          closed_at=int(review["closed_at"]),
                          score=int(review.get("auto_score") or 0), result=review,
                          updated_at=ts)
        try:
            item.save(condition=m.QaResult.conversation_id.does_not_exist())
            return True
        except PutError as exc:
            if _failed_condition(exc):
                return False
            raise

    def get_review(self, conversation_id: str) -> dict | None:
        try:
            return _review(to_dict(m.QaResult.get(REV + conversation_id, consistent_read=True)))
        except DoesNotExist:
            return None

    def save_review(self, before: dict, after: dict) -> dict:
        """Write the moved review on condition nobody moved it since it was read."""
        ts = max(now_ms(), int(before.get("_version") or 0) + 1)
        body = {k: v for k, v in after.items() if k != "_version"}
        agent = body.get("agent_id") if body["status"] != "queued" else None
        item = m.QaResult(conversation_id=REV + body["conversation_id"],
                          site_key=review_partition(body["status"], body["site_key"],
                                                    body["team"]),
                          agent_id=(REV + agent) if agent else None,
                          closed_at=int(body["closed_at"]),
                          score=int(body.get("score") if body.get("score") is not None
                                    else body.get("auto_score") or 0),
                          result=body, updated_at=ts)
        try:
            item.save(condition=m.QaResult.updated_at == int(before["_version"]))
        except PutError as exc:
            if _failed_condition(exc):
                raise Conflict("The review changed meanwhile; reload it.", code="conflict")
            raise
        return {**body, "_version": ts}

    def _page(self, index, key: str, hash_attr: str, limit: int, cursor: str | None):
        kwargs = {"scan_index_forward": False, "limit": limit}
        start = decode_cursor(cursor, hash_attr)
        if start:
            kwargs["last_evaluated_key"] = start
        result = index.query(key, **kwargs)
        items = [_review(to_dict(i)) for i in result]
        return items, encode_cursor(result.last_evaluated_key)

    def by_status(self, status: str, site_key: str, team: str, limit: int = 20,
                  cursor: str | None = None) -> tuple[list[dict], str | None]:
        """Newest closed first."""
        return self._page(m.QaResult.site_index, review_partition(status, site_key, team),
                          "site_key", limit, cursor)

    def by_agent(self, agent_id: str, limit: int = 20,
                 cursor: str | None = None) -> tuple[list[dict], str | None]:
        return self._page(m.QaResult.agent_index, REV + agent_id, "agent_id", limit, cursor)


AGG = "agg#"
MAX_AGG_ATTEMPTS = 8


class QaFiguresRepo:
    """Per-site day aggregates in the qa table: key `agg#{site}#{day}`, site-index hash
    `agg#{site}`, range = the day's start (ms), so a period is one Query (<= 90 items)."""

    def add(self, site_key: str, day: str, day_ms: int, change: dict, merge) -> None:
        """Read-modify-write on condition the item did not move meanwhile (retried)."""
        key = f"{AGG}{site_key}#{day}"
        for _ in range(MAX_AGG_ATTEMPTS):
            try:
                item = m.QaResult.get(key, consistent_read=True)
                current, version = item.result or {}, item.updated_at
            except DoesNotExist:
                current, version = {}, None
            ts = max(now_ms(), (version or 0) + 1)
            new = m.QaResult(conversation_id=key, site_key=AGG + site_key, closed_at=day_ms,
                             score=0, result=merge(current, change), updated_at=ts)
            cond = m.QaResult.conversation_id.does_not_exist() if version is None else \
                m.QaResult.updated_at == version
            try:
                new.save(condition=cond)
                return
            except PutError as exc:
                if not _failed_condition(exc):
                    raise
        raise Conflict("The QA figures are busy; try again.", code="busy")

    def days(self, site_key: str, from_ms: int, to_ms: int, limit: int = 100) -> list[dict]:
        return [{"day": i.conversation_id.rsplit("#", 1)[1], "figures": i.result or {}}
                for i in m.QaResult.site_index.query(
                    AGG + site_key, m.QaResult.closed_at.between(int(from_ms), int(to_ms)),
                    limit=limit)]

"""Chat records (issue 13): what a record holds, how text becomes search tokens, who may see a
record, which records a filter keeps, and how token postings intersect (pure, no AWS).

A record is one conversation's filterable facts, keyed for a date-range Query on its site:
sort key `{started_at, 13 digits}#{conversation id}` (the start never changes, so a reopened,
re-rated or re-tagged conversation rewrites the same key). Token postings use the same sort
key, so a token's postings in a date range are one Query too.

Tokens: text is NFKC-normalized and lower-cased; Latin letters and digits form words (a
trailing plural "s" is dropped: "refunds" finds "refund"); Chinese, Japanese kana and Hangul
runs become overlapping character bigrams ("退货运费" -> 退货, 货运, 运费). A query matches a
record whose messages contain every query token (anywhere, not necessarily adjacent).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from chalicelib.domain.actors import Actor
from chalicelib.domain.validation import ID_RE, SITE_KEY_RE
from chalicelib.errors import ValidationError

MAX_TOKENS = 2000           # distinct tokens indexed per conversation (its first ones)
MAX_QUERY_TOKENS = 8        # tokens of a query used for the intersection
MAX_WORD = 32               # longer words are cut (URLs, ids)
MAX_DAYS = 366
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SK_RE = re.compile(r"^\d{13}#[A-Za-z0-9_-]{1,64}$")
STATUSES = ("open", "closed")        # "open": anything not closed
_CJK = (r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff")
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")
PARAMS = ("site", "from", "to", "agent", "team", "tag", "channel", "rating", "status",
          "visitor", "q", "cursor", "limit")


# ------------------------------------------------------------------ tokens
def _word(w: str) -> str:
    w = w[:MAX_WORD]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


def tokens(text: str | None) -> list[str]:
    """Distinct tokens of a text, in order of first appearance."""
    if not text:
        return []
    norm = unicodedata.normalize("NFKC", text).lower()
    out: dict[str, None] = {}
    for run in _RUN.findall(norm):
        if _CJK_RE.match(run):
            for i in range(len(run) - 1):
                out.setdefault(run[i:i + 2], None)
        elif len(run) >= 2 or run.isdigit():
            out.setdefault(_word(run), None)
    return list(out)


def conversation_tokens(texts) -> list[str]:
    """Tokens of a transcript's texts, at most MAX_TOKENS (the first ones)."""
    out: dict[str, None] = {}
    for text in texts:
        for t in tokens(text):
            out.setdefault(t, None)
            if len(out) >= MAX_TOKENS:
                return list(out)
    return list(out)


def query_tokens(q: str) -> list[str]:
    """The tokens a search intersects (a single Chinese character is no token: bigrams only)."""
    got = tokens(q)
    if not got:
        raise ValidationError("Type at least two Chinese characters or one word to search.",
                              code="query_too_short", details={"field": "q"})
    return got[:MAX_QUERY_TOKENS]


# ------------------------------------------------------------------ the record
def sort_key(started_at: int, conversation_id: str) -> str:
    return f"{int(started_at):013d}#{conversation_id}"


def record_of(conv: dict) -> dict:
    """A conversation's filterable facts (the record item's attributes)."""
    attrs = conv.get("attrs") or {}
    last = attrs.get("last_agent") or {}
    agent_id = conv.get("agent_id") or last.get("id")
    agents = sorted({*(conv.get("participants") or []), *([agent_id] if agent_id else [])})
    rating = (attrs.get("rating") or {}).get("score")
    closed = conv.get("status") == "closed"
    return {
        "conversation_id": conv["conversation_id"],
        "site_key": conv.get("site_key") or "",
        "started_at": int(conv.get("created_at") or 0),
        "closed_at": int(attrs["closed_at"]) if closed and attrs.get("closed_at") else None,
        "status": conv.get("status"),
        "channel": conv.get("channel") or "web",
        "team": conv.get("team"),
        "agent_id": agent_id,
        "agent_name": attrs.get("agent_name") or last.get("name"),
        "agents": agents,
        "tags": sorted(conv.get("tags") or []),
        "rating": int(rating) if rating is not None else None,
        "visitor_id": conv.get("visitor_id"),
        "visitor_name": attrs.get("visitor_name"),
        "messages": int(conv.get("last_seq") or 0),
        "rev": int(conv.get("rev") or 0),
    }


def visible(record: dict, actor: Actor) -> bool:
    """Supervisors and admins see every record; an agent the chats they held or joined and
    their teams' chats (as the reports give an agent their own figures)."""
    if actor.is_supervisor:
        return True
    if actor.id in (record.get("agents") or []) or record.get("agent_id") == actor.id:
        return True
    return bool(record.get("team")) and record.get("team") in (actor.teams or ())


def matches(record: dict, f: dict) -> bool:
    """Does a record pass the non-text filters of a parsed query?"""
    if f.get("agent") and f["agent"] not in (record.get("agents") or []) \
            and record.get("agent_id") != f["agent"]:
        return False
    if f.get("team") and record.get("team") != f["team"]:
        return False
    if f.get("channel") and record.get("channel") != f["channel"]:
        return False
    if f.get("tag") and f["tag"] not in (record.get("tags") or []):
        return False
    if f.get("rating") and record.get("rating") not in f["rating"]:
        return False
    if f.get("status") == "closed" and record.get("status") != "closed":
        return False
    if f.get("status") == "open" and record.get("status") == "closed":
        return False
    if f.get("visitor"):
        v = f["visitor"]
        name = unicodedata.normalize("NFKC", record.get("visitor_name") or "").lower()
        if record.get("visitor_id") != v and v.lower() not in name:
            return False
    return True


# ------------------------------------------------------------------ postings
def intersect(postings: list[tuple[list[str], bool]]) -> tuple[list[str], str | None]:
    """Intersect token postings read newest first within one range.

    Each entry is (sort keys, descending; truncated: the read stopped at its budget). A
    truncated list is complete only down to its last key, so the intersection is exact for
    keys >= the highest such last key (the horizon). Returns (the keys there, descending;
    the horizon, or None when every list was complete). The next page continues below it."""
    horizon = max((keys[-1] for keys, cut in postings if cut and keys), default=None)
    sets = [set(keys) for keys, _ in postings]
    common = set.intersection(*sets) if sets else set()
    if horizon is not None:
        common = {k for k in common if k >= horizon}
    return sorted(common, reverse=True), horizon


# ------------------------------------------------------------------ the query
def _date(name: str, value) -> datetime:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValidationError(f"'{name}' must be a date, YYYY-MM-DD.", code="invalid_date",
                              details={"field": name})
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise ValidationError(f"'{name}' is not a calendar date.", code="invalid_date",
                              details={"field": name})


def _id(name: str, value) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValidationError(f"'{name}' is not a valid id.", code="invalid_field",
                              details={"field": name})
    return value


def parse(params: dict, tz, allowed=PARAMS) -> dict:
    """Validate a search's parameters (query string or export body). Dates are the site's
    local days (`tz`); `to` is inclusive. Returns the filters with `lo`/`hi` sort-key bounds."""
    params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValidationError(f"Unknown parameter '{unknown[0]}'.", code="unknown_field",
                              details={"field": unknown[0]})
    site = params.get("site")
    if not isinstance(site, str) or not SITE_KEY_RE.match(site):
        raise ValidationError("'site' is required (a site key).", code="invalid_field",
                              details={"field": "site"})
    first, last = _date("from", params.get("from")), _date("to", params.get("to"))
    if last < first:
        raise ValidationError("'to' is before 'from'.", code="invalid_range",
                              details={"field": "to"})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"A search covers at most {MAX_DAYS} days.",
                              code="range_too_long", details={"field": "to"})
    lo = int(first.replace(tzinfo=tz).timestamp() * 1000)
    hi = int((last + timedelta(days=1)).replace(tzinfo=tz).timestamp() * 1000)
    out = {"site": site, "from": params["from"], "to": params["to"],
           "lo": f"{lo:013d}#", "hi": f"{hi:013d}#"}
    for k in ("agent", "team", "channel", "tag"):
        if k in params:
            out[k] = _id(k, params[k]) if k != "tag" else _tag(params[k])
    if "rating" in params:
        out["rating"] = _ratings(params["rating"])
    if "status" in params:
        if params["status"] not in STATUSES:
            raise ValidationError("'status' must be open or closed.", code="invalid_value",
                                  details={"field": "status"})
        out["status"] = params["status"]
    if "visitor" in params:
        v = params["visitor"]
        if not isinstance(v, str) or len(v.strip()) > 64:
            raise ValidationError("'visitor' is a visitor id or a name (at most 64 "
                                  "characters).", code="invalid_field",
                                  details={"field": "visitor"})
        out["visitor"] = v.strip()
    if "q" in params:
        if not isinstance(params["q"], str) or len(params["q"]) > 200:
            raise ValidationError("'q' is at most 200 characters.", code="too_long",
                                  details={"field": "q"})
        out["q"] = params["q"]
        out["tokens"] = query_tokens(params["q"])
    if "cursor" in params:
        c = params["cursor"]
        if not isinstance(c, str) or not SK_RE.match(c) or not out["lo"] <= c <= out["hi"]:
            raise ValidationError("'cursor' is not one this search returned.",
                                  code="invalid_cursor", details={"field": "cursor"})
        out["hi"] = c
    return out


def _tag(value) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= 64:
        raise ValidationError("'tag' is at most 64 characters.", code="invalid_field",
                              details={"field": "tag"})
    return value.strip()


def _ratings(value) -> set[int]:
    """'1', '1,2' or '1-2'."""
    text = str(value).strip()
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            got = set(range(a, b + 1))
        else:
            got = {int(x) for x in text.split(",")}
    except ValueError:
        got = set()
    if not got or not got <= {1, 2, 3, 4, 5}:
        raise ValidationError("'rating' is 1-5, a list (1,2) or a range (1-2).",
                              code="invalid_field", details={"field": "rating"})
    return got

"""Segments: a saved filter over contacts. Pure: the filter's validation, which index a
filter should be read from, and whether one contact matches.

How a segment is computed: one index is read (the most selective the filter names: a tag's
membership items, the owner's contacts, a lead bucket, else the site's contacts by last
update), a bounded page of items at a time (SCAN_BUDGET), and the other conditions are
checked in memory. A page can therefore hold fewer matches than it read; the cursor continues
the index read. A large tenant's segment (export, bulk tag) walks the same pages."""
from __future__ import annotations

from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.validation import Field, validate

SCAN_BUDGET = 200           # index items read per request
CHANNELS = ("visitor", "wechat", "api")
FILTER = {
    "tag": Field(str, min_len=1, max_len=40),
    "owner": Field(str, min_len=1, max_len=64),
    "lead": Field(str, choices=("pool", "new", "contacted", "qualified", "won", "lost")),
    "channel": Field(str, choices=CHANNELS),
    "tags_all": Field(list, item=Field(str, min_len=1, max_len=40), max_items=10),
    "last_seen_after": Field(int, min=0, max=2 ** 53),
    "last_seen_before": Field(int, min=0, max=2 ** 53),
    "min_rating": Field(int, min=1, max=5),
    "max_rating": Field(int, min=1, max=5),
    "min_chats": Field(int, min=0, max=100000),
    "max_chats": Field(int, min=0, max=100000),
    "fields": Field(dict),
}


def check(raw) -> dict:
    return validate(raw, FILTER, prefix="filter.")


def index_for(f: dict) -> tuple[str, str | None]:
    """(index, key): tag > owner > lead > site."""
    for name in ("tag", "owner", "lead"):
        if f.get(name):
            return name, f[name]
    return "site", None


def _field_ok(have, want) -> bool:
    if isinstance(have, list):
        wanted = want if isinstance(want, list) else [want]
        return all(w in have for w in wanted)
    return have == want


def matches(c: dict, f: dict) -> bool:
    if c.get("merged_into"):
        return False
    tags = set(c.get("tags") or ())
    if f.get("tag") and f["tag"] not in tags:
        return False
    if not set(f.get("tags_all") or ()) <= tags:
        return False
    if f.get("owner") and c.get("owner_id") != f["owner"]:
        return False
    lead = c.get("lead") or {}
    if f.get("lead"):
        if not lead:
            return False
        bucket = lead.get("status") if lead.get("owner_id") else "pool"
        if bucket != f["lead"]:
            return False
    if f.get("channel") and not ids.of_kind(c.get("identities"), f["channel"]):
        return False
    stats = c.get("stats") or {}
    seen = stats.get("last_seen_at")
    if f.get("last_seen_after") is not None and (seen is None or seen < f["last_seen_after"]):
        return False
    if f.get("last_seen_before") is not None and (seen is None or seen >= f["last_seen_before"]):
        return False
    rating = stats.get("last_rating")
    if f.get("min_rating") is not None and (rating is None or rating < f["min_rating"]):
        return False
    if f.get("max_rating") is not None and (rating is None or rating > f["max_rating"]):
        return False
    chats = int(stats.get("chats") or 0)
    if f.get("min_chats") is not None and chats < f["min_chats"]:
        return False
    if f.get("max_chats") is not None and chats > f["max_chats"]:
        return False
    have = c.get("fields") or {}
    return all(_field_ok(have.get(k), v) for k, v in (f.get("fields") or {}).items())

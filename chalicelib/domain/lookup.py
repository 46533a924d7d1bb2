"""Visitor lookup by name or email: how the searchable keys are derived (no AWS here).

A visitor with a name or an email carries, next to them, a normalized copy (NFKC, case-folded,
spaces collapsed) and that copy's first character. The visitors table indexes both pairs
(name-index, email-index: the first character is the partition, the normalized text the sort
key), so a lookup is one key-condition Query per index with ``begins_with`` on the normalized
prefix, never a read of the whole table, and the partitions spread over the alphabet instead
of one hot key."""
from __future__ import annotations

import re
import unicodedata

MAX_QUERY = 100
_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SPACES.sub(" ", folded).strip()


def lookup_fields(name: str | None = None, email: str | None = None,
                  *, has_name: bool = True, has_email: bool = True) -> dict:
    """The index attributes for a visitor's name and email. A field not being changed is left
    out (has_*=False); one cleared or empty maps to None, so the caller removes the keys."""
    out: dict = {}
    if has_name:
        n = normalize(name)
        out["name_p"], out["name_lc"] = (n[0], n) if n else (None, None)
    if has_email:
        e = normalize(email)
        out["email_p"], out["email_lc"] = (e[0], e) if e else (None, None)
    return out


def query_key(q: str) -> tuple[str, str] | None:
    """(partition, prefix) for a typed query, or None when there is nothing to look up."""
    n = normalize(q)[:MAX_QUERY]
    return (n[0], n) if n else None


def rank(visitors: list[dict], q: str) -> list[dict]:
    """Exact matches first, then by most recently seen."""
    n = normalize(q)

    def key(v):
        exact = n in (normalize(v.get("name")), normalize(v.get("email")))
        return (0 if exact else 1, -(v.get("last_seen_at") or 0))
    return sorted(visitors, key=key)

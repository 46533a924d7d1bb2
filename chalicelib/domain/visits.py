"""What counts as a visit: the returning-visitor figure in the console ("Returning (3 visits)").

A visit is a stretch of activity, as web analytics count it: a session call after 30 minutes
without one starts a new visit. The widget calls the session route several times within one
visit (start, the pre-chat form, setAttributes(), identify(), a token renewal, a new chat):
none of those is a new visit."""
from __future__ import annotations

VISIT_GAP_MS = 30 * 60 * 1000


def is_new_visit(last_seen_at: int | None, now_ms: int, gap_ms: int = VISIT_GAP_MS) -> bool:
    """True when a session call at now_ms starts a new visit for a visitor last seen then."""
    if not last_seen_at:
        return True
    return now_ms - int(last_seen_at) >= gap_ms

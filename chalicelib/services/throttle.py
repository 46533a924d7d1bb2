"""Per-site limits on what anyone can start without an account: visitor sessions
(``POST /v1/visitor/sessions``) and visitor long-polls (each start of ``GET .../poll``).

``check(deps, name, site_key)`` counts the event in the site's current window (one atomic
UpdateItem on the keys table) and raises ``RateLimited`` (429 ``rate_limited`` with
``retry_after`` seconds; the route adds a ``Retry-After`` header) once the site is over its
limit. Limits come from the environment (chalicelib/config.py; 0 disables one). A counter
that cannot be written never refuses the request (logged): throttling must not become the
outage. API Gateway's stage and route throttling (infra/throttling.json) caps the total in
front of this.
"""
from __future__ import annotations

from chalicelib import config, log
from chalicelib.domain.ratelimit import Limit, exceeded, retry_after, window_for
from chalicelib.errors import AppError

LIMITS = {
    "sessions": lambda: Limit("sessions", config.rate_sessions_per_minute(), 60),
    "polls": lambda: Limit("polls", config.rate_polls_per_minute(), 60),
}


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


def check(deps, name: str, site_key: str) -> None:
    limit = LIMITS[name]()
    if not limit.enabled or deps.rates is None:
        return
    now = deps.clock()
    window = window_for(limit, site_key, now)
    try:
        count = deps.rates.hit(window.key, window.expires_at)
    except Exception as exc:  # noqa: BLE001 - fail open, never a 500 because of a counter
        log.warning("rate_counter_failed", limit=name, site_key=site_key, error=repr(exc))
        return
    if exceeded(limit, count):
        wait = retry_after(window, now)
        if count == limit.per_window + 1:      # once per window, not once per refusal
            log.warning("rate_limited", limit=name, site_key=site_key,
                        per_minute=limit.per_window)
        raise RateLimited(f"Too many requests for this site; try again in {wait} s.",
                          details={"retry_after": wait, "limit": name})

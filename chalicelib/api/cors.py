"""Which browser origins may call which route group (CORS).

* Visitor routes (``/v1/visitor``) and ``/v1/health`` answer any origin: the widget runs on
  every site that embeds it, and visitor tokens are scoped to one visitor.
* Agent and admin routes (``/v1/agent``, ``/v1/admin``) answer only the console's origin,
  ``PARLEY_CONSOLE_ORIGIN`` (e.g. ``https://d111.cloudfront.net``; the deployment writes it,
  the local runtime sets its own address). Unset, they send no CORS headers at all: only a
  console served from the API's own origin can use them.

The value is read when app.py registers the route groups: Chalice bakes it into API
Gateway's preflight (OPTIONS) responses at deploy time, so ``infra/deploy.py`` runs
``chalice deploy`` with the stage's value in its environment.
"""
from __future__ import annotations

from chalice import CORSConfig

from chalicelib import config

ALLOW_HEADERS = ["Authorization", "Content-Type"]
EXPOSE_HEADERS = ["Retry-After"]
MAX_AGE = 600


def open_cors() -> CORSConfig:
    return CORSConfig(allow_origin="*", allow_headers=ALLOW_HEADERS,
                      expose_headers=EXPOSE_HEADERS, max_age=MAX_AGE)


def console_cors(origin: str | None = None):
    """CORS for agent/admin routes: the console's origin, or False (no CORS headers)."""
    origin = config.console_origin() if origin is None else origin
    if not origin:
        return False
    return CORSConfig(allow_origin=origin, allow_headers=ALLOW_HEADERS,
                      expose_headers=EXPOSE_HEADERS, max_age=MAX_AGE)

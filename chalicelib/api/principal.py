"""Who is calling an agent or admin route: a signed-in agent (agent token) or a service
principal (an API key, `Bearer pk_live_...`, services/api_keys.py) allowed by its scope."""
from __future__ import annotations

from chalicelib.api.common import bearer, get_deps, source_ip
from chalicelib.services import api_keys, sessions


def principal(request, area: str, site_key: str | None = None):
    """The Actor behind the request's bearer token for a route of `area` ("agent",
    "admin" or "channel"; a channel route names the site it belongs to)."""
    token = bearer(request)
    if api_keys.is_api_key(token):
        ctx = request.context or {}
        path = ctx.get("path") or ctx.get("resourcePath") or ""
        return api_keys.key_actor(get_deps(), token, area, request.method or "GET", path,
                                  source_ip(request), site_key=site_key)
    return sessions.agent_actor(get_deps(), token, source_ip(request))

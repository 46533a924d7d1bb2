"""Report routes (/v1/agent/reports...): agent tokens. Supervisors and admins see any
figures; an agent's request is narrowed to their own (services/reports/queries.py)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.common import bearer, get_deps, query, route
from chalicelib.services import sessions
from chalicelib.services.reports import live, queries

bp = Blueprint(__name__)


def _actor(request):
    return sessions.agent_actor(get_deps(), bearer(request))


@route(bp, "/reports", methods=["GET"])
def site_report():
    req = bp.current_request
    return queries.site_report(get_deps(), _actor(req), query(req))


@route(bp, "/reports/now", methods=["GET"])
def report_now():
    req = bp.current_request
    return live.now(get_deps(), _actor(req))

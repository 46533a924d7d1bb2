"""Report and quality routes (/v1/agent/reports..., /v1/agent/qa...): agent tokens
(or API keys, which may read them).
Supervisors and admins see any figures and results; an agent's request is narrowed to their
own (services/reports/queries.py, services/qa.py)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.common import get_deps, query, route
from chalicelib.api.principal import principal
from chalicelib.services import qa, qa_figures
from chalicelib.services.reports import live, queries

bp = Blueprint(__name__)


def _actor(request):
    return principal(request, "agent")     # an agent token, or an API key in its scope


@route(bp, "/reports", methods=["GET"])
def site_report():
    req = bp.current_request
    return queries.site_report(get_deps(), _actor(req), query(req))


@route(bp, "/reports/now", methods=["GET"])
def report_now():
    req = bp.current_request
    return live.now(get_deps(), _actor(req))


@route(bp, "/qa", methods=["GET"])
def qa_results():
    req = bp.current_request
    return qa.list_results(get_deps(), _actor(req), query(req))


@route(bp, "/qa/summary", methods=["GET"])
def qa_summary():
    """QA figures (services/qa_figures.py); registered before /qa/{conversation_id}, and
    concrete paths win over captures in API Gateway and Chalice alike."""
    req = bp.current_request
    return qa_figures.summary(get_deps(), _actor(req), query(req))


@route(bp, "/qa/{conversation_id}", methods=["GET"])
def qa_result(conversation_id):
    req = bp.current_request
    return qa.get_result(get_deps(), _actor(req), conversation_id)

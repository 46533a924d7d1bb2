"""Ticket routes: /v1/agent/tickets... (agent tokens), /v1/admin/tickets/... (admins),
/v1/visitor/tickets... (the requester's own tickets). Each parses, calls one service."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.admin import admin_actor
from chalicelib.api.common import bearer, get_deps, json_body, query, route, source_ip
from chalicelib.domain.validation import optional_int
from chalicelib.services import sessions
from chalicelib.services.tickets import admin as ticket_admin
from chalicelib.services.tickets import comments, create, manage, visitor

agent_bp = Blueprint(__name__ + ".agent")
admin_bp = Blueprint(__name__ + ".admin")
visitor_bp = Blueprint(__name__ + ".visitor")


def _agent(request):
    return sessions.agent_actor(get_deps(), bearer(request), source_ip(request))


def _page(q: dict) -> tuple[int, str | None]:
    return optional_int(q.get("limit"), "limit", 50, 1, 100), q.get("cursor")


# ---------------------------------------------------------------- agents
@route(agent_bp, "/tickets", methods=["GET"])
def list_tickets():
    req = agent_bp.current_request
    return manage.list_tickets(get_deps(), _agent(req), query(req))


@route(agent_bp, "/tickets", methods=["POST"])
def create_ticket():
    req = agent_bp.current_request
    return Response(body=create.create(get_deps(), _agent(req), json_body(req)),
                    status_code=201)


@route(agent_bp, "/tickets/bulk", methods=["POST"])
def bulk_tickets():
    req = agent_bp.current_request
    return manage.bulk(get_deps(), _agent(req), json_body(req))


@route(agent_bp, "/conversations/{conversation_id}/ticket", methods=["POST"])
def ticket_from_chat(conversation_id):
    req = agent_bp.current_request
    out = create.create_from_chat(get_deps(), _agent(req), conversation_id, json_body(req))
    return Response(body=out, status_code=201 if out["created"] else 200)


@route(agent_bp, "/tickets/{ticket_id}", methods=["GET"])
def get_ticket(ticket_id):
    req = agent_bp.current_request
    return manage.get(get_deps(), _agent(req), ticket_id)


@route(agent_bp, "/tickets/{ticket_id}", methods=["PATCH"])
def update_ticket(ticket_id):
    req = agent_bp.current_request
    return manage.update(get_deps(), _agent(req), ticket_id, json_body(req))


@route(agent_bp, "/tickets/{ticket_id}/comments", methods=["GET"])
def list_comments(ticket_id):
    req = agent_bp.current_request
    return manage.comments(get_deps(), _agent(req), ticket_id, *_page(query(req)))


@route(agent_bp, "/tickets/{ticket_id}/comments", methods=["POST"])
def add_comment(ticket_id):
    req = agent_bp.current_request
    return Response(body=comments.add(get_deps(), _agent(req), ticket_id, json_body(req)),
                    status_code=201)


@route(agent_bp, "/tickets/{ticket_id}/uploads", methods=["POST"])
def upload(ticket_id):
    req = agent_bp.current_request
    return comments.request_upload(get_deps(), _agent(req), ticket_id, json_body(req))


@route(agent_bp, "/tickets/{ticket_id}/history", methods=["GET"])
def history(ticket_id):
    req = agent_bp.current_request
    return manage.history(get_deps(), _agent(req), ticket_id, *_page(query(req)))


@route(agent_bp, "/tickets/settings/{site_key}", methods=["GET"])
def ticket_settings(site_key):
    """Every agent reads the custom fields (the ticket form) and the SLA policy."""
    _agent(agent_bp.current_request)
    return ticket_admin.get_settings(get_deps(), site_key)


# ---------------------------------------------------------------- admins
@route(admin_bp, "/tickets/settings/{site_key}/fields", methods=["PUT"])
def put_fields(site_key):
    req = admin_bp.current_request
    return ticket_admin.put_fields(get_deps(), admin_actor(req), site_key, json_body(req))


@route(admin_bp, "/tickets/settings/{site_key}/sla", methods=["PUT"])
def put_sla(site_key):
    req = admin_bp.current_request
    return ticket_admin.put_sla(get_deps(), admin_actor(req), site_key, json_body(req))


# ---------------------------------------------------------------- the requester
@route(visitor_bp, "/tickets", methods=["GET"])
def my_tickets():
    req = visitor_bp.current_request
    return visitor.my_tickets(get_deps(), sessions.visitor_actor(get_deps(), bearer(req)))


@route(visitor_bp, "/tickets/{ticket_id}", methods=["GET"])
def my_ticket(ticket_id):
    req = visitor_bp.current_request
    return visitor.my_ticket(get_deps(), sessions.visitor_actor(get_deps(), bearer(req)),
                             ticket_id)

"""Form routes (issue 16, docs/contacts.md "Forms"): admins design forms
(/v1/admin/forms), agents list them and send one into a chat (/v1/agent/...), the visitor
answers (/v1/visitor/conversations/{cid}/forms/{seq})."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.common import bearer, get_deps, json_body, query, route, source_ip
from chalicelib.domain.validation import optional_int
from chalicelib.services import sessions
from chalicelib.services.contacts import form_chat, forms

admin_bp = Blueprint(__name__ + ".admin")
agent_bp = Blueprint(__name__ + ".agent")
visitor_bp = Blueprint(__name__ + ".visitor")


def _agent(request):
    return sessions.agent_actor(get_deps(), bearer(request), source_ip(request))


def _list(bp):
    req = bp.current_request
    q = query(req)
    return forms.list_forms(get_deps(), _agent(req), q.get("site_key"), q.get("after"),
                            optional_int(q.get("limit"), "limit", forms.PAGE, 1, 100),
                            q.get("kind"))


@route(admin_bp, "/forms", methods=["GET"])
def admin_list_forms():
    return _list(admin_bp)


@route(admin_bp, "/forms", methods=["POST"])
def create_form():
    req = admin_bp.current_request
    out = forms.create(get_deps(), _agent(req), query(req).get("site_key"), json_body(req))
    return Response(body=out, status_code=201)


@route(admin_bp, "/forms/{form_id}", methods=["PUT"])
def replace_form(form_id):
    req = admin_bp.current_request
    return forms.replace(get_deps(), _agent(req), query(req).get("site_key"), form_id,
                         json_body(req))


@route(admin_bp, "/forms/{form_id}", methods=["DELETE"])
def delete_form(form_id):
    req = admin_bp.current_request
    return forms.delete(get_deps(), _agent(req), query(req).get("site_key"), form_id)


@route(agent_bp, "/forms", methods=["GET"])
def agent_list_forms():
    """Any agent: the site's forms (kind=inchat for the inbox's "Send form")."""
    return _list(agent_bp)


@route(agent_bp, "/conversations/{conversation_id}/forms", methods=["POST"])
def send_form(conversation_id):
    req = agent_bp.current_request
    out = form_chat.send(get_deps(), _agent(req), conversation_id, json_body(req))
    return Response(body=out, status_code=201 if out["created"] else 200)


@route(visitor_bp, "/conversations/{conversation_id}/forms/{seq}", methods=["POST"])
def answer_form(conversation_id, seq):
    req = visitor_bp.current_request
    actor = sessions.visitor_actor(get_deps(), bearer(req))
    return form_chat.answer(get_deps(), actor, conversation_id,
                            optional_int(seq, "seq", None, 1, 10 ** 12), json_body(req))

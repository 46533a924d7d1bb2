"""The conversation routes visitors and agents share (history, send, long-poll, read,
typing, attachments). Each blueprint passes its own `actor_for(request)`, which accepts only
its kind of token, so the two route groups stay apart."""
from __future__ import annotations

from chalice import Response

from chalicelib.api.common import get_deps, json_body, query, route
from chalicelib.domain.validation import optional_int
from chalicelib.services import conversations as convs


def add_conversation_routes(bp, actor_for, prefix: str) -> None:
    """Register the shared routes on `bp`; view names get `prefix` to stay unique."""
    def actor():
        return actor_for(bp.current_request)

    def shared(path, method):
        def register(func):
            func.__name__ = f"{prefix}_{func.__name__}"
            return route(bp, path, methods=[method])(func)
        return register

    @shared("/conversations/{conversation_id}/messages", "GET")
    def list_messages(conversation_id):
        q = query(bp.current_request)
        return convs.history(get_deps(), actor(), conversation_id,
                             after=optional_int(q.get("after"), "after", None, 0, 10**12),
                             before=optional_int(q.get("before"), "before", None, 1, 10**12),
                             limit=optional_int(q.get("limit"), "limit", 50, 1, 200))

    @shared("/conversations/{conversation_id}/messages", "POST")
    def send_message(conversation_id):
        message, created = convs.post_message(get_deps(), actor(), conversation_id,
                                              json_body(bp.current_request))
        return Response(body={"message": message, "duplicate": not created},
                        status_code=201 if created else 200)

    @shared("/conversations/{conversation_id}/poll", "GET")
    def long_poll(conversation_id):
        q = query(bp.current_request)
        return convs.poll(get_deps(), actor(), conversation_id,
                          after=optional_int(q.get("after"), "after", 0, 0, 10**12),
                          rev=optional_int(q.get("rev"), "rev", None, 0, 10**12),
                          wait=optional_int(q.get("wait"), "wait", 20, 0, 60))

    @shared("/conversations/{conversation_id}/read", "POST")
    def mark_read(conversation_id):
        return convs.mark_read(get_deps(), actor(), conversation_id,
                               json_body(bp.current_request))

    @shared("/conversations/{conversation_id}/typing", "POST")
    def typing(conversation_id):
        return convs.set_typing(get_deps(), actor(), conversation_id,
                                json_body(bp.current_request))

    @shared("/conversations/{conversation_id}/attachments", "POST")
    def request_upload(conversation_id):
        return convs.request_upload(get_deps(), actor(), conversation_id,
                                    json_body(bp.current_request))

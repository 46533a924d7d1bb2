"""Admin REST routes for outgoing webhooks and API keys (mounted at /v1/admin): admins, or
an API key of scope admin (read-only keys: the GETs). docs/webhooks.md."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.admin import admin_actor
from chalicelib.api.common import get_deps, json_body, query, route
from chalicelib.domain.validation import optional_int
from chalicelib.services import api_keys, webhooks

bp = Blueprint(__name__)


def _created(body: dict) -> Response:
    return Response(body=body, status_code=201)


# ---------------------------------------------------------------- webhook endpoints
@route(bp, "/webhooks", methods=["GET"])
def list_webhooks():
    req = bp.current_request
    admin_actor(req)
    return webhooks.list_endpoints(get_deps(), query(req).get("site_key"))


@route(bp, "/webhooks", methods=["POST"])
def create_webhook():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(webhooks.create_endpoint(get_deps(), actor, json_body(req)))


@route(bp, "/webhooks/{endpoint_id}", methods=["GET"])
def get_webhook(endpoint_id):
    admin_actor(bp.current_request)
    return webhooks.get_endpoint(get_deps(), endpoint_id)


@route(bp, "/webhooks/{endpoint_id}", methods=["PATCH"])
def update_webhook(endpoint_id):
    req = bp.current_request
    actor = admin_actor(req)
    return webhooks.update_endpoint(get_deps(), actor, endpoint_id, json_body(req))


@route(bp, "/webhooks/{endpoint_id}", methods=["DELETE"])
def delete_webhook(endpoint_id):
    actor = admin_actor(bp.current_request)
    return webhooks.delete_endpoint(get_deps(), actor, endpoint_id)


@route(bp, "/webhooks/{endpoint_id}/rotate-secret", methods=["POST"])
def rotate_webhook_secret(endpoint_id):
    actor = admin_actor(bp.current_request)
    return webhooks.rotate_secret(get_deps(), actor, endpoint_id)


@route(bp, "/webhooks/{endpoint_id}/test", methods=["POST"])
def test_webhook(endpoint_id):
    actor = admin_actor(bp.current_request)
    return webhooks.ping(get_deps(), actor, endpoint_id)


@route(bp, "/webhooks/{endpoint_id}/deliveries", methods=["GET"])
def list_deliveries(endpoint_id):
    req = bp.current_request
    admin_actor(req)
    q = query(req)
    return webhooks.list_deliveries(get_deps(), endpoint_id,
                                    optional_int(q.get("limit"), "limit", 20, 1, 100),
                                    q.get("cursor") or None)


@route(bp, "/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", methods=["POST"])
def redeliver(endpoint_id, delivery_id):
    actor = admin_actor(bp.current_request)
    return Response(body=webhooks.redeliver(get_deps(), actor, endpoint_id, delivery_id),
                    status_code=202)


# ---------------------------------------------------------------- API keys
@route(bp, "/api-keys", methods=["GET"])
def list_api_keys():
    admin_actor(bp.current_request)
    return api_keys.list_keys(get_deps(), query(bp.current_request).get("cursor"))


@route(bp, "/api-keys", methods=["POST"])
def create_api_key():
    req = bp.current_request
    actor = admin_actor(req)
    return _created(api_keys.create_key(get_deps(), actor, json_body(req)))


@route(bp, "/api-keys/{key_id}", methods=["DELETE"])
def revoke_api_key(key_id):
    actor = admin_actor(bp.current_request)
    return api_keys.revoke_key(get_deps(), actor, key_id)

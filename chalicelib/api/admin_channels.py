"""Admin routes for channels (/v1/admin/channels): connect WeChat accounts, Mini Programs and
API channels to a site. Credentials are write-only (services/channel_admin.py)."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.admin import admin_actor
from chalicelib.api.common import get_deps, json_body, query, route
from chalicelib.services import channel_admin

bp = Blueprint(__name__)


@route(bp, "/channels", methods=["GET"])
def list_channels():
    req = bp.current_request
    admin_actor(req)
    return channel_admin.list_channels(get_deps(), query(req).get("site_key"))


@route(bp, "/channels", methods=["POST"])
def create_channel():
    req = bp.current_request
    actor = admin_actor(req)
    return Response(body=channel_admin.create_channel(get_deps(), actor, json_body(req)),
                    status_code=201)


@route(bp, "/channels/{channel_id}", methods=["GET"])
def get_channel(channel_id):
    admin_actor(bp.current_request)
    return channel_admin.get_channel(get_deps(), channel_id)


@route(bp, "/channels/{channel_id}", methods=["PATCH"])
def update_channel(channel_id):
    req = bp.current_request
    actor = admin_actor(req)
    return channel_admin.update_channel(get_deps(), actor, channel_id, json_body(req))


@route(bp, "/channels/{channel_id}", methods=["DELETE"])
def delete_channel(channel_id):
    actor = admin_actor(bp.current_request)
    return channel_admin.delete_channel(get_deps(), actor, channel_id)


@route(bp, "/channels/{channel_id}/rotate-secret", methods=["POST"])
def rotate_channel_secret(channel_id):
    actor = admin_actor(bp.current_request)
    return channel_admin.rotate_secret(get_deps(), actor, channel_id)

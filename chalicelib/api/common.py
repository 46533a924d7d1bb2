"""Shared plumbing for the HTTP routes: the adapters, tokens, bodies, errors."""
from __future__ import annotations

import json
import threading

from chalice import Response

from chalicelib.errors import AppError, Unauthorized, ValidationError

_deps = None
_lock = threading.Lock()


def get_deps():
    global _deps
    if _deps is None:
        with _lock:
            if _deps is None:
                from chalicelib import bootstrap
                _deps = bootstrap.build()
    return _deps


def set_deps(deps) -> None:
    """Tests and the local runtime may install their own adapters."""
    global _deps
    _deps = deps


def bearer(request) -> str:
    header = (request.headers or {}).get("authorization") or ""
    if not header.lower().startswith("bearer "):
        raise Unauthorized("An 'Authorization: Bearer <token>' header is required.",
                           code="missing_token")
    return header[7:].strip()


def optional_bearer(request) -> str | None:
    header = (request.headers or {}).get("authorization") or ""
    return header[7:].strip() if header.lower().startswith("bearer ") else None


MAX_BODY = 64 * 1024


def json_body(request) -> dict:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY:
        raise AppError("The request body is too large.", code="body_too_large", status=413)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("The body is not valid JSON.", code="invalid_json")
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_body")
    return body


def query(request) -> dict:
    return request.query_params or {}


def error_response(err: AppError) -> Response:
    return Response(body={"error": err.to_dict()}, status_code=err.status,
                    headers={"Content-Type": "application/json"})


def handles_errors(func):
    """Turn AppError into the JSON error shape; anything else into a logged 500."""
    import functools

    from chalicelib import log

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AppError as err:
            return error_response(err)
        except Exception as exc:
            log.error("unhandled_error", view=func.__name__, error=repr(exc))
            return error_response(AppError("Internal error.", code="internal_error",
                                           status=500))
    return wrapper


def route(bp, path: str, **kwargs):
    """bp.route with JSON errors."""
    def decorator(func):
        bp.route(path, **kwargs)(handles_errors(func))
        return func
    return decorator

"""Shared plumbing for the HTTP routes: the adapters, tokens, bodies, errors."""
from __future__ import annotations

import functools
import threading

from chalice import Response

from chalicelib.domain import strictjson
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


TOKEN_MAX = 4096


def _token(header: str) -> str:
    """The token after 'Bearer ': tokens are printable ASCII (a JWT is base64url and dots),
    so anything else is refused here as a malformed token, before it reaches a decoder."""
    token = header[7:].strip()
    if len(token) > TOKEN_MAX or not (token.isascii() and token.isprintable()):
        raise Unauthorized("Malformed token.", code="invalid_token")
    return token


def bearer(request) -> str:
    header = (request.headers or {}).get("authorization") or ""
    if not header.lower().startswith("bearer "):
        raise Unauthorized("An 'Authorization: Bearer <token>' header is required.",
                           code="missing_token")
    return _token(header)


def source_ip(request) -> str | None:
    """The caller's address as API Gateway saw it (requestContext.identity.sourceIp)."""
    ip = ((request.context or {}).get("identity") or {}).get("sourceIp")
    return ip[:64] if isinstance(ip, str) and ip else None


def optional_bearer(request) -> str | None:
    header = (request.headers or {}).get("authorization") or ""
    if not header.lower().startswith("bearer "):
        return None
    try:
        return _token(header)
    except Unauthorized:
        return None    # the session route starts afresh on any unusable token


MAX_BODY = 64 * 1024
# Bodies are JSON whatever the label: text/plain is what navigator.sendBeacon and "simple"
# cross-origin requests (no preflight) send. A missing Content-Type is read as JSON too.
JSON_MEDIA_TYPES = ("application/json", "text/plain")


def _check_media_type(request) -> None:
    header = (request.headers or {}).get("content-type") or ""
    media = header.split(";", 1)[0].strip().lower()
    if media and media not in JSON_MEDIA_TYPES and not media.endswith("+json"):
        raise AppError("Request bodies are JSON (application/json).",
                       code="unsupported_media_type", status=415)


def json_body(request, max_bytes: int = MAX_BODY) -> dict:
    """The request body as a JSON object, through the strict parser (domain/strictjson.py):
    every malformed body is a 4xx with a stable code, never a 500."""
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise AppError("The request body is too large.", code="body_too_large", status=413)
    if not raw.strip():
        return {}
    _check_media_type(request)
    body = strictjson.loads(raw)
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_body")
    return body


def query(request) -> dict:
    return request.query_params or {}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON reply encoded strictly (never NaN/Infinity, which JSON.parse rejects)."""
    return Response(body=strictjson.dumps(body), status_code=status,
                    headers={**(headers or {}), "Content-Type": "application/json"})


def error_response(err: AppError) -> Response:
    headers = {}
    if err.status == 429 and "retry_after" in err.details:
        headers["Retry-After"] = str(err.details["retry_after"])
    return json_response({"error": err.to_dict()}, err.status, headers)


def _strict(result):
    """Encode a view's result ourselves, so Chalice's encoder (which writes NaN) never runs."""
    if isinstance(result, Response):
        ctype = {k.lower(): v for k, v in (result.headers or {}).items()}.get("content-type")
        if isinstance(result.body, (dict, list)) and ctype in (None, "application/json"):
            return json_response(result.body, result.status_code, result.headers)
        return result
    return json_response(result)


def handles_errors(func):
    """Turn AppError into the JSON error shape; anything else into a logged 500."""
    from chalicelib import log

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return _strict(func(*args, **kwargs))
        except AppError as err:
            return error_response(err)
        except Exception as exc:
            log.error("unhandled_error", view=func.__name__, error=repr(exc))
            return error_response(AppError("Internal error.", code="internal_error",
                                           status=500))
    return wrapper


def route(bp, path: str, **kwargs):
    """bp.route with JSON errors. Every content type reaches the view (Chalice would answer
    an unlisted one itself, with its own error shape); json_body decides (415
    `unsupported_media_type` in the documented shape)."""
    kwargs.setdefault("content_types", ["*/*"])

    def decorator(func):
        bp.route(path, **kwargs)(handles_errors(func))
        return func
    return decorator

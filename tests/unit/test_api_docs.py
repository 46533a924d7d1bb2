"""The API reference stays honest: docs/openapi.yaml and docs/websocket-protocol.md
against the Chalice app and the code. No AWS: importing the app touches nothing remote.

- the OpenAPI document is valid (openapi-spec-validator when installed, else a structural
  check of our own);
- every (path, method) the app registers is documented, and nothing documented is missing
  from the app (OPTIONS, added for CORS, is ignored);
- each operation's security matches its route group (visitor / agent / admin / public);
- every stable error code the code raises (literal ``code="..."`` in chalicelib, and the
  default codes of the error classes) is written as `code` in one of the two documents;
- every WebSocket action in realtime.ACTIONS and every server event ``"type"`` is in the
  protocol document.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "docs" / "openapi.yaml"
WS_DOC = ROOT / "docs" / "websocket-protocol.md"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# Routes anyone may call (no token).
PUBLIC = {("/v1/health", "GET"), ("/v1/visitor/sessions", "POST"),
          ("/v1/visitor/sites/{site_key}", "GET"), ("/v1/agent/login", "POST"),
          # channel webhooks: each checks its own signature (docs/channels.md)
          ("/v1/channels/wechat/{channel_id}", "GET"), ("/v1/channels/wechat/{channel_id}", "POST"),
          ("/v1/channels/{channel_id}/messages", "POST")}
# Code files whose error codes reach clients (REST answers or WebSocket error events).
CODE_DIRS = ("api", "services", "domain", "adapters")
CODE_FILES = ("errors.py", "security.py")


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs_text() -> str:
    return OPENAPI.read_text(encoding="utf-8") + "\n" + WS_DOC.read_text(encoding="utf-8")


def app_routes() -> set[tuple[str, str]]:
    import app
    return {(path, method.upper()) for path, methods in app.app.routes.items()
            for method in methods if method.upper() != "OPTIONS"}


def documented_routes(spec: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in spec["paths"].items()
            for method in item if method in HTTP_METHODS and method != "options"}


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method.upper(), item, op


# ------------------------------------------------------------------ validity
def _resolve(spec: dict, ref: str):
    assert ref.startswith("#/"), f"only local $refs are used: {ref}"
    node = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def _structural_check(spec: dict) -> None:
    """What we rely on when openapi-spec-validator is not installed."""
    assert spec.get("openapi") == "3.0.3"
    assert spec["info"]["title"] and spec["info"]["version"]
    schemes = spec["components"]["securitySchemes"]
    for path, method, item, op in operations(spec):
        where = f"{method} {path}"
        assert op.get("summary"), where
        assert op.get("responses"), where
        for status, resp in op["responses"].items():
            assert isinstance(status, str) and re.fullmatch(r"[1-5]\d\d|default", status), where
            resp = _resolve(spec, resp["$ref"]) if "$ref" in resp else resp
            assert resp.get("description"), f"{where} {status}"
        declared = {p["name"] for p in [*item.get("parameters", []), *op.get("parameters", [])]
                    for p in [_resolve(spec, p["$ref"]) if "$ref" in p else p]
                    if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), where
        for requirement in op.get("security", spec.get("security", [])):
            assert set(requirement) <= set(schemes), where

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                _resolve(spec, node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(spec)


def test_openapi_document_is_valid(spec):
    try:
        from openapi_spec_validator import validate
    except ImportError:
        validate = None
    if validate is not None:
        validate(spec)
    _structural_check(spec)  # cheap, and catches dangling $refs in unused corners too


def test_operation_ids_are_unique(spec):
    ids = [op.get("operationId") for *_, op in operations(spec)]
    assert all(ids), "every operation has an operationId"
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ routes
def test_every_app_route_is_documented(spec):
    missing = sorted(app_routes() - documented_routes(spec))
    assert not missing, f"routes missing from docs/openapi.yaml: {missing}"


def test_nothing_documented_is_missing_from_the_app(spec):
    extra = sorted(documented_routes(spec) - app_routes())
    assert not extra, f"documented in docs/openapi.yaml but not in the app: {extra}"


def test_security_matches_the_route_group(spec):
    assert set(spec["components"]["securitySchemes"]) == {"visitorToken", "agentToken"}
    for path, method, _, op in operations(spec):
        where = f"{method} {path}"
        security = op.get("security")
        assert security is not None, f"{where}: say which token it takes"
        schemes = {name for req in security for name in req}
        if (path, method) in PUBLIC:
            assert {} in security or security == [], f"{where} is public"
            continue
        assert {} not in security and security, f"{where} needs a token"
        if path.startswith("/v1/visitor/"):
            assert schemes == {"visitorToken"}, where
        elif path.startswith(("/v1/agent/", "/v1/admin/")):
            assert schemes == {"agentToken"}, where
        else:
            raise AssertionError(f"{where}: unknown route group")
        if path.startswith("/v1/admin/"):
            assert op.get("x-required-role") == "admin", where
            assert "403" in op["responses"], where
        assert "401" in op["responses"], where


def test_json_bodies_reject_unknown_fields(spec):
    """The validator rejects unknown fields: request schemas say so."""
    for path, method, _, op in operations(spec):
        body = op.get("requestBody")
        if not body:
            continue
        schema = body["content"]["application/json"]["schema"]
        schema = _resolve(spec, schema["$ref"]) if "$ref" in schema else schema
        assert schema.get("additionalProperties") is False, f"{method} {path}"


# ------------------------------------------------------------------ error codes
def raised_codes() -> set[str]:
    chalicelib = ROOT / "chalicelib"
    files = [chalicelib / name for name in CODE_FILES]
    for sub in CODE_DIRS:
        files += sorted((chalicelib / sub).rglob("*.py"))
    codes = set()
    for f in files:
        text = f.read_text(encoding="utf-8")
        codes |= set(re.findall(r'\bcode="([A-Za-z0-9_]+)"', text))
        if f.name == "errors.py":
            codes |= set(re.findall(r'^\s+code = "([A-Za-z0-9_]+)"', text, re.M))
    # DirectoryRepo builds codes from its kinds (f"{kind}_exists", f"{kind}_not_found").
    # The ones that reach clients: canned_exists becomes shortcut_taken in services/admin.py
    # and sites are written with put (never "exists").
    codes |= {"team_exists", "team_not_found", "canned_not_found"}
    return codes


def test_error_codes_are_documented(docs_text):
    codes = raised_codes()
    assert {"conversation_closed", "missing_token", "frame_too_large"} <= codes  # sanity
    missing = sorted(c for c in codes if f"`{c}`" not in docs_text)
    assert not missing, ("error codes not written as `code` in docs/openapi.yaml or "
                         f"docs/websocket-protocol.md: {missing}")


# ------------------------------------------------------------------ WebSocket
def test_every_websocket_action_is_documented():
    from chalicelib.services import realtime
    text = WS_DOC.read_text(encoding="utf-8")
    for action in realtime.ACTIONS:
        assert f'"action": "{action}"' in text, f"no example of the {action!r} action"
        assert re.search(rf"^#+ .*`{action}`", text, re.M), f"no section for {action!r}"


def test_every_server_event_type_is_documented():
    """Each literal {"type": "..."} the services build (events, message types) is shown."""
    text = WS_DOC.read_text(encoding="utf-8")
    types = set()
    for f in (ROOT / "chalicelib" / "services").glob("*.py"):
        types |= set(re.findall(r'"type":\s*"([a-z_]+)"', f.read_text(encoding="utf-8")))
    assert {"message", "ack", "error", "pong", "sync"} <= types  # sanity
    missing = sorted(t for t in types if f'"type": "{t}"' not in text)
    assert not missing, f"event types without an example in the protocol doc: {missing}"

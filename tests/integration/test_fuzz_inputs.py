"""Property-style input fuzzing (issue 18): every JSON route of the app, enumerated from the
Chalice route table (a new route is covered without touching this file), gets generated
junk (nesting, surrogates, NaN, huge numbers, wrong types, oversized strings, non-JSON);
no answer may be a 5xx, every error has the documented shape and every answer is standard
JSON. The same for WebSocket frames and $connect. Seeded (tests/helpers/junk.py), bounded:
PARLEY_FUZZ_EXAMPLES cases per route (default 6)."""
import json
import os
import random
import re
from pathlib import Path

import pytest
import yaml

from chalicelib.services import agents, realtime
from tests.helpers import junk
from tests.helpers.api import Api, ws_event

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("PARLEY_FUZZ_SEED", "18"))
SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml")
                      .read_text(encoding="utf-8"))


def strict_json(text):
    def refuse(literal):
        raise AssertionError(f"non-standard JSON in an answer: {literal}")
    return json.loads(text, parse_constant=refuse)


def app_routes():
    import app as app_module
    return sorted((path, m) for path, methods in app_module.app.routes.items()
                  for m in methods if m != "OPTIONS")


def operation(path, method):
    item = SPEC["paths"].get(path) or {}
    op = item.get(method.lower()) or {}
    params = [junk.resolve(SPEC, p) for p in (item.get("parameters") or []) +
              (op.get("parameters") or [])]
    content = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    return params, junk.resolve(SPEC, content.get("schema"))


@pytest.fixture
def world(deps, site):
    import app as app_module
    api = Api(app_module.app)
    agents.create_agent(deps, {"email": "fz@example.com", "name": "Fz",
                               "password": "password1", "role": "admin"})
    other = agents.create_agent(deps, {"email": "fo@example.com", "name": "Fo",
                                       "password": "password1"})
    admin_token = api.agent_login("fz@example.com", "password1")["token"]
    visitor = api.visitor_session(name="Fuzz")
    api.post("/v1/admin/teams", {"id": "sales", "name": "Sales"}, token=admin_token)
    api.post("/v1/admin/canned", {"shortcut": "/hi", "text": "Hello"}, token=admin_token)
    return {"api": api, "admin": admin_token, "visitor": visitor, "deps": deps,
            "ids": {"conversation_id": visitor["conversation_id"],
                    "visitor_id": visitor["visitor_id"], "agent_id": other["agent_id"],
                    "site_key": "demo", "team_id": "sales", "item_id": "hi",
                    "entry_id": "e1"}}


def _fill(rng, path, ids):
    def sub(m):
        name = m.group(1)
        return ids.get(name, "x") if rng.random() < 0.8 else rng.choice(
            ["x" * 300, "..", "%00", "%ED%A0%80", "%E4%B8%AD", "0", "%20"])
    return re.sub(r"\{(\w+)\}", sub, path)


def _query(rng, params, path):
    parts = []
    for p in params:
        if p.get("in") != "query" or rng.random() < 0.4:
            continue
        if p["name"] == "wait":
            parts.append("wait=0")          # never hold the test on a real wait
            continue
        v = junk.plausible(rng, p.get("schema"))
        v = v if isinstance(v, str) else json.dumps(v)
        from urllib.parse import quote
        parts.append(f"{p['name']}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}")
    if path.endswith("/poll") and not any(x.startswith("wait=") for x in parts):
        parts.append("wait=0")
    return ("?" + "&".join(parts)) if parts else ""


def _headers(rng, path, world):
    h = {}
    roll = rng.random()
    h["Content-Type"] = ("application/json" if roll < 0.8 else "text/plain;charset=UTF-8"
                         if roll < 0.9 else "application/x-www-form-urlencoded"
                         if roll < 0.95 else "application/json; charset=utf-8")
    token = world["visitor"]["token"] if path.startswith("/v1/visitor/") else world["admin"]
    roll = rng.random()
    if roll < 0.9:
        h["Authorization"] = f"Bearer {token}"
    elif roll < 0.95:
        h["Authorization"] = "Bearer " + rng.choice(["é", "x" * 5000, token[:-3] + "abc",
                                                     "a.b.c", "Bearer"])
    return h


def test_no_json_route_answers_5xx_to_junk(world):
    api = world["api"]
    rng = random.Random(SEED)
    seen_codes, failures, calls = set(), [], 0
    for path, method in app_routes():
        params, schema = operation(path, method)
        for _ in range(EXAMPLES):
            url = _fill(rng, path, world["ids"]) + _query(rng, params, path)
            body = junk.body(rng, schema) if method in ("POST", "PUT", "PATCH") else None
            if isinstance(body, str):
                body = body.encode("utf-8", "surrogatepass")
            resp = api.client.http.request(method, url, headers=_headers(rng, path, world),
                                           body=body)
            calls += 1
            ctype = (resp.headers or {}).get("content-type", "")
            if resp.status_code >= 500:
                failures.append((method, url, body[:200] if body else None, resp.body[:300]))
                continue
            if "json" not in ctype and resp.status_code < 400:
                continue                                   # the KB's CSV export
            data = strict_json(resp.body)
            if resp.status_code >= 400:
                err = data.get("error") if isinstance(data, dict) else None
                assert isinstance(err, dict) and isinstance(err.get("code"), str) \
                    and isinstance(err.get("message"), str), (method, url, data)
                seen_codes.add(err["code"])
    assert not failures, failures[:5]
    assert calls == EXAMPLES * len(app_routes())
    # the junk reached the strict parser and the validators behind it (not vacuous)
    assert {"invalid_json", "too_deep", "invalid_number", "invalid_text"} <= seen_codes, \
        seen_codes
    assert len(seen_codes) >= 12, seen_codes


FRAME_SCHEMAS = {
    "send": {"type": "object", "properties": {
        "client_message_id": {"type": "string", "maxLength": 64},
        "text": {"type": "string"}, "note": {"type": "boolean"},
        "attachment": {"type": "object", "properties": {
            "key": {"type": "string"}, "name": {"type": "string"},
            "content_type": {"type": "string"}, "size": {"type": "integer"}}}}},
    "read": {"type": "object", "properties": {"seq": {"type": "integer"}}},
    "typing": {"type": "object", "properties": {"state": {"type": "boolean"}}},
    "sync": {"type": "object", "properties": {"after": {"type": "integer"},
                                              "limit": {"type": "integer"}}},
    "ping": {"type": "object", "properties": {}},
    "join": {"type": "object", "properties": {}},
}


def _frame(rng, cid):
    if rng.random() < 0.15:
        return junk.raw(rng)
    action = rng.choice(list(realtime.ACTIONS) + ["shout", None])
    env = {"action": action if rng.random() < 0.9 else junk.value(rng),
           "id": rng.choice([f"r{rng.randrange(99)}", junk.value(rng)]),
           "data": junk.obj(rng, FRAME_SCHEMAS.get(action)) if rng.random() < 0.85
           else junk.value(rng)}
    if rng.random() < 0.6:
        env["conversation_id"] = cid if rng.random() < 0.7 else junk.value(rng)
    if rng.random() < 0.1:
        env["extra"] = junk.value(rng)
    return json.dumps(env)


def test_no_socket_frame_gets_an_internal_error(world, posted):
    deps, visitor = world["deps"], world["visitor"]
    cid = visitor["conversation_id"]
    realtime.connect(deps, "fz-vis", {"token": visitor["token"]})
    realtime.connect(deps, "fz-agt", {"token": world["admin"], "role": "agent"})
    rng = random.Random(SEED)
    n = EXAMPLES * 40
    for i in range(n):
        conn = "fz-vis" if i % 2 == 0 else "fz-agt"
        frame = _frame(rng, cid)
        if isinstance(frame, bytes):
            frame = frame.decode("utf-8", "replace")
        realtime.handle_frame(deps, conn, frame)
    events = posted.events("fz-vis") + posted.events("fz-agt")
    errors = [e for e in events if e.get("type") == "error"]
    bad = [e for e in errors if e.get("status", 500) >= 500 or e.get("code") == "internal_error"
           or not isinstance(e.get("code"), str)]
    assert not bad, bad[:5]
    codes = {e["code"] for e in errors}
    assert {"invalid_json", "too_deep", "invalid_number", "invalid_text"} <= codes, codes
    assert any(e.get("type") in ("ack", "sync", "pong") for e in events)


def test_connect_with_junk_query_is_refused_not_crashed(world):
    import app as app_module
    rng = random.Random(SEED)
    for i in range(EXAMPLES * 5):
        query = {k: junk.value(rng) if rng.random() < 0.5 else junk._string(rng)
                 for k in ("token", "role") if rng.random() < 0.8}
        query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()}
        result = app_module.ws_connect(ws_event("$connect", f"fz-c{i}", query=query), None)
        assert 400 <= result["statusCode"] < 500, (query, result)

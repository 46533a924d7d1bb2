"""Drive the Chalice app like API Gateway would: REST through chalice.test.Client, WebSocket
events built by hand (chalice.test has no WebSocket event generator)."""
from __future__ import annotations

import itertools
import json

from chalice.test import Client

_conn_ids = itertools.count(1)


def ws_event(route_key: str, connection_id: str, body=None, query=None) -> dict:
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    ev = {
        "requestContext": {
            "routeKey": route_key, "eventType": event_type, "connectionId": connection_id,
            "apiId": "testapi", "stage": "ws",
            "domainName": "testapi.execute-api.us-east-1.amazonaws.com",
            "requestId": f"req-{connection_id}", "connectedAt": 0,
        },
        "isBase64Encoded": False,
    }
    if query is not None:
        ev["queryStringParameters"] = query
    if body is not None:
        ev["body"] = body if isinstance(body, str) else json.dumps(body)
    return ev


class Api:
    def __init__(self, app):
        self.app = app
        self.client = Client(app)

    def close(self):
        self.client.__exit__(None, None, None) if hasattr(self.client, "__exit__") else None

    # REST ---------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        resp = self.client.http.request(method, path, headers=h, body=payload)
        try:
            data = json.loads(resp.body) if resp.body else None
        except ValueError:
            data = resp.body
        return resp.status_code, data

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def post(self, path, body=None, token=None, raw=None):
        return self.request("POST", path, body=body, token=token, raw=raw)

    def visitor_session(self, site_key="demo", **extra):
        status, data = self.post("/v1/visitor/sessions", {"site_key": site_key, **extra})
        assert status == 200, data
        return data

    def agent_login(self, email, password):
        status, data = self.post("/v1/agent/login", {"email": email, "password": password})
        assert status == 200, data
        return data

    # WebSocket ----------------------------------------------------------
    def ws_connect(self, token, role=None, connection_id=None):
        connection_id = connection_id or f"conn-{next(_conn_ids)}="
        query = {"token": token}
        if role:
            query["role"] = role
        handler = getattr(self.app, "ws_connect", None) or self._ws_handler("$connect")
        result = handler(ws_event("$connect", connection_id, query=query), None)
        return connection_id, result

    def ws_send(self, connection_id, frame):
        handler = self._ws_handler("$default")
        return handler(ws_event("$default", connection_id, body=frame), None)

    def ws_disconnect(self, connection_id):
        handler = self._ws_handler("$disconnect")
        return handler(ws_event("$disconnect", connection_id), None)

    def _ws_handler(self, route_key):
        import app as app_module
        names = {"$connect": "ws_connect", "$default": "ws_message",
                 "$disconnect": "ws_disconnect"}
        return getattr(app_module, names[route_key])

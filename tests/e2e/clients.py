"""Real clients for the e2e tests: urllib for HTTP, the `websockets` library for sockets."""
from __future__ import annotations

import json
import time
import uuid

from websockets.sync.client import connect
from tests.helpers.http import http  # noqa: F401  (re-exported for the e2e tests)


def visitor_session(rt, **extra) -> dict:
    status, data = http("POST", f"{rt.api_url}/visitor/sessions", {"site_key": "demo", **extra})
    assert status == 200, data
    return data


def agent_login(rt) -> dict:
    c = rt.credentials
    status, data = http("POST", f"{rt.api_url}/agent/login",
                        {"email": c["admin_email"], "password": c["admin_password"]})
    assert status == 200, data
    return data


class Socket:
    """A WebSocket client that keeps every server event it has seen."""

    def __init__(self, rt, token: str, role: str | None = None, **kwargs):
        url = f"{rt.ws_url}?token={token}" + (f"&role={role}" if role else "")
        self.ws = connect(url, open_timeout=10, close_timeout=5, max_size=None, **kwargs)
        self.events: list[dict] = []

    def send(self, frame: dict | str) -> None:
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def say(self, text: str, conversation_id: str | None = None, request_id: str | None = None,
            client_message_id: str | None = None) -> str:
        cmid = client_message_id or uuid.uuid4().hex
        frame = {"action": "send", "id": request_id or cmid[:8],
                 "data": {"client_message_id": cmid, "text": text}}
        if conversation_id:
            frame["conversation_id"] = conversation_id
        self.send(frame)
        return cmid

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        """The first event (already received or arriving) that matches."""
        for ev in self.events:
            if predicate(ev):
                return ev
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching event within {timeout}s; got {self.events}")
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            ev = json.loads(raw)
            self.events.append(ev)
            if predicate(ev):
                return ev

    def messages(self) -> list[dict]:
        return [e["message"] for e in self.events if e.get("type") == "message"]

    def wait_message(self, text: str, timeout: float = 10.0) -> dict:
        return self.wait_for(lambda e: e.get("type") == "message"
                             and e["message"].get("text") == text, timeout)["message"]

    def close(self) -> None:
        self.ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

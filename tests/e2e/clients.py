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


class CatchUp:
    """The catch-up rule of docs/websocket-protocol.md, as a reference client: the messages
    held by seq, and `synced`, the seq up to which nothing is missing. A message arriving
    alone (push, ack, REST reply) moves `synced` only when it is the next seq; a sync reply
    moves it to its `cursor` (the last seq the server examined: seqs this client may not
    see, such as a visitor's view of private notes, are passed over)."""

    def __init__(self):
        self.held: dict[int, dict] = {}
        self.synced = 0

    def hold(self, message: dict) -> None:
        self.held.setdefault(message["seq"], message)
        self._fill()

    def hold_pushes(self, sock: "Socket") -> None:
        for m in sock.messages():
            self.hold(m)

    def examined(self, after: int, cursor: int | None) -> None:
        if after <= self.synced and cursor is not None and cursor > self.synced:
            self.synced = cursor
        self._fill()

    def _fill(self) -> None:
        while self.synced + 1 in self.held:
            self.synced += 1

    def sync(self, sock: "Socket", limit: int = 100, timeout: float = 10.0) -> list[dict]:
        """Sync from `synced`, following the cursor while has_more; the replies."""
        after, replies = self.synced, []
        while True:
            rid = f"sync-{uuid.uuid4().hex[:8]}"
            sock.send({"action": "sync", "id": rid, "data": {"after": after, "limit": limit}})
            reply = sock.wait_for(lambda e: e.get("type") == "sync" and e.get("id") == rid,
                                  timeout)
            replies.append(reply)
            for m in reply["messages"]:
                self.hold(m)
            self.examined(after, reply["cursor"])
            if not reply["has_more"]:
                return replies
            after = reply["cursor"]

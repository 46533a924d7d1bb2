"""A stand-in for WeChat's server API on loopback, for the local runtime and tests.

Serves what Parley calls (adapters/wechat_api.py): POST /cgi-bin/stable_token, GET
/cgi-bin/token, POST /cgi-bin/message/custom/send, POST /cgi-bin/media/upload; and records
every call. GET /_stub/sent lists the customer-service messages it accepted (the local
runtime's "did the reply reach WeChat?"). Tests may queue errcodes to answer next
(`fail_next`) and slow the token endpoint (`token_delay`) to widen races.

    python -m infra.local.wechat_stub --port 8798      # standalone
"""
from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_TTL = 7200


class WeChatStub:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the WeChat stub binds loopback only")
        self.sent: list[dict] = []
        self.uploads: list[dict] = []
        self.token_calls: list[dict] = []
        self.fail_next: list[int] = []           # errcodes for the next custom sends
        self.token_delay = 0.0
        self._tokens: dict[str, tuple[str, float]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):       # quiet
                pass

            def _reply(self, body: dict, status: int = 200):
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str):
                parts = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(parts.query))
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(n, 20 * 1024 * 1024)) if n else b""
                self._reply(stub.handle(method, parts.path, q, raw,
                                        self.headers.get("Content-Type") or ""))

            def do_GET(self):  # noqa: N802
                self._route("GET")

            def do_POST(self):  # noqa: N802
                self._route("POST")

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ behaviour
    def _token(self, app_id: str) -> tuple[str, int]:
        if self.token_delay:
            time.sleep(self.token_delay)
        with self._lock:
            held = self._tokens.get(app_id)
            now = time.time()
            if held is None or held[1] <= now:
                held = (f"stub_{app_id}_{next(self._ids)}", now + TOKEN_TTL)
                self._tokens[app_id] = held
            return held[0], int(held[1] - now)

    def _valid(self, token: str | None) -> bool:
        with self._lock:
            return any(t == token and exp > time.time() for t, exp in self._tokens.values())

    def handle(self, method: str, path: str, q: dict, raw: bytes, ctype: str) -> dict:
        if path in ("/cgi-bin/stable_token", "/cgi-bin/token"):
            body = json.loads(raw or b"{}") if method == "POST" else q
            app_id = body.get("appid") or ""
            if not app_id or not body.get("secret"):
                return {"errcode": 40013, "errmsg": "invalid appid"}
            with self._lock:
                self.token_calls.append({"appid": app_id, "path": path, "at": time.time()})
            token, expires = self._token(app_id)
            return {"access_token": token, "expires_in": expires}
        if path == "/cgi-bin/message/custom/send":
            if not self._valid(q.get("access_token")):
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            with self._lock:
                if self.fail_next:
                    code = self.fail_next.pop(0)
                    return {"errcode": code, "errmsg": "stub failure"}
                msg = json.loads(raw or b"{}")
                self.sent.append(msg)
            return {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/media/upload":
            if not self._valid(q.get("access_token")):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            if "multipart/form-data" not in ctype or b'name="media"' not in raw:
                return {"errcode": 41005, "errmsg": "media data missing"}
            media_id = f"media_{next(self._ids)}"
            with self._lock:
                self.uploads.append({"type": q.get("type"), "media_id": media_id,
                                     "bytes": len(raw)})
            return {"type": q.get("type"), "media_id": media_id, "created_at": int(time.time())}
        if path == "/_stub/sent" and method == "GET":
            with self._lock:
                return {"sent": list(self.sent), "uploads": list(self.uploads),
                        "token_calls": len(self.token_calls)}
        return {"errcode": 404, "errmsg": "not found"}

    def expire_tokens(self) -> None:
        """Tests: every issued token becomes invalid (as after WeChat's 2 hours)."""
        with self._lock:
            self._tokens.clear()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "WeChatStub":
        self._thread = threading.Thread(target=self.server.serve_forever, name="wechat-stub",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> int:  # pragma: no cover - manual helper
    p = argparse.ArgumentParser(prog="python -m infra.local.wechat_stub")
    p.add_argument("--port", type=int, default=8798)
    args = p.parse_args(argv)
    stub = WeChatStub(port=args.port)
    print(f"WeChat API stub on {stub.url} (Ctrl-C stops)")
    try:
        stub.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stub.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

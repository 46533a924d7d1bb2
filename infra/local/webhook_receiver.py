"""A webhook receiver for trying outgoing webhooks locally (docs/webhooks.md).

    .venv/bin/python -m infra.local.webhook_receiver --secret whsec_... [--port 8787]

Listens on 127.0.0.1 only, checks each POST's Parley-Signature with the endpoint's secret
(the few lines docs/webhooks.md gives receivers), prints one line per event (id, type,
whether the signature is valid; never the body) and answers 200 (401 for a bad signature).
Stops on Ctrl-C, or after --max-events events when given.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
        return abs(time.time() - int(parts["t"])) <= tolerance and \
            hmac.compare_digest(mac.hexdigest(), parts["v1"])
    except (KeyError, ValueError):
        return False


def serve(secret: str, port: int, max_events: int | None = None) -> None:
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1 << 20))
            ok = verify(secret, self.headers.get("Parley-Signature") or "", body)
            seen.append(1)
            print(json.dumps({"event_id": self.headers.get("Parley-Event-Id"),
                              "type": self.headers.get("Parley-Event-Type"),
                              "signature_valid": ok}), flush=True)
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    print(f"receiving on http://127.0.0.1:{port}/ (add it as an endpoint on the Channels page)",
          flush=True)
    try:
        while max_events is None or len(seen) < max_events:
            server.handle_request()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--secret", required=True, help="the endpoint's signing secret (whsec_...)")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--max-events", type=int, default=None)
    args = p.parse_args(argv)
    serve(args.secret, args.port, args.max_events)


if __name__ == "__main__":
    main()

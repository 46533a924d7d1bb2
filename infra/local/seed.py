"""Demo data for the local runtime: a site and an admin agent. Extend seed_demo() with more.

Idempotent: re-running against the same resources (e.g. --aws-endpoint pointing at a moto
that is still up) keeps what exists.
"""
from __future__ import annotations

import os

DEMO_SITE_KEY = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.parley"
DEMO_ADMIN_PASSWORD = os.environ.get("PARLEY_DEMO_PASSWORD", "parley-demo-admin")
# The demo bot's knowledge base: a copy of ../shared/data/faq-sample/kb.csv kept in the repo
# so fresh clones and CI can seed it.
DEMO_KB_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo_kb.csv")
# The demo "order status" flow calls the local runtime's stand-in order system
# (POST {base}/@demo/orders/status, infra/local/gateway.py); PARLEY_DEMO_ORDER_ENDPOINT points
# it elsewhere. serve_demo_orders() below is the same stand-in as a separate server.
DEMO_ORDER_ENDPOINT = os.environ.get("PARLEY_DEMO_ORDER_ENDPOINT",
                                     "http://127.0.0.1:8799/demo/orders/status")


def seed_demo(deps, order_endpoint: str | None = None) -> dict:
    """Create the demo site and admin; return what a human (or a test) needs to log in."""
    from chalicelib.errors import Conflict
    from chalicelib.services import agents, sites

    if not deps.sites.get(DEMO_SITE_KEY):
        sites.create_site(deps, DEMO_SITE_KEY, "Demo site")
    try:
        agents.create_agent(deps, {"email": DEMO_ADMIN_EMAIL, "name": "Demo Admin",
                                   "password": DEMO_ADMIN_PASSWORD, "role": "admin"})
    except Conflict as err:
        if getattr(err, "code", None) != "email_taken":
            raise
    from chalicelib.services.bot import seed_kb
    url = os.environ.get("PARLEY_DEMO_ORDER_ENDPOINT") or order_endpoint or DEMO_ORDER_ENDPOINT
    seed_kb(deps, DEMO_SITE_KEY, DEMO_KB_CSV, flows=[demo_order_flow(url)])
    return {"site_key": DEMO_SITE_KEY, "admin_email": DEMO_ADMIN_EMAIL,
            "admin_password": DEMO_ADMIN_PASSWORD}


def demo_order_flow(url: str = DEMO_ORDER_ENDPOINT) -> dict:
    return {
        "id": "order-status",
        "triggers": {"zh": ["查订单", "订单状态", "我的订单"], "en": ["order status", "track my order"]},
        "slots": [
            {"name": "order_id", "kind": "order", "pattern": "[A-Z]{2}\\d{6,}",
             "validate": "[A-Z]{2}\\d{6,}",
             "prompt": {"zh": "请提供订单号(例如 AB123456)。", "en": "What is your order number (e.g. AB123456)?"},
             "invalid": {"zh": "订单号格式不对。", "en": "That order number looks wrong."}},
            {"name": "phone", "kind": "phone",
             "prompt": {"zh": "请提供下单时的手机号。", "en": "What phone number did you order with?"}}],
        "action": {"url": url, "method": "POST", "timeout": 3},
        "answers": {"success": {"zh": "订单{order_id}的状态:{status}", "en": "Order {order_id}: {status}"},
                    "failure": {"zh": "抱歉,暂时查不到订单状态,请稍后再试,或回复\"人工\"联系客服。",
                                "en": "Sorry, I can't check orders right now. Try again later, or type \"agent\"."}},
    }


def serve_demo_orders(port: int = 8799) -> None:  # pragma: no cover - manual demo helper
    """A stand-in order system for the demo flow: POST JSON -> {"ok": true, "status": ...}."""
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            order = str(body.get("order_id", ""))
            data = json.dumps({"ok": True, "status": "shipped" if order.endswith(("0", "2", "4", "6", "8"))
                               else "processing"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()

"""Parley's Chalice entrypoints. Each handler parses input, calls one service, shapes the reply.

REST routes live in blueprints (chalicelib/api/*) mounted under /v1: visitor routes and agent
routes are separate groups that accept only their own kind of token.
"""
from chalice import Chalice, CORSConfig, Rate

from chalicelib.api import admin as admin_api
from chalicelib.api import admin_kb as admin_kb_api
from chalicelib.api import agent as agent_api
from chalicelib.api import reports as reports_api
from chalicelib.api import visitor as visitor_api
from chalicelib import config
from chalicelib.api.common import get_deps
from chalicelib.errors import AppError
import chalicelib.services.bot  # registers the bot hooks
from chalicelib.services import queue as _queue  # noqa: F401  registers queue hooks/handlers

app = Chalice(app_name="parley")
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.api.cors = CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type"],
                          max_age=600)

app.register_blueprint(visitor_api.bp, url_prefix="/v1/visitor")
app.register_blueprint(agent_api.bp, url_prefix="/v1/agent")
app.register_blueprint(admin_kb_api.bp, url_prefix="/v1/admin/kb")
app.register_blueprint(admin_api.bp, url_prefix="/v1/admin")
app.register_blueprint(admin_api.agent_bp, url_prefix="/v1/agent")
app.register_blueprint(reports_api.bp, url_prefix="/v1/agent")


@app.route("/v1/health", methods=["GET"])
def health():
    return {"ok": True}


# ------------------------------------------------------------------ WebSocket API
@app.on_ws_connect()
def ws_connect(event):
    from chalicelib.services import realtime
    deps = get_deps()
    deps.sender.configure_from_event(event.domain_name, event.stage)
    query = (event.to_dict().get("queryStringParameters") or {})
    try:
        realtime.connect(deps, event.connection_id, query)
    except AppError as err:
        return {"statusCode": err.status, "body": err.message}
    return {"statusCode": 200}


@app.on_ws_message()
def ws_message(event):
    from chalicelib.services import realtime
    deps = get_deps()
    deps.sender.configure_from_event(event.domain_name, event.stage)
    realtime.handle_frame(deps, event.connection_id, event.to_dict().get("body"))


@app.on_ws_disconnect()
def ws_disconnect(event):
    from chalicelib.services import realtime
    realtime.disconnect(get_deps(), event.connection_id)


# ------------------------------------------------------------------ background work (SQS)
# Partial batch responses: the deployment enables ReportBatchItemFailures on the mappings.
@app.on_sqs_message(queue=config.EVENTS_QUEUE, batch_size=10)
def handle_events(event):
    from chalicelib.services import events
    return events.handle_records(get_deps(), event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.ASSIGNMENT_QUEUE, batch_size=5)
def handle_assignments(event):
    from chalicelib.services import events
    return events.handle_records(get_deps(), event.to_dict().get("Records", []))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_idle(event):
    from chalicelib.services import queue
    queue.idle_sweep(get_deps())

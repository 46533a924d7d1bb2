"""Parley's Chalice entrypoints. Each handler parses input, calls one service, shapes the reply.

Which handler runs for which SQS task, stored message or disconnect is declared in
chalicelib/bootstrap.py. REST routes live in blueprints (chalicelib/api/*) mounted under /v1: visitor routes and agent
routes are separate groups that accept only their own kind of token.
"""
from chalice import Chalice, Rate

from chalicelib.api import admin as admin_api
from chalicelib.api import admin_channels as admin_channels_api
from chalicelib.api import admin_kb as admin_kb_api
from chalicelib.api import agent as agent_api
from chalicelib.api import channels as channels_api
from chalicelib.api import contacts as contacts_api
from chalicelib.api import cors
from chalicelib.api import forms as forms_api
from chalicelib.api import qa_review as qa_review_api
from chalicelib.api import integrations as integrations_api
from chalicelib.api import records as records_api
from chalicelib.api import reports as reports_api
from chalicelib.api import tickets as tickets_api
from chalicelib.api import visitor as visitor_api
from chalicelib import bootstrap, config
from chalicelib.api.common import get_deps
from chalicelib.errors import AppError

app = Chalice(app_name="parley")
app.experimental_feature_flags.update(["WEBSOCKETS"])

# CORS per route group (chalicelib/api/cors.py). Chalice applies app.api.cors to the routes
# of each blueprint as it is registered, so each group is registered under its own setting.
app.api.cors = cors.open_cors()          # visitor routes: any site that embeds the widget
app.register_blueprint(visitor_api.bp, url_prefix="/v1/visitor")
app.register_blueprint(tickets_api.visitor_bp, url_prefix="/v1/visitor")
app.register_blueprint(forms_api.visitor_bp, url_prefix="/v1/visitor")
app.api.cors = cors.console_cors()       # agent and admin routes: the console's origin only
app.register_blueprint(agent_api.bp, url_prefix="/v1/agent")
app.register_blueprint(admin_kb_api.bp, url_prefix="/v1/admin/kb")
app.register_blueprint(admin_channels_api.bp, url_prefix="/v1/admin")
app.register_blueprint(admin_api.bp, url_prefix="/v1/admin")
app.register_blueprint(integrations_api.bp, url_prefix="/v1/admin")
app.register_blueprint(admin_api.agent_bp, url_prefix="/v1/agent")
app.register_blueprint(reports_api.bp, url_prefix="/v1/agent")
app.register_blueprint(qa_review_api.bp, url_prefix="/v1/agent/qa-review")
app.register_blueprint(records_api.bp, url_prefix="/v1/agent")
app.register_blueprint(tickets_api.agent_bp, url_prefix="/v1/agent")
app.register_blueprint(tickets_api.admin_bp, url_prefix="/v1/admin")
app.register_blueprint(contacts_api.bp, url_prefix="/v1/agent")
app.register_blueprint(contacts_api.admin_bp, url_prefix="/v1/admin")
app.register_blueprint(forms_api.admin_bp, url_prefix="/v1/admin")
app.register_blueprint(forms_api.agent_bp, url_prefix="/v1/agent")
app.api.cors = False                     # channel webhooks: servers call them, never browsers
app.register_blueprint(channels_api.bp, url_prefix="/v1/channels")
app.api.cors = cors.open_cors()          # /v1/health


@app.route("/v1/health", methods=["GET"], content_types=["*/*"])  # as api.common.route
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
    from chalicelib.services import tasks
    return tasks.handle_event_records(get_deps(), event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.ASSIGNMENT_QUEUE, batch_size=5)
def handle_assignments(event):
    from chalicelib.services import tasks
    return tasks.handle_assignment_records(get_deps(), event.to_dict().get("Records", []))


# ------------------------------------------------------------------ conversation events
# Table streams -> relay -> SNS topic -> one queue per consumer (docs/events.md). A relay
# failure raises: Lambda retries the batch, and the event ids are stable.
consumers = bootstrap.build_consumers()


@app.on_dynamodb_record(stream_arn=config.MESSAGES_STREAM_ARN, batch_size=100,
                        starting_position="TRIM_HORIZON")
def relay_messages(event):
    from chalicelib.services import event_relay
    event_relay.relay(get_deps().events, "messages", event.to_dict().get("Records", []))


@app.on_dynamodb_record(stream_arn=config.CONVERSATIONS_STREAM_ARN, batch_size=100,
                        starting_position="TRIM_HORIZON")
def relay_conversations(event):
    from chalicelib.services import event_relay
    event_relay.relay(get_deps().events, "conversations", event.to_dict().get("Records", []))


@app.on_dynamodb_record(stream_arn=config.TICKETS_STREAM_ARN, batch_size=100,
                        starting_position="TRIM_HORIZON")
def relay_tickets(event):
    from chalicelib.services import event_relay
    event_relay.relay(get_deps().events, "tickets", event.to_dict().get("Records", []))


@app.on_dynamodb_record(stream_arn=config.CONTACTS_STREAM_ARN, batch_size=100,
                        starting_position="TRIM_HORIZON")
def relay_contacts(event):
    from chalicelib.services import event_relay
    event_relay.relay(get_deps().events, "contacts", event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.CONSUMER_QUEUES["reports"], batch_size=10)
def consume_reports(event):
    from chalicelib.services import consumers as runner
    return runner.handle_records(get_deps(), consumers["reports"],
                                 event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.CONSUMER_QUEUES["qa"], batch_size=10)
def consume_qa(event):
    from chalicelib.services import consumers as runner
    return runner.handle_records(get_deps(), consumers["qa"],
                                 event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.CONSUMER_QUEUES["webhooks"], batch_size=10)
def consume_webhooks(event):
    from chalicelib.services import consumers as runner
    return runner.handle_records(get_deps(), consumers["webhooks"],
                                 event.to_dict().get("Records", []))


# One delivery per record: a slow receiver (5 s timeout) holds up no other delivery.
@app.on_sqs_message(queue=config.WEBHOOK_DELIVERY_QUEUE, batch_size=1)
def deliver_webhooks(event):
    from chalicelib.services import tasks
    return tasks.handle_records(get_deps(), event.to_dict().get("Records", []),
                                bootstrap.WEBHOOK_TASKS)
# ------------------------------------------------------------------ inbound email
# SES receipt rule -> raw mail in the mail bucket -> its ObjectCreated event on the mail
# queue -> a ticket (docs/email.md). A failed record is retried, then parked in the DLQ;
# the run is idempotent on the mail's Message-ID.
@app.on_sqs_message(queue=config.MAIL_QUEUE, batch_size=1)
def receive_mail(event):
    from chalicelib.services import mail_inbound
    return mail_inbound.handle_sqs_records(get_deps(), event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.CONSUMER_QUEUES["records"], batch_size=10)
def consume_records(event):
    from chalicelib.services import consumers as runner
    return runner.handle_records(get_deps(), consumers["records"],
                                 event.to_dict().get("Records", []))


@app.on_sqs_message(queue=config.CONSUMER_QUEUES["contacts"], batch_size=10)
def consume_contacts(event):
    from chalicelib.services import consumers as runner
    return runner.handle_records(get_deps(), consumers["contacts"],
                                 event.to_dict().get("Records", []))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_idle(event):
    from chalicelib.services import presence
    presence.idle_sweep(get_deps())


@app.schedule(Rate(1, unit=Rate.DAYS))
def reports_daily(event):
    from chalicelib.services.reports import daily
    daily.run(get_deps())


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_ticket_sla(event):
    from chalicelib.services.tickets import sla_sweep
    sla_sweep.sweep(get_deps())


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_leads(event):
    """Claimed leads nobody touched in the site's time go back to the pool (bounded)."""
    from chalicelib.services.contacts import leads
    leads.sweep(get_deps())


@app.schedule(Rate(30, unit=Rate.DAYS))
def rotate_token_secret(event):
    from chalicelib.services import secret_rotation
    secret_rotation.rotate_token_secret(get_deps())

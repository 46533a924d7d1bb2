"""Ticket figures end to end on moto: ticket changes -> the tickets table's stream -> the
relay -> the reports consumer's queue -> consume_reports -> the site report (REST)."""
import json

import app as app_module
from chalicelib.services import consumers as runner
from chalicelib.services.reports import queries
from chalicelib.services.tickets import comments, manage, sla_sweep
from infra.local.streams import lambda_event
from tests.helpers.api import Api
from tests.helpers.streams import drain, read_records, shard_starts
from tests.integration.test_tickets import H, clock, new, world  # noqa: F401


def _consume(url, times=1):
    """Feed what waits in the reports consumer's queue to consume_reports `times` times (a
    redelivery), as Lambda's event source mapping would."""
    msgs = drain(url)
    records = [{"messageId": m["MessageId"], "receiptHandle": "r", "body": m["Body"],
                "attributes": {}, "eventSource": "aws:sqs"} for m in msgs]
    for _ in range(times):
        out = runner.handle_records(app_module.get_deps(), app_module.consumers["reports"],
                                    records)
        assert out == {"batchItemFailures": []}
    return [json.loads(m["Body"]) for m in msgs]


def test_ticket_figures_reach_the_site_report_once(deps, aws, world, clock):
    arn = aws["TicketsTableStreamArn"]
    starts = shard_starts(arn)
    ann, bob, sue = world["ann"], world["bob"], world["sup"]
    t1 = new(deps, ann, team="sales", assignee_id=ann.id)
    t2 = new(deps, bob, team="support")
    clock["now"] += H // 2
    comments.add(deps, ann, t1["ticket_id"], {"body": "On its way", "public": True})
    comments.add(deps, ann, t1["ticket_id"], {"body": "internal", "public": False})
    clock["now"] += H // 2
    manage.update(deps, ann, t1["ticket_id"], {"status": "solved"})
    clock["now"] += 3 * 24 * H                       # t2's first reply is long overdue
    sla_sweep.sweep(deps)
    records = read_records(starts, {f"t#{t1['ticket_id']}", f"t#{t2['ticket_id']}"}.__contains__)
    event = lambda_event(records, "us-east-1", arn)
    app_module.relay_tickets(event, None)
    app_module.relay_tickets(event, None)            # a retried batch: the same event ids
    bodies = _consume(aws["ReportsConsumerQueueUrl"], times=2)
    assert {b["type"] for b in bodies} >= {"ticket.created", "ticket.commented",
                                           "ticket.status_changed", "ticket.sla_breached"}

    day = "2026-12-04"
    report = queries.site_report(deps, sue, {"site": "demo", "from": day, "to": "2026-12-07"})
    tot = report["totals"]
    assert tot["tk_created"] == 2 and tot["tk_solved"] == 1 and tot["tk_replies"] == 1
    assert tot["tk_first_reply_avg_ms"] == H // 2 and tot["tk_resolution_avg_ms"] == H
    assert tot["tk_breach_first_reply"] == 1 and tot["tk_reopened"] == 0
    assert [r for r in report["agents"] if r["agent_id"] == ann.id][0]["tk_solved"] == 1
    teams = {r["team"]: r for r in report["teams"]}
    assert teams["sales"]["tk_created"] == 1 and teams["support"]["tk_created"] == 1
    assert sum(p["tk_created"] for p in report["series"]) == 2

    # the same figures over REST for a supervisor; an agent sees only their own
    api = Api(app_module.app)
    path = f"/v1/agent/reports?site=demo&from={day}&to=2026-12-07"
    status, got = api.request("GET", path, token=api.agent_login("sue@example.com",
                                                                 "password1")["token"])
    assert status == 200 and got["totals"]["tk_solved"] == 1 and got["totals"]["tk_created"] == 2
    status, got = api.request("GET", path, token=api.agent_login("bob@example.com",
                                                                 "password1")["token"])
    assert status == 200 and got["totals"]["tk_created"] == 0 and got["totals"]["tk_solved"] == 0

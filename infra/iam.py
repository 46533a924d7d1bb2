"""IAM from one source: what each Lambda function may do, as one table per function.

    python -m infra.iam            # write .chalice/policy-<stage>-<function>.json for every stage
    python -m infra.iam --check    # exit 1 if a committed policy file differs from the table

The table generates both the policy files (against the placeholder account, region, secret,
WebSocket API and SES identity; `python -m infra.deploy write-stage` re-targets them to a real
deployment) and the operations tests/infra checks them against (`required`). The independent
check is tests/infra/test_recorded_operations.py: every AWS call the functions make in the
integration tests must be allowed by the generated file.

Adding a function: a `lambda_functions` entry per stage in .chalice/config.json, its statements
here, then `python -m infra.iam`.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHALICE_DIR = ROOT / ".chalice"
STAGES = ("dev", "prod")

PLACEHOLDERS = {"region": "us-east-1", "account": "123456789012", "ws_api": "placeholdr",
                "ws_stage": "ws", "secret_suffix": "PHOLDR", "ses_identity": "parley.invalid"}


@dataclass(frozen=True)
class Grant:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]     # ARN templates: {region} {account} {stage} {lambda} ...
    why: str


# ------------------------------------------------------------------ resource templates
def table(*names: str) -> tuple[str, ...]:
    """A table (`visitors`), an index (`visitors/index/name-index`, `visitors/index/*`) or a
    table's stream (`messages/stream/*`) of the stage."""
    return tuple(f"arn:aws:dynamodb:{{region}}:{{account}}:table/parley-{{stage}}-{n}"
                 for n in names)


def queue(*names: str) -> tuple[str, ...]:
    return tuple(f"arn:aws:sqs:{{region}}:{{account}}:parley-{{stage}}-{n}" for n in names)


TOPIC = ("arn:aws:sns:{region}:{account}:parley-{stage}-conversation-events",)
SECRET = ("{secret_arn}",)
ATTACHMENTS = ("arn:aws:s3:::{bucket}/attachments/*",)
MAIL_INBOUND = ("arn:aws:s3:::{mail_bucket}/inbound/*",)
EXPORTS = ("arn:aws:s3:::{bucket}/exports/*",)
ARCHIVE_OBJECTS = ("arn:aws:s3:::{archive_bucket}/site=*",)
ARCHIVE_BUCKET = ("arn:aws:s3:::{archive_bucket}",)
WS_CONNECTIONS = ("arn:aws:execute-api:{region}:{account}:{ws_api}/{ws_stage}/*/@connections/*",)
SES_IDENTITY = ("arn:aws:ses:{region}:{account}:identity/{ses_identity}",)
#: one secret per connected channel (adapters/channels.ChannelSecrets)
CHANNEL_SECRETS = ("arn:aws:secretsmanager:{region}:{account}:secret:parley-{stage}-channel-*",)

CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
           "sqs:ChangeMessageVisibility")
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
               "dynamodb:ListStreams")
ITEMS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
         "dynamodb:Query")


def G(sid, actions, resources, why) -> Grant:
    return Grant(sid, tuple((actions,) if isinstance(actions, str) else actions),
                 tuple(resources), why)


PUSH = G("WebSocketConnections", "execute-api:ManageConnections", WS_CONNECTIONS,
         "messages and state changes are pushed to WebSocket connections")
PRESIGN = G("AttachmentObjects", "s3:GetObject", ATTACHMENTS,
            "message_view presigns attachment download URLs in delivered messages")

# ------------------------------------------------------------------ the table
FUNCTIONS: dict[str, list[Grant]] = {
    "api_handler": [
        G("PresenceTime", ("dynamodb:GetItem", "dynamodb:UpdateItem"), table("reports"),
          "set_status: the agent's presence state and the presence-time hour buckets "
          "(services/reports/presence_time.py)"),
        G("DynamoDBItems", ITEMS,
          table("visitors", "conversations", "messages", "connections", "agents", "sites",
                "keys", "directory"),
          "every REST route: sessions, conversations, message appends (one transaction with "
          "the client-id claim), history, queue moves, admin, the directory, 410 clean-up"),
        G("DynamoDBKnowledgeBase", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
                                    "dynamodb:Query", "dynamodb:BatchGetItem",
                                    "dynamodb:BatchWriteItem"), table("kb"),
          "/v1/admin/kb: entries, synonyms, flows, misses, CSV imports"),
        G("ReportsRead", ("dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"),
          table("reports"),
          "reports: day buckets and summaries (BatchGetItem); sealing a past day writes its "
          "summary in one transaction with the day"),
        G("QaResults", ("dynamodb:GetItem", "dynamodb:Query"),
          table("qa", "qa/index/site-index", "qa/index/agent-index"),
          "quality results: one conversation's, a site's or an agent's by close time; "
          "rubrics, the review queue, an agent's reviews (the same indexes)"),
        G("QaReviewWrites", ("dynamodb:PutItem", "dynamodb:DeleteItem"), table("qa"),
          "rubrics (admins) and review moves (conditional on the state they were read in)"),
        G("ChatRecords", ("dynamodb:Query", "dynamodb:GetItem"), table("reports"),
          "chat records: a site's records and a token's postings in a date range (Query), "
          "an export job (GetItem; PutItem under ReportsRead)"),
        G("ExportLinks", "s3:GetObject", EXPORTS,
          "presigned download links of finished chat-records exports"),
        G("AuditLogAppendOnly", ("dynamodb:PutItem", "dynamodb:Query"), table("audit"),
          "the audit log: append (conditional PutItem) and read (Query on one month's "
          "partition); nothing may update or delete it"),
        G("Integrations", ITEMS, table("integrations", "integrations/index/site-index"),
          "webhook endpoints and their delivery log, API keys (lookup by key id, "
          "last_used_at at most once a minute)"),
        G("WebhookRedelivery", "sqs:SendMessage", queue("webhook-deliveries"),
          "manual redelivery of one webhook delivery"),
        G("Contacts", ITEMS, table("contacts", "contacts/index/*"),
          "contacts: linking a session's visitor, profiles, identity claims and tag items "
          "(transactions), timelines, leads, lists by index"),
        G("PrivacyErase", "dynamodb:DeleteItem", table("qa"),
          "erasing a contact removes its conversations' quality results"),
        G("PrivacyEraseAttachments", "s3:DeleteObject", ATTACHMENTS,
          "erasing a contact removes the attachments of its conversations"),
        G("DynamoDBIndexes", "dynamodb:Query",
          table("visitors/index/*", "conversations/index/*", "connections/index/*",
                "agents/index/*"),
          "visitor lookup, inboxes by status/agent, the waiting line, recipients, agents"),
        G("Tickets", ITEMS, table("tickets", "tickets/index/*"),
          "tickets: create/update/comment transactions with their history and claims, "
          "comments and history pages, lists by status/assignee/team/requester/due time"),
        G("TokenSecret", "secretsmanager:GetSecretValue", SECRET, "token signing keys"),
        G("AttachmentObjects", ("s3:PutObject", "s3:GetObject"), ATTACHMENTS,
          "presigned attachment upload (POST policy) and download URLs"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "bot_turn, assign, queue_timeout, email_reply, channel_deliver jobs"),
        G("ChannelSecrets", ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue",
                             "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"),
          CHANNEL_SECRETS,
          "/v1/admin/channels stores WeChat and API-channel credentials; the channel "
          "webhooks read them to check signatures and decrypt"),
        PUSH,
    ],
    "websocket_connect": [
        G("ReadIdentity", "dynamodb:GetItem", table("visitors", "agents"),
          "realtime.connect: the visitor / agent behind the token"),
        G("RegisterConnection", "dynamodb:PutItem", table("connections"),
          "the connection row"),
        G("NoteVisitorSocket", "dynamodb:UpdateItem", table("conversations"),
          "a visitor's socket noted on its conversation (a send's recipients)"),
        G("TokenSecret", "secretsmanager:GetSecretValue", SECRET, "token verification keys"),
        G("WakeRouting", "sqs:SendMessage", queue("assignments"),
          "an agent's socket is back: assign for the queues they serve"),
    ],
    "websocket_message": [
        G("ReadItems", "dynamodb:GetItem",
          table("conversations", "messages", "keys", "connections", "agents", "sites",
                "visitors"),
          "frames: the connection, the conversation, client-id replays, the site; a handoff "
          "reads the visitor when the site sets priorities"),
        G("AppendMessages", "dynamodb:PutItem", table("messages", "keys"),
          "a send: the message and its client-id claim in one transaction; a handoff claims "
          "the queue's position-push window"),
        G("UpdateConversations", "dynamodb:UpdateItem", table("conversations"),
          "last_seq, read markers, typing"),
        G("ReadMessages", "dynamodb:Query", table("messages"), "catch-up after a reconnect"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/visitor-index",
                "conversations/index/queue-index", "agents/index/status-index"),
          "recipients, the visitor's conversations, handoff"),
        PRESIGN,
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "bot turns and assignment after a visitor message"),
        PUSH,
    ],
    "websocket_disconnect": [
        G("RemoveConnection", ("dynamodb:GetItem", "dynamodb:DeleteItem"), table("connections"),
          "delete the connection; the presence hook reads it first"),
        G("ForgetVisitorSocket", "dynamodb:UpdateItem", table("conversations"),
          "a visitor's socket removed from its conversation"),
        G("AgentConnections", "dynamodb:Query", table("connections/index/agent-index"),
          "does the agent have other connections"),
        G("PresenceCheck", "sqs:SendMessage", queue("events"), "a delayed presence_check"),
    ],
    "handle_events": [
        G("PresenceTime", ("dynamodb:GetItem", "dynamodb:UpdateItem"), table("reports"),
          "presence_check sets an agent away: the agent's presence state and the presence-time hour buckets "
          "(services/reports/presence_time.py)"),
        G("ReadItems", "dynamodb:GetItem",
          table("conversations", "messages", "keys", "visitors", "agents", "sites",
                "connections", "directory"),
          "bot_turn / queue_timeout / email_reply / presence_check / positions inputs (the "
          "queue's measured handle time)"),
        G("QueueStats", "dynamodb:PutItem", table("directory"),
          "handle_time: the queue's rolling average handle time"),
        G("AppendMessagesAndClaims", "dynamodb:PutItem", table("messages", "keys"),
          "bot replies and system messages; email_reply claims the send once"),
        G("UpdateConversationsAndPresence", "dynamodb:UpdateItem", table("conversations", "agents"),
          "bot_state, queue moves on handoff, positions; presence_check sets the agent away"),
        G("ReleaseClaimsDropStaleConnections", "dynamodb:DeleteItem", table("keys", "connections"),
          "email_reply releases its claim when SES fails; 410 clean-up"),
        G("KnowledgeBase", ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                            "dynamodb:PutItem"), table("kb"),
          "bot_turn: KB versions, synonyms, entries and flows, misses"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/visitor-index",
                "conversations/index/queue-index", "conversations/index/agent-index",
                "agents/index/status-index"),
          "recipients; handoff: previous agent, place in line, online agents; requeue_agent: "
          "the chats an agent holds"),
        G("EventsQueueConsume", CONSUME, queue("events"),
          "the events queue is this function's event source"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "handoff publishes assign and a delayed queue_timeout"),
        G("ChannelDelivery", ("dynamodb:GetItem", "dynamodb:UpdateItem"),
          table("directory", "keys"),
          "channel_deliver: the channel record; the WeChat access token and its refresh "
          "lease, the delivery claim (keys)"),
        G("ChannelSecrets", "secretsmanager:GetSecretValue", CHANNEL_SECRETS,
          "channel_deliver: the WeChat AppSecret for the access token"),
        G("EmailReplies", ("ses:SendEmail", "ses:SendRawEmail"), SES_IDENTITY,
          "email_reply, and ticket replies (mail_outbound.send_ticket_reply, SendRawEmail), "
          "from PARLEY_SES_SENDER's verified domain identity"),
        G("RecordsExport", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                            "dynamodb:BatchGetItem"), table("reports"),
          "records_export: the job, the records and postings it pages through"),
        G("ExportTranscripts", "dynamodb:Query", table("messages"),
          "records_export with transcripts: each conversation's messages"),
        G("ExportFiles", "s3:PutObject", EXPORTS, "records_export writes the file"),
        G("Tickets", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                      "dynamodb:Query"), table("tickets"),
          "ticket_from_offline: the ticket, its number, history and claims in one "
          "transaction; ticket_mail: the comment, the Message-ID claim"),
        G("TicketTranscripts", "dynamodb:Query", table("messages"),
          "ticket_from_offline: the chat's transcript copied into the ticket"),
        PRESIGN,
        PUSH,
    ],
    "handle_assignments": [
        G("ReadItems", ("dynamodb:GetItem", "dynamodb:BatchGetItem"),
          table("conversations", "agents", "directory"),
          "the conversation, the agent, the team's assignment mode; the chats a lost race "
          "names and the agents' new loads (one BatchGetItem each); positions inputs (the "
          "queue's measured handle time, its last run)"),
        G("AssignAndPost", "dynamodb:UpdateItem", table("conversations", "agents"),
          "the assignment transaction; the system message's conversation update; places "
          "in line"),
        G("PositionRuns", "dynamodb:PutItem", table("directory"),
          "positions: when the queue's last run read its line"),
        G("PostSystemMessages", "dynamodb:PutItem", table("messages"), "the assigned message"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        G("PositionWindows", "dynamodb:PutItem", table("keys"),
          "claim the queue's position-push window (one task per window)"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/queue-index",
                "agents/index/status-index"),
          "the waiting line, online agents, recipients"),
        G("AssignmentsQueueConsume", CONSUME, queue("assignments"),
          "the assignments queue is this function's event source"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "a pass that hit its cap or lost a race goes on; the positions task (this queue)"),
        PRESIGN,
        PUSH,
    ],
    "rotate_token_secret": [
        G("RotateTokenSecret", ("secretsmanager:GetSecretValue",
                                "secretsmanager:PutSecretValue"), SECRET,
          "every 30 days: a new signing key, the old ones kept verifying"),
        G("ResealSiteSecrets", ("dynamodb:GetItem", "dynamodb:PutItem"), table("sites"),
          "re-seal each site's identity secret under the new key"),
        G("ListSites", "dynamodb:Query", table("directory"), "the site list"),
    ],
    "sweep_leads": [
        G("ReadSites", "dynamodb:GetItem", table("sites"), "each lead's site: its return time"),
        G("ReturnLeads", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
          table("contacts", "contacts/index/due-index"),
          "due leads (due index), the fresh contact, its conditional rewrite (transaction) "
          "and the timeline entry"),
        G("TagItems", "dynamodb:DeleteItem", table("contacts"),
          "the profile rewrite's transaction may carry tag membership changes"),
    ],
    "sweep_idle": [
        G("PresenceTime", ("dynamodb:GetItem", "dynamodb:UpdateItem"), table("reports"),
          "the presence sweep sets agents away: the agent's presence state and the presence-time hour buckets "
          "(services/reports/presence_time.py)"),
        G("ReadItems", "dynamodb:GetItem", table("conversations", "agents", "sites"),
          "idle conversations, their agent and site settings"),
        G("CloseAndPost", "dynamodb:UpdateItem", table("conversations", "agents"),
          "the close transaction and its system message"),
        G("PostSystemMessages", "dynamodb:PutItem", table("messages", "keys"),
          "the closed message; the routing sweep claims position-push windows"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/status-index",
                "conversations/index/queue-index", "agents/index/status-index"),
          "idle conversations by status, positions, recipients"),
        G("ListTeams", "dynamodb:Query", table("directory"),
          "the routing sweep: every team's queue"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "a closed chat frees a slot: assign; the routing sweep: assign, positions, "
          "requeue_agent; the closed chat's handle time"),
        PRESIGN,
        PUSH,
    ],
    "sweep_ticket_sla": [
        G("DueTickets", "dynamodb:Query", table("tickets/index/due-index"),
          "tickets whose SLA due time passed, earliest first"),
        G("FlagBreaches", ("dynamodb:GetItem", "dynamodb:PutItem"), table("tickets"),
          "the ticket (consistent read), the flagged ticket and its history in one transaction"),
        G("TicketSettings", "dynamodb:GetItem", table("sites"), "the site's business hours"),
        G("AgentConnections", "dynamodb:Query", table("connections/index/kind-index"),
          "who to tell: the assignee and supervisors"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        PUSH,
    ],
    # the conversation event stream (docs/events.md)
    "relay_messages": [
        G("ReadStream", STREAM_READ, table("messages/stream/*"),
          "the messages table's stream is this function's event source"),
        G("PublishEvents", "sns:Publish", TOPIC, "PublishBatch of the derived events"),
    ],
    "relay_conversations": [
        G("ReadStream", STREAM_READ, table("conversations/stream/*"),
          "the conversations table's stream is this function's event source"),
        G("PublishEvents", "sns:Publish", TOPIC, "PublishBatch of the derived events"),
    ],
    "relay_tickets": [
        G("ReadStream", STREAM_READ, table("tickets/stream/*"),
          "the tickets table's stream is this function's event source"),
        G("PublishEvents", "sns:Publish", TOPIC, "PublishBatch of the ticket.* events"),
    ],
    "relay_contacts": [
        G("ReadStream", STREAM_READ, table("contacts/stream/*"),
          "the contacts table's stream is this function's event source"),
        G("PublishEvents", "sns:Publish", TOPIC, "PublishBatch of the contact.* events"),
    ],
    "consume_reports": [
        G("ConsumerQueue", CONSUME, queue("consumer-reports"),
          "the reports consumer queue is this function's event source"),
        G("EventClaims", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem"), table("keys"),
          "the runner's claim on an event (services/consumers.py) when a handler map is not "
          "idempotent itself (tests inject recording handlers this way)"),
        G("ReportBuckets", ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
          table("reports"),
          "a conversation's facts (read, conditional record of the event id, undo on a "
          "failed count) and the site's day bucket (ADD)"),
        G("SiteZone", "dynamodb:GetItem", table("sites"),
          "the site's report time zone"),
    ],
    "consume_qa": [
        G("ConsumerQueue", CONSUME, queue("consumer-qa"),
          "the QA consumer queue is this function's event source"),
        G("EventClaims", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem"), table("keys"),
          "the runner's claim on an event (services/consumers.py) when a handler map is not "
          "idempotent itself (tests inject recording handlers this way)"),
        G("ReadConversation", "dynamodb:GetItem", table("conversations", "sites"),
          "the closed conversation (holder, rating, close time) and the site's qa_rules"),
        G("ReadTranscript", "dynamodb:Query", table("messages"),
          "the conversation's messages, a page at a time"),
        G("StoreResult", ("dynamodb:PutItem", "dynamodb:GetItem"), table("qa"),
          "the score and its findings; the team's sampling rules and a conditional put that "
          "queues the conversation for review once"),
    ],
    "consume_webhooks": [
        G("ConsumerQueue", CONSUME, queue("consumer-webhooks"),
          "the webhooks consumer queue is this function's event source"),
        G("EventClaims", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem"), table("keys"),
          "the runner's claim on an event (services/consumers.py) when a handler map is not "
          "idempotent itself (tests inject recording handlers this way)"),
        G("SiteEndpoints", "dynamodb:Query", table("integrations/index/site-index"),
          "the site's webhook endpoints"),
        G("DeliveryRecords", ("dynamodb:PutItem", "dynamodb:GetItem"), table("integrations"),
          "one delivery per event and endpoint (conditional put), read back on a redelivery"),
        G("DeliveryTasks", "sqs:SendMessage", queue("webhook-deliveries"),
          "a webhook_delivery task per new delivery"),
    ],
    "deliver_webhooks": [
        G("DeliveryQueue", CONSUME, queue("webhook-deliveries"),
          "the webhook deliveries queue is this function's event source"),
        G("DeliveryTasks", "sqs:SendMessage", queue("webhook-deliveries"),
          "the next hop of a delayed attempt, the next attempt after a failure"),
        G("Deliveries", ("dynamodb:GetItem", "dynamodb:UpdateItem"), table("integrations"),
          "the endpoint and the delivery; each attempt recorded conditionally; failure "
          "counters; disabling after sustained failure"),
        G("TokenSecret", "secretsmanager:GetSecretValue", SECRET,
          "the keys that seal the endpoints' signing secrets derive from it"),
        G("Admins", "dynamodb:Query", table("agents/index/status-index"),
          "the admins to email when an endpoint is disabled"),
        G("AuditLogAppend", "dynamodb:PutItem", table("audit"), "webhook.disabled"),
        G("DisabledEmail", "ses:SendEmail", SES_IDENTITY,
          "tell the admins an endpoint was disabled"),
    ],
    # the email channel (docs/email.md): SES stores raw mail in the mail bucket, whose
    # ObjectCreated events reach this through the mail queue
    "receive_mail": [
        G("MailQueue", CONSUME, queue("mail"),
          "the mail queue (the mail bucket's ObjectCreated events) is the event source"),
        G("ReadRawMail", "s3:GetObject", MAIL_INBOUND,
          "the raw mail SES's receipt rule stored under inbound/"),
        G("StoreMailFiles", "s3:PutObject", ATTACHMENTS,
          "the mail's files, under the attachment key rules"),
        G("OncePerMessageId", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                               "dynamodb:DeleteItem"), table("keys"),
          "the once-only run per site and Message-ID (begin/finish/release)"),
        G("FindSite", "dynamodb:GetItem", table("sites", "directory"),
          "the site by <site_key>@inbound domain or its own address (mailbox item)"),
        G("Tickets", ITEMS, table("tickets", "tickets/index/*"),
          "TicketsMailPort: the thread's ticket by reply token or Message-ID claim, a new "
          "ticket or the requester's reply with its history (services/tickets/mail_port.py)"),
    ],
    "consume_records": [
        G("ConsumerQueue", CONSUME, queue("consumer-records"),
          "the records consumer queue is this function's event source"),
        G("EventClaims", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem"), table("keys"),
          "the runner's claim on an event (services/consumers.py) when a handler map is not "
          "idempotent itself (tests inject recording handlers this way)"),
        G("ReadConversation", "dynamodb:GetItem", table("conversations"),
          "the conversation's current facts (status, holder, team, tags, rating)"),
        G("ReadTranscript", "dynamodb:Query", table("messages"),
          "on close: the conversation's messages, a page at a time, for the token index"),
        G("StoreRecords", ("dynamodb:PutItem", "dynamodb:BatchWriteItem"), table("reports"),
          "the record (conditional on its revision) and the token postings"),
        G("ArchiveObjects", "s3:PutObject", ARCHIVE_OBJECTS,
          "on close: the conversation's JSON Lines object (If-None-Match: written once)"),
    ],
    "reports_daily": [
        G("ListSites", "dynamodb:Query", table("directory"), "the site list"),
        G("SiteSettings", "dynamodb:GetItem", table("sites"),
          "each site's report zone and retention_days"),
        G("SealDays", ("dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"),
          table("reports"),
          "day summaries: read days and summaries, seal a day and put its summary in one "
          "transaction"),
        G("ListArchiveDays", "s3:ListBucket", ARCHIVE_BUCKET,
          "the objects of one site's day prefix"),
        G("DeleteArchiveDays", "s3:DeleteObject", ARCHIVE_OBJECTS,
          "DeleteObjects of the days past the site's retention"),
    ],
    "consume_contacts": [
        G("ConsumerQueue", CONSUME, queue("consumer-contacts"),
          "the contacts consumer queue is this function's event source"),
        G("EventClaims", ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                          "dynamodb:DeleteItem"), table("keys"),
          "the runner's claim on an event: a rating updates the contact's stats once"),
        G("ReadSite", "dynamodb:GetItem", table("sites"),
          "the site's phone country and lead return time when a contact is written"),
        G("Contacts", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
          table("contacts"),
          "the visitor's identity item and contact, the timeline entry (conditional put), "
          "the contact's stats and identity claims (transaction)"),
    ],
}

LOGS = [
    G("LogGroup", "logs:CreateLogGroup",
      ("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{lambda}",), "Lambda logging"),
    G("LogEvents", ("logs:CreateLogStream", "logs:PutLogEvents"),
      ("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{lambda}:log-stream:*",),
      "Lambda logging"),
]


# ------------------------------------------------------------------ generation
def lambda_name(stage: str, function: str) -> str:
    return f"parley-{stage}" if function == "api_handler" else f"parley-{stage}-{function}"


def values(stage: str, function: str, **over) -> dict:
    """The template values of the placeholder deployment (override any for a real one)."""
    v = {**PLACEHOLDERS, "stage": stage, "lambda": lambda_name(stage, function)}
    v.update({k: val for k, val in over.items() if val is not None})
    v.setdefault("secret_arn", f"arn:aws:secretsmanager:{v['region']}:{v['account']}:secret:"
                               f"parley-{stage}-token-secret-{v['secret_suffix']}")
    v.setdefault("bucket", f"parley-{stage}-attachments-{v['account']}")
    v.setdefault("mail_bucket", f"parley-{stage}-mail-{v['account']}")
    v.setdefault("archive_bucket", f"parley-{stage}-archive-{v['account']}")
    return v


def grants(function: str) -> list[Grant]:
    return FUNCTIONS[function] + LOGS


def policy(stage: str, function: str, **over) -> dict:
    """The policy document of one function in one stage."""
    v = values(stage, function, **over)
    statements = []
    for g in grants(function):
        res = [r.format(**v) for r in g.resources]
        statements.append({"Sid": g.sid, "Effect": "Allow", "Action": list(g.actions),
                           "Resource": res[0] if len(res) == 1 else res})
    return {"Version": "2012-10-17", "Statement": statements}


def required(stage: str, function: str, **over):
    """(action, resource, why) the function needs: each grant's resources with every `*`
    made concrete, as a call would name them."""
    v = values(stage, function, **over)
    for g in grants(function):
        for action in g.actions:
            for res in g.resources:
                yield action, res.format(**v).replace("*", "x0"), g.why


def policy_file(stage: str, function: str) -> str:
    return f"policy-{stage}-{function}.json"


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2) + "\n"


def write_all(chalice_dir: Path = CHALICE_DIR, check: bool = False) -> list[str]:
    """Write (or, with check, compare) every stage's policy files; the names that differ."""
    differ = []
    for stage in STAGES:
        for function in FUNCTIONS:
            path = chalice_dir / policy_file(stage, function)
            text = render(policy(stage, function))
            if not path.exists() or path.read_text() != text:
                differ.append(path.name)
                if not check:
                    path.write_text(text)
    return differ


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m infra.iam", description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="only report files that differ")
    args = p.parse_args(argv)
    differ = write_all(check=args.check)
    for name in differ:
        print(f"{'differs' if args.check else 'wrote'}: .chalice/{name}")
    return 1 if (args.check and differ) else 0


if __name__ == "__main__":
    sys.exit(main())

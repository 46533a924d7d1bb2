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
WS_CONNECTIONS = ("arn:aws:execute-api:{region}:{account}:{ws_api}/{ws_stage}/*/@connections/*",)
SES_IDENTITY = ("arn:aws:ses:{region}:{account}:identity/{ses_identity}",)

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
          "quality results: one conversation's, a site's or an agent's by close time"),
        G("AuditLogAppendOnly", ("dynamodb:PutItem", "dynamodb:Query"), table("audit"),
          "the audit log: append (conditional PutItem) and read (Query on one month's "
          "partition); nothing may update or delete it"),
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
        G("TokenSecret", "secretsmanager:GetSecretValue", SECRET, "token signing keys"),
        G("AttachmentObjects", ("s3:PutObject", "s3:GetObject"), ATTACHMENTS,
          "presigned attachment upload (POST policy) and download URLs"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "bot_turn, assign, queue_timeout, email_reply jobs"),
        PUSH,
    ],
    "websocket_connect": [
        G("ReadIdentity", "dynamodb:GetItem", table("visitors", "agents"),
          "realtime.connect: the visitor / agent behind the token"),
        G("RegisterConnection", "dynamodb:PutItem", table("connections"),
          "the connection row"),
        G("TokenSecret", "secretsmanager:GetSecretValue", SECRET, "token verification keys"),
    ],
    "websocket_message": [
        G("ReadItems", "dynamodb:GetItem",
          table("conversations", "messages", "keys", "connections", "agents", "sites"),
          "frames: the connection, the conversation, client-id replays, the site"),
        G("AppendMessages", "dynamodb:PutItem", table("messages", "keys"),
          "a send: the message and its client-id claim in one transaction"),
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
        G("AgentConnections", "dynamodb:Query", table("connections/index/agent-index"),
          "does the agent have other connections"),
        G("PresenceCheck", "sqs:SendMessage", queue("events"), "a delayed presence_check"),
    ],
    "handle_events": [
        G("ReadItems", "dynamodb:GetItem",
          table("conversations", "messages", "keys", "visitors", "agents", "sites",
                "connections"),
          "bot_turn / queue_timeout / email_reply / presence_check inputs"),
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
                "conversations/index/queue-index", "agents/index/status-index"),
          "recipients; handoff: previous agent, place in line, online agents"),
        G("EventsQueueConsume", CONSUME, queue("events"),
          "the events queue is this function's event source"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments", "events"),
          "handoff publishes assign and a delayed queue_timeout"),
        G("EmailReplies", "ses:SendEmail", SES_IDENTITY,
          "email_reply, from PARLEY_SES_SENDER's verified domain identity"),
        PRESIGN,
        PUSH,
    ],
    "handle_assignments": [
        G("ReadItems", "dynamodb:GetItem", table("conversations", "agents", "directory"),
          "the conversation, the agent, the team's assignment mode"),
        G("AssignAndPost", "dynamodb:UpdateItem", table("conversations", "agents"),
          "the assignment transaction; the system message's conversation update"),
        G("PostSystemMessages", "dynamodb:PutItem", table("messages"), "the assigned message"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/queue-index",
                "agents/index/status-index"),
          "the waiting line, online agents, recipients"),
        G("AssignmentsQueueConsume", CONSUME, queue("assignments"),
          "the assignments queue is this function's event source"),
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
        G("ReadItems", "dynamodb:GetItem", table("conversations", "agents", "sites"),
          "idle conversations, their agent and site settings"),
        G("CloseAndPost", "dynamodb:UpdateItem", table("conversations", "agents"),
          "the close transaction and its system message"),
        G("PostSystemMessages", "dynamodb:PutItem", table("messages"), "the closed message"),
        G("DropStaleConnections", "dynamodb:DeleteItem", table("connections"),
          "a connection that answered 410 Gone"),
        G("QueryIndexes", "dynamodb:Query",
          table("connections/index/*", "conversations/index/status-index",
                "conversations/index/queue-index", "agents/index/status-index"),
          "idle conversations by status, positions, recipients"),
        G("QueuePublish", "sqs:SendMessage", queue("assignments"),
          "a closed chat frees a slot: assign"),
        PRESIGN,
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
        G("StoreResult", "dynamodb:PutItem", table("qa"), "the score and its findings"),
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

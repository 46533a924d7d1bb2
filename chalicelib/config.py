"""Every environment variable Parley reads, in one place.

Values are read when a function asks for them (not frozen at import) so tests and the
local runtime can point the app at other resources without reloading modules, except
for table names, which PynamoDB binds when the model classes are created.
"""
from __future__ import annotations

import os

STAGE = os.environ.get("PARLEY_STAGE", "dev")
TABLE_PREFIX = os.environ.get("PARLEY_TABLE_PREFIX", f"parley-{STAGE}")


def _table(name: str) -> str:
    return os.environ.get(f"PARLEY_TABLE_{name.upper()}", f"{TABLE_PREFIX}-{name}")


TABLES = {
    name: _table(name)
    for name in ("visitors", "conversations", "messages", "connections", "agents",
                 "sites", "keys", "kb", "directory", "audit", "reports", "qa", "integrations",
                 "tickets", "contacts")
}


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def aws_pool_size() -> int | None:
    """HTTP connections each AWS client keeps (`PARLEY_AWS_POOL_SIZE`); None: the libraries'
    default of 10, right for a Lambda that serves one request at a time. The local runtime
    runs every handler in one process, many at once, and sets it to its thread count: with
    10, the other requests opened a new connection each and closed it after."""
    raw = os.environ.get("PARLEY_AWS_POOL_SIZE")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else None


def dynamodb_endpoint() -> str | None:
    """Explicit DynamoDB endpoint (a local server); None means the AWS default."""
    return os.environ.get("PARLEY_DYNAMODB_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


def ws_management_endpoint() -> str | None:
    """Base URL of the API Gateway management API (https://{api}.execute-api.../{stage}).

    When unset, WebSocket handlers derive it from the event (domainName + stage)."""
    return os.environ.get("PARLEY_WS_ENDPOINT") or None


def token_secret_value() -> str | None:
    return os.environ.get("PARLEY_TOKEN_SECRET") or None


def token_secret_arn() -> str | None:
    return os.environ.get("PARLEY_TOKEN_SECRET_ARN") or None


def sealing_keys_value() -> str | None:
    """Keys that seal sites' identity secrets; unset: derived from the token secret."""
    return os.environ.get("PARLEY_SEALING_KEYS") or None


def visitor_token_ttl() -> int:
    return int(os.environ.get("PARLEY_VISITOR_TOKEN_TTL", str(30 * 24 * 3600)))


def agent_token_ttl() -> int:
    return int(os.environ.get("PARLEY_AGENT_TOKEN_TTL", str(12 * 3600)))


def agent_session_max_age() -> int:
    """Absolute lifetime of an agent session: refreshing never extends a session past this
    many seconds after the password was typed."""
    return int(os.environ.get("PARLEY_AGENT_SESSION_MAX_AGE", str(12 * 3600)))


def login_limits() -> dict:
    """Sign-in throttling: failures allowed per account (email) and per source address within
    one window, and how long a lock lasts once the limit is reached (seconds)."""
    return {"account_failures": int(os.environ.get("PARLEY_LOGIN_ACCOUNT_FAILURES", "5")),
            "source_failures": int(os.environ.get("PARLEY_LOGIN_SOURCE_FAILURES", "30")),
            "window": int(os.environ.get("PARLEY_LOGIN_WINDOW", "900")),
            "lockout": int(os.environ.get("PARLEY_LOGIN_LOCKOUT", "900"))}


def connection_ttl() -> int:
    """Connection rows outlive API Gateway's 2 h connection limit a little."""
    return int(os.environ.get("PARLEY_CONNECTION_TTL", str(2 * 3600 + 15 * 60)))


def poll_interval() -> float:
    return float(os.environ.get("PARLEY_POLL_INTERVAL", "1.0"))


def poll_max_wait() -> float:
    return float(os.environ.get("PARLEY_POLL_MAX_WAIT", "20"))


def attachments_bucket() -> str:
    return os.environ.get("PARLEY_ATTACHMENTS_BUCKET", f"parley-{STAGE}-attachments")


def archive_bucket() -> str:
    """The analysts' archive (closed conversations as JSON Lines, docs/reports.md)."""
    return os.environ.get("PARLEY_ARCHIVE_BUCKET", f"parley-{STAGE}-archive")


def attachment_max_bytes() -> int:
    return int(os.environ.get("PARLEY_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))


def console_origin() -> str:
    """The agent console's origin (scheme://host[:port]): the only browser origin agent and
    admin routes answer (chalicelib/api/cors.py). Empty: no cross-origin access."""
    return os.environ.get("PARLEY_CONSOLE_ORIGIN", "").strip().rstrip("/")


def allow_loopback_endpoints() -> bool:
    """Bot flows may call 127.0.0.1 / ::1 (local development and tests only; private,
    link-local and the other internal ranges stay refused even then)."""
    return os.environ.get("PARLEY_ALLOW_LOOPBACK_ENDPOINTS", "").lower() in ("1", "true", "yes")


def s3_endpoint() -> str | None:
    return os.environ.get("PARLEY_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


def rate_sessions_per_minute() -> int:
    """Visitor sessions a site may open per minute (chalicelib/services/throttle.py; 0: off)."""
    return int(os.environ.get("PARLEY_RATE_SESSIONS_PER_MINUTE", "600"))


def rate_polls_per_minute() -> int:
    """Visitor long-polls a site may start per minute (0: off). A poll waits up to 20 s, so
    6,000 a minute carries about 2,000 visitors on long-poll at once."""
    return int(os.environ.get("PARLEY_RATE_POLLS_PER_MINUTE", "6000"))


def log_level() -> str:
    return os.environ.get("PARLEY_LOG_LEVEL", "INFO")


# SQS queues. The names are bound when app.py registers its SQS handlers (import time).
ASSIGNMENT_QUEUE = os.environ.get("PARLEY_ASSIGNMENT_QUEUE", f"parley-{STAGE}-assignments")
EVENTS_QUEUE = os.environ.get("PARLEY_EVENTS_QUEUE", f"parley-{STAGE}-events")


def queue_url(name: str) -> str | None:
    """PARLEY_ASSIGNMENT_QUEUE_URL / PARLEY_EVENTS_QUEUE_URL when the deployment gives them."""
    return os.environ.get(f"PARLEY_{name.upper()}_QUEUE_URL") or None


def sqs_endpoint() -> str | None:
    return os.environ.get("PARLEY_SQS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


def ses_endpoint() -> str | None:
    return os.environ.get("PARLEY_SES_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


def ses_sender() -> str:
    return os.environ.get("PARLEY_SES_SENDER", "support@parley.invalid")


# The conversation event stream (docs/events.md). Stream ARNs and consumer queue names are
# bound when app.py registers its handlers (import time), like the SQS queue names above.
ACCOUNT_PLACEHOLDER = "123456789012"


def _stream_arn(table: str) -> str:
    return os.environ.get(
        f"PARLEY_{table.upper()}_STREAM_ARN",
        f"arn:aws:dynamodb:{region()}:{ACCOUNT_PLACEHOLDER}:table/{TABLES[table]}/stream/unset")


MESSAGES_STREAM_ARN = _stream_arn("messages")
CONVERSATIONS_STREAM_ARN = _stream_arn("conversations")
TICKETS_STREAM_ARN = _stream_arn("tickets")
CONTACTS_STREAM_ARN = _stream_arn("contacts")

#: consumer name -> the queue its on_sqs_message handler reads
CONSUMER_QUEUES = {
    name: os.environ.get(f"PARLEY_CONSUMER_{name.upper()}_QUEUE",
                         f"parley-{STAGE}-consumer-{name}")
    for name in ("reports", "qa", "webhooks", "records", "contacts")
}

#: webhook deliveries (one task per endpoint and event, retried with SQS delays): their own
#: queue and function, so a slow receiver never holds up the event consumer
WEBHOOK_DELIVERY_QUEUE = os.environ.get("PARLEY_WEBHOOK_DELIVERY_QUEUE",
                                        f"parley-{STAGE}-webhook-deliveries")


def event_topic_arn() -> str:
    return os.environ.get("PARLEY_EVENT_TOPIC_ARN") or (
        f"arn:aws:sns:{region()}:{ACCOUNT_PLACEHOLDER}:parley-{STAGE}-conversation-events")


def sns_endpoint() -> str | None:
    return os.environ.get("PARLEY_SNS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


def secrets_endpoint() -> str | None:
    return os.environ.get("PARLEY_SECRETS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


WECHAT_API_BASE = "https://api.weixin.qq.com"


def wechat_api_base() -> str:
    """WeChat's API (fixed). PARLEY_WECHAT_API_BASE may point at the loopback stub
    (infra/local/wechat_stub.py) only where loopback endpoints are allowed (local runtime and
    tests); anything else is ignored, so no setting can aim the functions elsewhere."""
    override = os.environ.get("PARLEY_WECHAT_API_BASE", "").strip().rstrip("/")
    if override and allow_loopback_endpoints():
        from urllib.parse import urlsplit
        parts = urlsplit(override)
        if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") \
                and not parts.path and not parts.username:
            return override
    return WECHAT_API_BASE
# The email channel (docs/email.md). The queue name is bound when app.py registers its
# handler (import time); the functions read the bucket at call time (tests, local runtime).
MAIL_BUCKET = os.environ.get("PARLEY_MAIL_BUCKET", f"parley-{STAGE}-mail")
MAIL_PREFIX = "inbound/"
#: the queue the mail bucket's ObjectCreated events go to (app.receive_mail reads it)
MAIL_QUEUE = os.environ.get("PARLEY_MAIL_QUEUE", f"parley-{STAGE}-mail")


def mail_bucket() -> str:
    """Where SES's receipt rule stores raw inbound mail (under MAIL_PREFIX)."""
    return os.environ.get("PARLEY_MAIL_BUCKET", MAIL_BUCKET)


def mail_prefix() -> str:
    return MAIL_PREFIX


def mail_inbound_domain() -> str:
    """Each site receives mail at <site_key>@<this domain> (the SES receipt rule's domain);
    a site may add its own address (site setting mail_address)."""
    return os.environ.get("PARLEY_MAIL_INBOUND_DOMAIN", "inbound.parley.invalid").lower()


def mail_max_bytes() -> int:
    """Raw inbound mail larger than this is dropped unread (SES accepts up to 40 MB)."""
    return int(os.environ.get("PARLEY_MAIL_MAX_BYTES", str(30 * 1024 * 1024)))


def mail_outbound_attachment_bytes() -> int:
    """Attachments a ticket reply carries in total (SES SendRawEmail takes 10 MB, base64
    grows by a third); beyond it they are listed by name."""
    return int(os.environ.get("PARLEY_MAIL_ATTACHMENT_BUDGET", str(7 * 1024 * 1024)))


def ses_message_id_domain() -> str | None:
    """SES replaces the Message-ID of what it sends with <SES message id@this domain>; the
    id a ticket stores to thread replies is that one. Unset: derived from the region
    (email.amazonses.com in us-east-1); "keep" (and any local SES endpoint): our own id."""
    value = os.environ.get("PARLEY_SES_MESSAGE_ID_DOMAIN")
    if value is not None:
        return None if value.strip().lower() in ("", "keep") else value.strip()
    if ses_endpoint():
        return None
    r = region()
    return "email.amazonses.com" if r == "us-east-1" else f"{r}.amazonses.com"

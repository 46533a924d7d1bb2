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
                 "sites", "keys", "kb", "directory", "reports")
}


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


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


def visitor_token_ttl() -> int:
    return int(os.environ.get("PARLEY_VISITOR_TOKEN_TTL", str(30 * 24 * 3600)))


def agent_token_ttl() -> int:
    return int(os.environ.get("PARLEY_AGENT_TOKEN_TTL", str(12 * 3600)))


def connection_ttl() -> int:
    """Connection rows outlive API Gateway's 2 h connection limit a little."""
    return int(os.environ.get("PARLEY_CONNECTION_TTL", str(2 * 3600 + 15 * 60)))


def poll_interval() -> float:
    return float(os.environ.get("PARLEY_POLL_INTERVAL", "1.0"))


def poll_max_wait() -> float:
    return float(os.environ.get("PARLEY_POLL_MAX_WAIT", "20"))


def attachments_bucket() -> str:
    return os.environ.get("PARLEY_ATTACHMENTS_BUCKET", f"parley-{STAGE}-attachments")


def attachment_max_bytes() -> int:
    return int(os.environ.get("PARLEY_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))


def s3_endpoint() -> str | None:
    return os.environ.get("PARLEY_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL") or None


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

"""SNS publisher for the conversation event stream (one topic, fanned out to consumer queues)."""
from __future__ import annotations

import json

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

MAX_BATCH = 10  # SNS PublishBatch takes at most 10 entries


class EventPublishError(Exception):
    """Some entries of a batch were not accepted; the relay fails so the stream retries."""


class EventBus(LazyClient):
    service = "sns"

    def client_kwargs(self) -> dict:
        return {"endpoint_url": config.sns_endpoint()}

    def publish_batch(self, envelopes: list[dict]) -> int:
        """Publish envelopes as raw JSON messages, up to 10 per PublishBatch call. Each entry
        carries its event type as a message attribute (for subscription filter policies)."""
        client = self._get_client()
        topic = config.event_topic_arn()
        for start in range(0, len(envelopes), MAX_BATCH):
            chunk = envelopes[start:start + MAX_BATCH]
            resp = client.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": str(n), "Message": json.dumps(env, separators=(",", ":"), default=str),
                 "MessageAttributes": {"type": {"DataType": "String",
                                                "StringValue": env["type"]}}}
                for n, env in enumerate(chunk)])
            failed = resp.get("Failed") or []
            if failed:
                raise EventPublishError(
                    f"{len(failed)} of {len(chunk)} events not published: "
                    f"{sorted({f.get('Code') for f in failed})}")
        return len(envelopes)

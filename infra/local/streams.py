"""DynamoDB Streams event source mappings: one poller thread per @app.on_dynamodb_record.

Like Lambda's mapping, the poller reads the table's stream shard by shard (from moto's
dynamodbstreams: DescribeStream, GetShardIterator, GetRecords), builds Lambda's DynamoDB
stream event for up to batch_size records, and calls the handler. A failed batch is retried
from the same records (the iterator does not advance) until it succeeds, as Lambda does until
the records expire; the runtime logs every failure.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

from infra.local import logs
from infra.local.events import _context


def _epoch(value) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def lambda_event(records, region: str, stream_arn: str) -> dict:
    """Lambda's DynamoDB stream event for records as GetRecords returns them."""
    out = []
    for r in records:
        change = dict(r["dynamodb"])
        change["ApproximateCreationDateTime"] = _epoch(change["ApproximateCreationDateTime"])
        out.append({"eventID": r["eventID"], "eventName": r["eventName"],
                    "eventVersion": r.get("eventVersion", "1.1"),
                    "eventSource": "aws:dynamodb", "awsRegion": region,
                    "dynamodb": change, "eventSourceARN": stream_arn})
    return {"Records": out}


class StreamPoller(threading.Thread):
    def __init__(self, session, endpoint_url, region, config, handler, stop: threading.Event,
                 idle_wait: float = 0.5, retry_wait: float = 1.0):
        super().__init__(name=f"stream-{config.name}", daemon=True)
        from botocore.config import Config
        # account-based endpoints would bypass endpoint_url-less moto set-ups; never needed
        self.streams = session.client("dynamodbstreams", endpoint_url=endpoint_url,
                                      region_name=region,
                                      config=Config(account_id_endpoint_mode="disabled"))
        self.region = region
        self.config = config
        self.handler = handler
        self.stop_event = stop
        self.idle_wait = idle_wait
        self.retry_wait = retry_wait
        self.stream_arn = config.stream_arn
        self.iterators: dict[str, str | None] = {}   # shard id -> next iterator
        self.failures = 0

    def _refresh_shards(self) -> None:
        desc = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        start = "TRIM_HORIZON" if self.config.starting_position == "TRIM_HORIZON" else "LATEST"
        for shard in desc.get("Shards", []):
            sid = shard["ShardId"]
            if sid not in self.iterators:
                self.iterators[sid] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=sid,
                    ShardIteratorType=start)["ShardIterator"]

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                if not self.iterators:
                    self._refresh_shards()
                busy = False
                for sid in list(self.iterators):
                    busy = self.poll_shard(sid) or busy
                if not busy:
                    self.stop_event.wait(self.idle_wait)
            except Exception as exc:
                if self.stop_event.is_set():
                    return
                logs.line(f"STREAM {self.config.name} poll error {exc!r}", always=True)
                self.stop_event.wait(self.retry_wait)

    def poll_shard(self, shard_id: str) -> bool:
        """One batch of one shard; True if records were handled."""
        iterator = self.iterators.get(shard_id)
        if iterator is None:
            return False
        limit = max(1, min(int(self.config.batch_size or 100), 1000))
        resp = self.streams.get_records(ShardIterator=iterator, Limit=limit)
        records = resp.get("Records") or []
        if records and not self.invoke(records):
            self.stop_event.wait(self.retry_wait)
            return True               # same iterator: the batch is retried
        self.iterators[shard_id] = resp.get("NextShardIterator")
        return bool(records)

    def event_for(self, records) -> dict:
        return lambda_event(records, self.region, self.stream_arn)

    def invoke(self, records) -> bool:
        start = time.perf_counter()
        try:
            self.handler(self.event_for(records), _context(self.config.name))
            outcome, ok = "ok", True
        except Exception as exc:
            self.failures += 1
            outcome, ok = f"error {type(exc).__name__}: {exc} (retrying)", False
        logs.line(f"STREAM {self.config.name} batch={len(records)} {outcome} {logs.ms(start)}",
                  always=not ok)
        return ok

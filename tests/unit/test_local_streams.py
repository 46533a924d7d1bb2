"""The local runtime's DynamoDB stream mapping (infra/local/streams.py) with a fake stream."""
import datetime as dt
import threading
from types import SimpleNamespace

from infra.local.streams import StreamPoller

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"


class FakeStreams:
    def __init__(self, records):
        self.records = records

    def describe_stream(self, StreamArn):
        return {"StreamDescription": {"Shards": [{"ShardId": "s1"}]}}

    def get_shard_iterator(self, StreamArn, ShardId, ShardIteratorType):
        return {"ShardIterator": f"{ShardId}:0" if ShardIteratorType == "TRIM_HORIZON"
                else f"{ShardId}:{len(self.records)}"}

    def get_records(self, ShardIterator, Limit):
        shard, pos = ShardIterator.split(":")
        batch = self.records[int(pos):int(pos) + Limit]
        return {"Records": batch, "NextShardIterator": f"{shard}:{int(pos) + len(batch)}"}


def rec(n):
    return {"eventID": f"e{n}", "eventName": "INSERT", "eventSource": "aws:dynamodb",
            "dynamodb": {"ApproximateCreationDateTime": dt.datetime(2026, 1, 1,
                                                                    tzinfo=dt.timezone.utc),
                         "Keys": {"k": {"S": str(n)}}, "NewImage": {"k": {"S": str(n)}},
                         "SequenceNumber": str(n), "SizeBytes": 10,
                         "StreamViewType": "NEW_IMAGE"}}


def poller(records, handler, start="TRIM_HORIZON", batch=2):
    config = SimpleNamespace(name="relay_t", stream_arn=ARN, batch_size=batch,
                             starting_position=start)
    session = SimpleNamespace(client=lambda *a, **k: FakeStreams(records))
    stop = threading.Event()
    stop.set()                   # waits return at once: no wall-clock time in the test
    p = StreamPoller(session, None, "us-east-1", config, handler, stop, retry_wait=0)
    p._refresh_shards()
    return p


def test_batches_in_order_as_lambda_events_and_a_failed_batch_is_retried_from_the_same_records():
    calls, fail = [], [True]

    def handler(event, context):
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        first = event["Records"][0]
        assert first["eventSourceARN"] == ARN and first["awsRegion"] == "us-east-1"
        assert first["dynamodb"]["ApproximateCreationDateTime"] == 1767225600.0
        if fail[0]:
            fail[0] = False
            raise RuntimeError("publish failed")

    p = poller([rec(n) for n in range(3)], handler)
    assert p.poll_shard("s1") is True          # failed: the iterator stays
    assert p.poll_shard("s1") is True          # the same two records again, now ok
    assert p.poll_shard("s1") is True
    assert p.poll_shard("s1") is False         # nothing new
    assert calls == [["0", "1"], ["0", "1"], ["2"]]
    assert p.failures == 1


def test_latest_starts_after_what_is_already_in_the_stream():
    calls = []
    p = poller([rec(0)], lambda e, c: calls.append(e), start="LATEST")
    assert p.poll_shard("s1") is False and calls == []

"""Reading a table's DynamoDB stream on moto as Lambda's event source would, and draining an
SQS queue: shared by the tests of the relays (tickets, contacts) and their consumers."""
from __future__ import annotations

import json

import boto3
from botocore.config import Config


def _client():
    return boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))


def shard_starts(arn: str) -> list[str]:
    """Iterators at the end of every shard: what is written from now on will be read."""
    ds = _client()
    return [ds.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                  ShardIteratorType="LATEST")["ShardIterator"]
            for sh in ds.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]


def read_records(starts: list[str], keep) -> list[dict]:
    """The stream records written since `starts` whose partition key `keep(pk)` accepts."""
    ds, out = _client(), []
    for it in starts:
        while it:
            resp = ds.get_records(ShardIterator=it, Limit=1000)
            if not resp["Records"]:
                break
            out += [r for r in resp["Records"] if keep(r["dynamodb"]["Keys"]["pk"]["S"])]
            it = resp.get("NextShardIterator")
    return out


def drain(queue_url: str) -> list[dict]:
    """Every message waiting in the queue, deleted, as SQS messages."""
    sqs, msgs = boto3.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return msgs
        for m in got:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        msgs += got


def drain_bodies(queue_url: str) -> list[dict]:
    return [json.loads(m["Body"]) for m in drain(queue_url)]

"""The local stack's DynamoDB transactions: item-level rollback, same outcome as moto's
whole-table restore, and no copy of a whole table (infra/moto_costs.py)."""
import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra import moto_costs
from infra.resources import serialize_moto_dynamodb


@pytest.fixture
def ddb():
    serialize_moto_dynamodb()            # installs the item-level transactions
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        client.create_table(
            TableName="k", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}])
        yield client


def _stream_records(client) -> int:
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = client.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return len(streams.get_records(ShardIterator=it)["Records"])


def test_a_cancelled_transaction_leaves_every_touched_item_as_it_was(ddb):
    ddb.put_item(TableName="t", Item={"pk": {"S": "c1"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    ddb.put_item(TableName="k", Item={"key": {"S": "taken"}})
    before = _stream_records(ddb)
    with pytest.raises(ClientError) as err:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
                        "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "c1"}, "sk": {"N": "2"}}}},
            {"Put": {"TableName": "k", "Item": {"key": {"S": "taken"}},
                     "ConditionExpression": "attribute_not_exists(#k)",
                     "ExpressionAttributeNames": {"#k": "key"}}},
        ])
    assert err.value.response["Error"]["Code"] == "TransactionCanceledException"
    items = ddb.query(TableName="t", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": "c1"}})["Items"]
    assert items == [{"pk": {"S": "c1"}, "sk": {"N": "1"}, "v": {"N": "1"}}]
    assert _stream_records(ddb) == before          # the attempt left no stream record


def test_a_committed_transaction_applies_every_item(ddb):
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "c2"}, "sk": {"N": "1"}}}},
        {"Put": {"TableName": "k", "Item": {"key": {"S": "new"}},
                 "ConditionExpression": "attribute_not_exists(#k)",
                 "ExpressionAttributeNames": {"#k": "key"}}},
    ])
    assert ddb.get_item(TableName="k", Key={"key": {"S": "new"}})["Item"]
    assert ddb.get_item(TableName="t", Key={"pk": {"S": "c2"}, "sk": {"N": "1"}})["Item"]
    assert _stream_records(ddb) == 1


def test_no_whole_table_is_copied(ddb, monkeypatch):
    from moto.dynamodb import models as dynamo_models
    from moto.dynamodb.models.table import Table
    copied = []
    real = dynamo_models.copy.deepcopy

    def spy(obj, memo=None):
        if isinstance(obj, Table):
            copied.append(obj)
        return real(obj, memo)
    monkeypatch.setattr(dynamo_models.copy, "deepcopy", spy)
    for i in range(50):
        ddb.put_item(TableName="t", Item={"pk": {"S": f"c{i}"}, "sk": {"N": "1"}})
    table = dynamo_models.dynamodb_backends["123456789012"]["us-east-1"].tables["t"]
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}}}}])
    # the module's deepcopy hands a table back as itself: nothing of size N is copied
    assert copied and all(c is table for c in copied)
    assert dynamo_models.copy.deepcopy(table) is not None
    assert moto_costs._installed


def test_queries_read_only_their_partition_and_stay_correct_after_writes(ddb):
    ddb.update_table(
        TableName="t", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "g-index", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    for i in range(30):
        ddb.put_item(TableName="t", Item={"pk": {"S": f"c{i % 3}"}, "sk": {"N": str(i)},
                                          "g": {"S": f"g{i % 5}"}})

    def by_g(value):
        return sorted(int(x["sk"]["N"]) for x in ddb.query(
            TableName="t", IndexName="g-index", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": value}})["Items"])

    def by_pk(value, **kw):
        return [int(x["sk"]["N"]) for x in ddb.query(
            TableName="t", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": value}}, **kw)["Items"]]

    assert by_g("g1") == [1, 6, 11, 16, 21, 26]
    assert by_pk("c0") == list(range(0, 30, 3))
    assert by_pk("c0", ScanIndexForward=False, Limit=2) == [27, 24]
    assert by_pk("nobody") == []
    # writes of every kind move items in and out of the index view
    ddb.update_item(TableName="t", Key={"pk": {"S": "c1"}, "sk": {"N": "1"}},
                    UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"S": "g2"}})
    ddb.delete_item(TableName="t", Key={"pk": {"S": "c0"}, "sk": {"N": "6"}})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {
        "pk": {"S": "c9"}, "sk": {"N": "99"}, "g": {"S": "g1"}}}}])
    assert by_g("g1") == [11, 16, 21, 26, 99]
    assert 1 in by_g("g2")


def test_sqs_clock_keeps_visibility_and_delays(monkeypatch):
    """The fast SQS clock is the same instant: a received message is hidden for its
    visibility timeout, a delayed one until its delay, then both are received again."""
    import time as real_time

    from moto.sqs import models as sqs_models
    serialize_moto_dynamodb()
    assert sqs_models.unix_time_millis.__module__ == "infra.moto_costs"
    assert abs(sqs_models.unix_time_millis() - real_time.time() * 1000) < 50
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="now")
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=2)
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=1)
        assert [m["Body"] for m in got["Messages"]] == ["now"]
        assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        now = real_time.time()
        monkeypatch.setattr("infra.moto_costs.time.time", lambda: now + 3)
        again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        assert sorted(m["Body"] for m in again["Messages"]) == ["later", "now"]


def test_fast_dynamodb_answers_equal_motos_own(ddb):
    """Every data-plane answer written with json.dumps equals moto's shape-walked one."""
    moto_costs.DEBUG_COMPARE = True
    moto_costs.MISMATCHES.clear()
    try:
        item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "m": {"M": {"x": {"L": [
            {"N": "1.5"}, {"S": "é"}, {"NULL": True}, {"BOOL": False}]}}},
                "b": {"B": b"\x00\xff"}, "ss": {"SS": ["p", "q"]}, "ns": {"NS": ["1", "2"]}}
        ddb.put_item(TableName="t", Item=item)
        for i in range(2, 6):
            ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})
        got = ddb.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                           ConsistentRead=True)["Item"]
        assert got["b"]["B"] == b"\x00\xff" and got["m"] == item["m"]
        assert "Item" not in ddb.get_item(TableName="t",
                                          Key={"pk": {"S": "none"}, "sk": {"N": "1"}})
        page = ddb.query(TableName="t", KeyConditionExpression="pk = :p", Limit=2,
                         ExpressionAttributeValues={":p": {"S": "a"}})
        assert page["Count"] == 2 and "LastEvaluatedKey" in page
        ddb.query(TableName="t", KeyConditionExpression="pk = :p", Select="COUNT",
                  ExpressionAttributeValues={":p": {"S": "a"}})
        ddb.update_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "2"}},
                        UpdateExpression="SET n = if_not_exists(n, :z) + :o",
                        ExpressionAttributeValues={":z": {"N": "0"}, ":o": {"N": "1"}},
                        ReturnValues="ALL_NEW")
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "k", "Item": {"key": {"S": "x"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"N": "3"}},
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "w"}}}}])
        ddb.batch_get_item(RequestItems={"t": {"Keys": [
            {"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "a"}, "sk": {"N": "9"}}]}})
        ddb.batch_write_item(RequestItems={"k": [{"PutRequest": {"Item": {"key": {"S": "y"}}}}]})
        ddb.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "5"}},
                        ReturnValues="ALL_OLD")
        ddb.scan(TableName="k")
        with pytest.raises(ClientError):
            ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                         ConditionExpression="attribute_not_exists(pk)")
        assert moto_costs.MISMATCHES == []
    finally:
        moto_costs.DEBUG_COMPARE = False

"""moto's DynamoDB made to cost what a request touches, not what the tables hold.

Queries: moto answers every Query (on the table or an index) by walking and sorting every
item of the table, so a send that looks up one conversation's connections costs O(items).
Here a table Query starts from the items under its partition key, and an index Query from a
per-table map of the index key's values to items, rebuilt lazily after a write to that table
(write-heavy tables rebuild on their next index query, which is what every query cost before).

Transactions: moto 5 backs up every table a transaction names with a deep copy before applying it, so a
two-item transaction on a table of 10,000 conversations copies 10,000 items: local sends slow
down as the local stack's data grows, which misleads every local measurement. Here the
backup is of the touched items only (and of the length of each table's stream): on failure
those items are put back as they were and the stream records the attempt wrote are dropped,
which is what the whole-table restore achieved. It relies on moto's DynamoDB requests being
serialised (infra.resources.serialize_moto_dynamodb), as the whole-table restore did.

SQS's clock: moto decides whether each message of a queue is visible or delayed by building
two naive datetimes per check (`unix_time_millis`), and a send, a receive and every SNS
fan-out to a queue check every message the queue holds, several times. With a few thousand
messages waiting that clock was a third of the local runtime's CPU under a burst. Here it
reads `time.time()` (the same instant, without the datetimes).

The server's dispatch: for every request moto's server finds the service by listing its own
package directory (a `stat` per service module, ~150) and then trying its URL patterns, all
under one lock that every request of every service takes. Here both answers are kept per
host: the directory does not change while the server runs, and a host always maps to the
same service.

DynamoDB's answers: moto 5 serialises every response by walking botocore's output shape,
value by value, recursing through each attribute value's union shape: half of moto's CPU
under a burst. The data-plane answers (moto's `DynamoResult`: items, keys, counts) are
already in DynamoDB's wire form, so they are written with `json.dumps` (missing members
and members the operation does not have left out, as the shape walk does); anything `json` cannot write goes the slow way.
`DEBUG_COMPARE` checks both ways give the same JSON (tests/unit/test_moto_costs.py).
"""
from __future__ import annotations

import base64
import copy
import json
import time
import types

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _install_transactions()
    _install_queries()
    _install_sqs_clock()
    _install_dispatch_cache()
    _install_dynamodb_answers()
    _installed = True


def _bump(table) -> None:
    table.__dict__["_parley_version"] = table.__dict__.get("_parley_version", 0) + 1


def _install_transactions() -> None:
    from moto.dynamodb import models as dynamo_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend_cls = dynamo_models.DynamoDBBackend
    original = backend_cls.transact_write_items

    # The backend module deep-copies whole tables only inside transact_write_items; with the
    # touched items saved below, that copy is the table itself (its restore is then a no-op).
    real_copy = dynamo_models.copy

    def _deepcopy(obj, memo=None):
        if isinstance(obj, Table):
            return obj
        return real_copy.deepcopy(obj, memo)

    dynamo_models.copy = types.SimpleNamespace(deepcopy=_deepcopy, copy=real_copy.copy)

    def _key_of(table, op_type: str, op: dict):
        attrs = op["Item"] if op_type == "Put" else op["Key"]
        hash_value = DynamoType(attrs[table.hash_key_attr])
        range_value = (DynamoType(attrs[table.range_key_attr])
                       if table.range_key_attr is not None else None)
        return hash_value, range_value

    def _snapshot(backend, transact_items):
        items, streams = [], {}
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            if table is None:
                continue
            try:
                hash_value, range_value = _key_of(table, op_type, op)
            except (KeyError, TypeError, AttributeError):
                continue        # moto rejects it before writing anything
            current = table.get_item(hash_value, range_value) if (
                range_value is not None or table.range_key_attr is None) else None
            items.append((table, hash_value, range_value, copy.deepcopy(current)))
            if table.stream_shard is not None and id(table) not in streams:
                streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        return items, list(streams.values())

    def _restore(items, streams) -> None:
        for table, hash_value, range_value, before in reversed(items):
            if range_value is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
                continue
            bucket = table.items[hash_value]
            if before is None:
                bucket.pop(range_value, None)
                if not bucket:
                    table.items.pop(hash_value, None)
            else:
                bucket[range_value] = before
        for shard, length in streams:
            del shard.items[length:]
        for table in {id(t): t for t, *_ in items}.values():
            _bump(table)

    def transact_write_items(self, transact_items):
        items, streams = _snapshot(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            _restore(items, streams)
            raise

    backend_cls.transact_write_items = transact_write_items


def _install_queries() -> None:
    from moto.dynamodb import models as dynamo_models
    from moto.dynamodb.models.table import Table

    put_item, delete_item, query = Table.put_item, Table.delete_item, Table.query
    update_item = dynamo_models.DynamoDBBackend.update_item

    def put(self, *args, **kwargs):
        try:
            return put_item(self, *args, **kwargs)
        finally:
            _bump(self)

    def delete(self, *args, **kwargs):
        try:
            return delete_item(self, *args, **kwargs)
        finally:
            _bump(self)

    def update(self, table_name, *args, **kwargs):
        try:
            return update_item(self, table_name, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None:
                _bump(table)      # moto updates the stored item in place

    def _by_value(table, attr: str) -> dict:
        version = table.__dict__.get("_parley_version", 0)
        cache = table.__dict__.setdefault("_parley_index_cache", {})
        hit = cache.get(attr)
        if hit is not None and hit[0] == version:
            return hit[1]
        by_value: dict = {}
        for item in Table.all_items(table):
            value = item.attrs.get(attr)
            if value is not None:
                by_value.setdefault(value, []).append(item)
        cache[attr] = (version, by_value)
        return by_value

    def candidates(table, hash_key, index_name, hash_key_conditions):
        if not index_name:
            if hash_key is None:
                return None
            bucket = table.items.get(hash_key)
            if bucket is None:
                return []
            return list(bucket.values()) if table.range_key_attr else [bucket]
        if not hash_key_conditions:
            return None
        attr, value = hash_key_conditions[0]
        return list(_by_value(table, attr).get(value, ()))

    def fast_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                   scan_index_forward, projection_expressions, index_name=None,
                   consistent_read=False, filter_expression=None, hash_key_conditions=None,
                   range_key_conditions=None, **filter_kwargs):
        found = candidates(self, hash_key, index_name, hash_key_conditions)
        if found is not None:
            self.__dict__["all_items"] = lambda: found
        try:
            return query(self, hash_key, range_comparison, range_objs, limit,
                         exclusive_start_key, scan_index_forward, projection_expressions,
                         index_name, consistent_read, filter_expression,
                         hash_key_conditions=hash_key_conditions,
                         range_key_conditions=range_key_conditions, **filter_kwargs)
        finally:
            self.__dict__.pop("all_items", None)

    Table.put_item, Table.delete_item, Table.query = put, delete, fast_query
    dynamo_models.DynamoDBBackend.update_item = update


def _install_sqs_clock() -> None:
    from moto.sqs import models as sqs_models

    slow_ms, slow_s = sqs_models.unix_time_millis, sqs_models.unix_time

    def unix_time_millis(dt=None) -> float:
        return time.time() * 1000.0 if dt is None else slow_ms(dt)

    def unix_time(dt=None) -> float:
        return time.time() if dt is None else slow_s(dt)

    sqs_models.unix_time_millis, sqs_models.unix_time = unix_time_millis, unix_time


def _install_dispatch_cache() -> None:
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    find = DomainDispatcherApplication.get_backend_for_host
    found: dict = {}

    def get_backend_for_host(self, host):
        if host not in found:
            found[host] = find(self, host)
        return found[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host


#: tests: compare each fast answer with moto's own serialisation (mismatches listed here)
DEBUG_COMPARE = False
MISMATCHES: list = []


def _wire(value):
    """The response without members that are None (the shape walk omits them)."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _json_default(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def _install_dynamodb_answers() -> None:
    from moto.dynamodb.responses import DynamoResult

    slow = DynamoResult.execute_result

    def execute_result(self, context):
        result = self.result
        if not isinstance(result, dict):
            return slow(self, context)
        shape = context.operation_model.output_shape
        members = shape.members if shape is not None else {}
        try:
            body = json.dumps(_wire({k: v for k, v in result.items() if k in members}),
                              default=_json_default, separators=(",", ":"))
        except (TypeError, ValueError):
            return slow(self, context)
        version = context.service_model.metadata.get("jsonVersion", "1.0")
        answer = (200, {"Content-Type": f"application/x-amz-json-{version}"}, body)
        if DEBUG_COMPARE:
            expected = slow(self, context)
            if json.loads(expected[2] or "{}") != json.loads(body) or expected[0] != 200:
                MISMATCHES.append((context.operation_model.name, expected, answer))
        return answer

    DynamoResult.execute_result = execute_result

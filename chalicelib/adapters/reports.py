"""The reports table: per-conversation consumer state and per-site day buckets.

Items (pk, sk):
- ("conv#{conversation}", "state"): "v" (version), "site", one attribute "e:{event id}" per
  event seen (its compact fact, JSON), "expires_at" (TTL, 400 days after the last event).
- ("site#{site}", "day#{YYYY-MM-DD}"): numeric counters ADDed by the consumer (attribute
  names: chalicelib/domain/reports.py), for the site's local day.

Low-level DynamoDB calls (the attribute names are data, not a fixed model): GetItem,
conditional UpdateItem, UpdateItem ADD, BatchGetItem. Never a Scan.
"""
from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

BATCH_KEYS = 100
STATE_TTL_DAYS = 400


class StateMoved(Exception):
    """The conversation's state changed between our read and our write (re-read, retry)."""


class DuplicateEvent(Exception):
    """The event id is in the state already."""


def _num(value: dict):
    if "N" in value:
        n = value["N"]
        return int(n) if "." not in n else float(n)
    return value.get("S")


class ReportsRepo(LazyClient):
    service = "dynamodb"

    def client_kwargs(self) -> dict:
        return {"endpoint_url": config.dynamodb_endpoint()}

    @property
    def table(self) -> str:
        return config.TABLES["reports"]

    # ------------------------------------------------------------ consumer state
    def state(self, conversation_id: str) -> tuple[int, dict]:
        """(version, {event id: fact}) of one conversation (consistent read)."""
        got = self._get_client().get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": {"S": f"conv#{conversation_id}"}, "sk": {"S": "state"}}).get("Item")
        if not got:
            return 0, {}
        facts = {k[2:]: json.loads(v["S"]) for k, v in got.items() if k.startswith("e:")}
        return int(got.get("v", {}).get("N", "0")), facts

    def record(self, conversation_id: str, site_key: str, event_id: str, fact: dict,
               version: int) -> None:
        """Add one fact, on condition the version is still `version` and the id is new."""
        condition = "attribute_not_exists(#e) AND " + (
            "attribute_not_exists(v)" if version == 0 else "v = :v0")
        values = {":f": {"S": json.dumps(fact, separators=(",", ":"))},
                  ":v1": {"N": str(version + 1)}, ":site": {"S": site_key},
                  ":exp": {"N": str(int(fact["at"] / 1000) + STATE_TTL_DAYS * 86400)}}
        if version:
            values[":v0"] = {"N": str(version)}
        client = self._get_client()
        try:
            client.update_item(
                TableName=self.table,
                Key={"pk": {"S": f"conv#{conversation_id}"}, "sk": {"S": "state"}},
                UpdateExpression="SET #e = :f, v = :v1, site = :site, expires_at = :exp",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#e": "e:" + event_id},
                ExpressionAttributeValues=values)
        except client.exceptions.ConditionalCheckFailedException:
            raise StateMoved(event_id)

    def forget(self, conversation_id: str, event_id: str, version: int) -> None:
        """Undo `record` (the bucket write failed): the retry will count the event."""
        client = self._get_client()
        try:
            client.update_item(
                TableName=self.table,
                Key={"pk": {"S": f"conv#{conversation_id}"}, "sk": {"S": "state"}},
                UpdateExpression="REMOVE #e SET v = :v2", ConditionExpression="v = :v1",
                ExpressionAttributeNames={"#e": "e:" + event_id},
                ExpressionAttributeValues={":v1": {"N": str(version + 1)},
                                           ":v2": {"N": str(version + 2)}})
        except client.exceptions.ConditionalCheckFailedException:
            pass   # someone moved on from our write: their delta included ours

    # ------------------------------------------------------------ buckets
    def add(self, site_key: str, day: str, counters: dict[str, int]) -> None:
        """ADD every counter of one day bucket in one UpdateItem."""
        names, values, parts = {}, {}, []
        for i, (attr, value) in enumerate(sorted(counters.items())):
            names[f"#a{i}"] = attr
            values[f":v{i}"] = {"N": str(int(value))}
            parts.append(f"#a{i} :v{i}")
        self._get_client().update_item(
            TableName=self.table,
            Key={"pk": {"S": f"site#{site_key}"}, "sk": {"S": f"day#{day}"}},
            UpdateExpression="ADD " + ", ".join(parts),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def days(self, site_key: str, days: list[str]) -> dict[str, dict]:
        """{day: {attribute: number}} for the days that have a bucket (BatchGetItem, 100
        keys a request; unprocessed keys are retried a bounded number of times)."""
        out: dict = {}
        client = self._get_client()
        for start in range(0, len(days), BATCH_KEYS):
            keys = [{"pk": {"S": f"site#{site_key}"}, "sk": {"S": f"day#{d}"}}
                    for d in days[start:start + BATCH_KEYS]]
            request = {self.table: {"Keys": keys}}
            for attempt in range(8):
                got = client.batch_get_item(RequestItems=request)
                for item in got.get("Responses", {}).get(self.table, []):
                    day = item["sk"]["S"][4:]
                    out[day] = {k: _num(v) for k, v in item.items() if k not in ("pk", "sk")}
                request = got.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.5, 0.02 * 2 ** attempt))
        return out

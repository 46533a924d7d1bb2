"""The reports table: per-conversation consumer state and per-site day buckets.

Items (pk, sk):
- ("conv#{conversation}", "state") and ("tkt#{ticket}", "state"): "v" (version), "site", one
  attribute "e:{event id}" per event seen (its compact fact, JSON), "expires_at" (TTL, 400
  days after the last event). The consumer names the subject (`subject_key`).
- ("site#{site}", "day#{YYYY-MM-DD}"): numeric counters ADDed by the consumer (attribute
  names: chalicelib/domain/reports.py), for the site's local day, a write counter "ver", and
  "sealed" while a summary of it exists;
- ("site#{site}", "sum#{YYYY-MM-DD}"): the day's counters as one JSON string ("data"): a
  90-day report reads 90 small items instead of 90 items of ~1,500 numbers each.
  Invariant: a summary exists only while its day is sealed at the same "ver" (both are
  written in one transaction; a late event removes both in one transaction).

Low-level DynamoDB calls (the attribute names are data, not a fixed model): GetItem,
conditional UpdateItem, UpdateItem ADD, BatchGetItem. Never a full-table read.
"""
from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

BATCH_KEYS = 100
STATE_TTL_DAYS = 400


def subject_key(conversation_id: str | None = None, ticket_id: str | None = None) -> str:
    """The state item's key of a conversation or a ticket."""
    return f"tkt#{ticket_id}" if ticket_id else f"conv#{conversation_id}"


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
    def state(self, subject: str) -> tuple[int, dict]:
        """(version, {event id: fact}) of one conversation or ticket (consistent read)."""
        got = self._get_client().get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": {"S": subject}, "sk": {"S": "state"}}).get("Item")
        if not got:
            return 0, {}
        facts = {k[2:]: json.loads(v["S"]) for k, v in got.items() if k.startswith("e:")}
        return int(got.get("v", {}).get("N", "0")), facts

    def record(self, subject: str, site_key: str, event_id: str, fact: dict,
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
                Key={"pk": {"S": subject}, "sk": {"S": "state"}},
                UpdateExpression="SET #e = :f, v = :v1, site = :site, expires_at = :exp",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#e": "e:" + event_id},
                ExpressionAttributeValues=values)
        except client.exceptions.ConditionalCheckFailedException:
            raise StateMoved(event_id)

    def forget(self, subject: str, event_id: str, version: int) -> None:
        """Undo `record` (the bucket write failed): the retry will count the event."""
        client = self._get_client()
        try:
            client.update_item(
                TableName=self.table,
                Key={"pk": {"S": subject}, "sk": {"S": "state"}},
                UpdateExpression="REMOVE #e SET v = :v2", ConditionExpression="v = :v1",
                ExpressionAttributeNames={"#e": "e:" + event_id},
                ExpressionAttributeValues={":v1": {"N": str(version + 1)},
                                           ":v2": {"N": str(version + 2)}})
        except client.exceptions.ConditionalCheckFailedException:
            pass   # someone moved on from our write: their delta included ours

    # ------------------------------------------------------------ buckets
    def _key(self, site_key: str, kind: str, day: str) -> dict:
        return {"pk": {"S": f"site#{site_key}"}, "sk": {"S": f"{kind}#{day}"}}

    def add(self, site_key: str, day: str, counters: dict[str, int]) -> int:
        """ADD every counter of one day bucket in one UpdateItem (on condition the day is not
        sealed). A sealed day (an event later than its summary) takes the ADD and loses its
        summary in one transaction. Returns the number of item writes."""
        names, values, parts = {"#ver": "ver"}, {":one": {"N": "1"}}, ["#ver :one"]
        for i, (attr, value) in enumerate(sorted(counters.items())):
            names[f"#a{i}"] = attr
            values[f":v{i}"] = {"N": str(int(value))}
            parts.append(f"#a{i} :v{i}")
        client = self._get_client()
        update = {"TableName": self.table, "Key": self._key(site_key, "day", day),
                  "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        try:
            client.update_item(UpdateExpression="ADD " + ", ".join(parts),
                               ConditionExpression="attribute_not_exists(sealed)", **update)
            return 1
        except client.exceptions.ConditionalCheckFailedException:
            pass
        client.transact_write_items(TransactItems=[
            {"Update": {"UpdateExpression": "ADD " + ", ".join(parts) + " REMOVE sealed",
                        **update}},
            {"Delete": {"TableName": self.table, "Key": self._key(site_key, "sum", day)}}])
        return 2

    def summaries(self, site_key: str, days: list[str], hours: bool = False
                  ) -> dict[str, dict]:
        """{day: counters} of the days that have a summary; the part kept apart ("hours") is
        read and merged in only when asked for (a projection: the rest is not transferred)."""
        names = {"#d": "data", "#s": "sk"}
        if hours:
            names["#h"] = "hours"
        got = self._batch_get([self._key(site_key, "sum", d) for d in days],
                              projection=", ".join(names), names=names)
        return {item["sk"]["S"][4:]: {**json.loads(item["data"]["S"]),
                                      **(json.loads(item["hours"]["S"])
                                         if "hours" in item else {})} for item in got}

    def seal(self, site_key: str, day: str, counters: dict, summary: dict | None = None,
             hours: dict | None = None) -> bool:
        """Write the summary of a day read at version counters["ver"] (`summary`, else its
        non-zero counters; `hours`, a part stored apart and read only on request), and mark
        the day sealed, in one transaction (False: the day changed since it was read)."""
        version = int(counters.get("ver") or 0)
        data = summary if summary is not None else {
            k: v for k, v in counters.items() if v and k not in ("ver", "sealed")}
        apart = {"hours": {"S": json.dumps(hours, separators=(",", ":"))}} if hours else {}
        client = self._get_client()
        try:
            client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table, "Key": self._key(site_key, "day", day),
                            "UpdateExpression": "SET sealed = :t",
                            "ConditionExpression": "ver = :v",
                            "ExpressionAttributeValues": {":t": {"BOOL": True},
                                                          ":v": {"N": str(version)}}}},
                {"Put": {"TableName": self.table,
                         "Item": {**self._key(site_key, "sum", day),
                                  "data": {"S": json.dumps(data, separators=(",", ":"))},
                                  **apart, "ver": {"N": str(version)}}}}])
            return True
        except client.exceptions.TransactionCanceledException:
            return False

    def days(self, site_key: str, days: list[str]) -> dict[str, dict]:
        """{day: {attribute: number}} of the live day buckets that exist."""
        got = self._batch_get([self._key(site_key, "day", d) for d in days])
        return {item["sk"]["S"][4:]: {k: _num(v) for k, v in item.items()
                                      if k not in ("pk", "sk", "sealed")} for item in got}

    def _batch_get(self, keys: list[dict], projection: str | None = None,
                   names: dict | None = None) -> list[dict]:
        """BatchGetItem, 100 keys a request; unprocessed keys are retried a bounded number of
        times."""
        out = []
        client = self._get_client()
        shape = {"ProjectionExpression": projection,
                 "ExpressionAttributeNames": names} if projection else {}
        for start in range(0, len(keys), BATCH_KEYS):
            request = {self.table: {"Keys": keys[start:start + BATCH_KEYS], **shape}}
            for attempt in range(8):
                got = client.batch_get_item(RequestItems=request)
                out += got.get("Responses", {}).get(self.table, [])
                request = got.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.5, 0.02 * 2 ** attempt))
        return out

    # ------------------------------------------------------------ agent presence time
    # ("agent#{agent}", "presence"): the status an agent is in and since when (ms);
    # ("presence", "day#{UTC day}"): ms per UTC hour, status and agent (domain/presence_time)
    def presence_state(self, agent_id: str) -> tuple[str, int] | None:
        """(status, since) of the agent's last counted change (consistent read)."""
        got = self._get_client().get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": {"S": f"agent#{agent_id}"}, "sk": {"S": "presence"}}).get("Item")
        if not got:
            return None
        return got["status"]["S"], int(got["since"]["N"])

    def presence_move(self, agent_id: str, status: str, at: int, since: int | None) -> None:
        """Record the change to `status` at `at`, on condition the stored change is still
        the one read (`since`, None: no state yet); StateMoved otherwise."""
        values = {":s": {"S": status}, ":at": {"N": str(at)}}
        if since is None:
            condition = "attribute_not_exists(since)"
        else:
            condition = "since = :prev"
            values[":prev"] = {"N": str(since)}
        client = self._get_client()
        try:
            client.update_item(
                TableName=self.table,
                Key={"pk": {"S": f"agent#{agent_id}"}, "sk": {"S": "presence"}},
                UpdateExpression="SET #st = :s, since = :at",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#st": "status"}, ExpressionAttributeValues=values)
        except client.exceptions.ConditionalCheckFailedException:
            raise StateMoved(f"{agent_id}@{at}")

    def presence_add(self, utc_day: str, counters: dict[str, int]) -> None:
        """ADD the milliseconds of one UTC day's presence bucket (one UpdateItem)."""
        names, values, parts = {}, {}, []
        for i, (name, value) in enumerate(sorted(counters.items())):
            names[f"#a{i}"] = name
            values[f":v{i}"] = {"N": str(int(value))}
            parts.append(f"#a{i} :v{i}")
        self._get_client().update_item(
            TableName=self.table, Key={"pk": {"S": "presence"}, "sk": {"S": f"day#{utc_day}"}},
            UpdateExpression="ADD " + ", ".join(parts),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def presence_days(self, utc_days: list[str]) -> dict[str, dict]:
        """{UTC day: {attribute: ms}} of the presence buckets that exist (BatchGetItem)."""
        got = self._batch_get([{"pk": {"S": "presence"}, "sk": {"S": f"day#{d}"}}
                               for d in utc_days])
        return {item["sk"]["S"][4:]: {k: _num(v) for k, v in item.items()
                                      if k not in ("pk", "sk")} for item in got}

"""Chat records in the reports table (low-level DynamoDB calls; Query and BatchGetItem only,
never a full-table read). Item types (docs/reports.md, "Chat records"):

- ("rec#{site}", "{started_at:013d}#{conversation}"): one record per conversation (its facts,
  chalicelib/domain/records.record_of), rewritten on condition its `rev` is not newer;
- ("tok#{site}#{token}", "{started_at:013d}#{conversation}"): one posting per conversation and
  token of its messages (keys only, BatchWriteItem: writing one twice is harmless);
- ("export#{id}", "job"): a background export (status, its owner, the S3 key when done).

Every item carries the conversation's `expires_at` (the site's retention) as TTL.
"""
from __future__ import annotations

import json
import time

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

BATCH_GET = 100
BATCH_WRITE = 25
QUERY_PAGE = 500


def _s(v) -> dict:
    return {"S": v}


class RecordsRepo(LazyClient):
    service = "dynamodb"

    def client_kwargs(self) -> dict:
        return {"endpoint_url": config.dynamodb_endpoint()}

    @property
    def table(self) -> str:
        return config.TABLES["reports"]

    # ------------------------------------------------------------ records
    def put_record(self, sk: str, record: dict, expires_at: int | None) -> bool:
        """Write a record unless a newer revision is stored (False: it was)."""
        item = {"pk": _s(f"rec#{record['site_key']}"), "sk": _s(sk),
                "rev": {"N": str(int(record["rev"]))},
                "data": _s(json.dumps(record, ensure_ascii=False, separators=(",", ":")))}
        if expires_at:
            item["expires_at"] = {"N": str(int(expires_at))}
        client = self._get_client()
        try:
            client.put_item(TableName=self.table, Item=item,
                            ConditionExpression="attribute_not_exists(rev) OR rev <= :r",
                            ExpressionAttributeValues={":r": item["rev"]})
            return True
        except client.exceptions.ConditionalCheckFailedException:
            return False

    def records(self, site_key: str, sks: list[str]) -> dict[str, dict]:
        """{sort key: record} of the keys that exist (BatchGetItem, 100 keys a request)."""
        keys = [{"pk": _s(f"rec#{site_key}"), "sk": _s(sk)} for sk in sks]
        return {i["sk"]["S"]: json.loads(i["data"]["S"]) for i in self._batch_get(keys)}

    def record_page(self, site_key: str, lo: str, hi: str, limit: int,
                    start: dict | None = None) -> tuple[list[tuple[str, dict]], dict | None]:
        """Records with lo <= sort key < hi, newest first: ([(sk, record)], next start)."""
        got = self._query(f"rec#{site_key}", lo, hi, limit, start, keys_only=False)
        items = [(i["sk"]["S"], json.loads(i["data"]["S"])) for i in got["Items"]
                 if i["sk"]["S"] < hi]
        return items, got.get("LastEvaluatedKey")

    # ------------------------------------------------------------ postings
    def put_postings(self, site_key: str, sk: str, tokens: list[str],
                     expires_at: int | None) -> int:
        """One posting per token (BatchWriteItem, 25 a request). Returns the requests made."""
        requests = 0
        client = self._get_client()
        for start in range(0, len(tokens), BATCH_WRITE):
            puts = []
            for token in tokens[start:start + BATCH_WRITE]:
                item = {"pk": _s(f"tok#{site_key}#{token}"), "sk": _s(sk)}
                if expires_at:
                    item["expires_at"] = {"N": str(int(expires_at))}
                puts.append({"PutRequest": {"Item": item}})
            pending = {self.table: puts}
            for attempt in range(8):
                requests += 1
                pending = client.batch_write_item(RequestItems=pending).get(
                    "UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.5, 0.02 * 2 ** attempt))
            if pending:
                raise RuntimeError("postings left unprocessed")
        return requests

    def postings(self, site_key: str, token: str, lo: str, hi: str,
                 budget: int) -> tuple[list[str], bool]:
        """Sort keys of a token's postings with lo <= key < hi, newest first, at most
        `budget` of them: (keys, truncated)."""
        keys, start = [], None
        while len(keys) < budget:
            got = self._query(f"tok#{site_key}#{token}", lo, hi,
                              min(QUERY_PAGE, budget - len(keys) + 1), start, keys_only=True)
            keys += [i["sk"]["S"] for i in got["Items"] if i["sk"]["S"] < hi]
            start = got.get("LastEvaluatedKey")
            if not start:
                return keys[:budget], len(keys) > budget
        return keys[:budget], True

    # ------------------------------------------------------------ export jobs
    def put_job(self, job_id: str, job: dict, expires_at: int) -> None:
        self._get_client().put_item(
            TableName=self.table,
            Item={"pk": _s(f"export#{job_id}"), "sk": _s("job"),
                  "data": _s(json.dumps(job, ensure_ascii=False, separators=(",", ":"))),
                  "expires_at": {"N": str(int(expires_at))}})

    def get_job(self, job_id: str) -> dict | None:
        got = self._get_client().get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": _s(f"export#{job_id}"), "sk": _s("job")}).get("Item")
        return json.loads(got["data"]["S"]) if got else None

    # ------------------------------------------------------------ low level
    def _query(self, pk: str, lo: str, hi: str, limit: int, start: dict | None,
               keys_only: bool) -> dict:
        kwargs = {"TableName": self.table, "ScanIndexForward": False, "Limit": limit,
                  "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
                  "ExpressionAttributeValues": {":p": _s(pk), ":lo": _s(lo), ":hi": _s(hi)}}
        if keys_only:
            kwargs["ProjectionExpression"] = "sk"
        if start:
            kwargs["ExclusiveStartKey"] = start
        return self._get_client().query(**kwargs)

    def _batch_get(self, keys: list[dict]) -> list[dict]:
        out = []
        client = self._get_client()
        for start in range(0, len(keys), BATCH_GET):
            request = {self.table: {"Keys": keys[start:start + BATCH_GET]}}
            for attempt in range(8):
                got = client.batch_get_item(RequestItems=request)
                out += got.get("Responses", {}).get(self.table, [])
                request = got.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.5, 0.02 * 2 ** attempt))
        return out

"""The audit log table: PutItem (conditional: never overwrites) and Query, nothing else.
The functions' IAM policies allow only those two calls on it, so the log is append-only."""
from __future__ import annotations

from chalicelib.adapters import models as m
from chalicelib.adapters.cursor import pack, unpack
from chalicelib.adapters.dynamo import to_dict


def encode_cursor(key: dict) -> str:
    return pack(key)


def decode_cursor(cursor: str) -> dict | None:
    key = unpack(cursor)
    if not isinstance(key, dict) or not isinstance(key.get("pk"), str) or \
            not isinstance(key.get("sk"), str):
        return None
    return {"pk": key["pk"], "sk": key["sk"]}


class AuditRepo:
    def append(self, entry: dict) -> dict:
        item = m.AuditItem(**entry)
        item.save(condition=m.AuditItem.sk.does_not_exist())
        return to_dict(item)

    def page(self, pk: str, sk_from: str, sk_to: str, limit: int,
             after_sk: str | None = None, actor_id: str | None = None,
             action: str | None = None) -> tuple[list[dict], str | None]:
        """Newest first, one Query on one month's partition, sort keys within [sk_from,
        sk_to]; filters on actor and action. Returns the items and the sort key to continue
        after (None when this partition is exhausted)."""
        cond = None
        if actor_id:
            cond = m.AuditItem.actor_id == actor_id
        if action:
            f = m.AuditItem.action == action
            cond = f if cond is None else cond & f
        kwargs = {"scan_index_forward": False, "limit": limit, "filter_condition": cond}
        if after_sk:
            kwargs["last_evaluated_key"] = {"pk": {"S": pk}, "sk": {"S": after_sk}}
        result = m.AuditItem.query(pk, m.AuditItem.sk.between(sk_from, sk_to), **kwargs)
        items = [to_dict(i) for i in result]
        last = result.last_evaluated_key
        return items, (last["sk"]["S"] if last else None)

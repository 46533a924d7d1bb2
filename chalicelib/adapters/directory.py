"""Small administrative records in the directory table: teams, canned responses, sites.

Hash key `kind` ("team" | "canned" | "site"), range key `id`, the record in `data` (JSON).
Listing a kind is one Query on its partition; nothing here scans a table.
"""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, DeleteError

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import _conditional_failed, now_ms
from chalicelib.errors import Conflict, NotFound

KINDS = ("team", "canned", "site", "channel")   # channel: adapters/channels.py


class DirectoryRepo:
    def get(self, kind: str, item_id: str) -> dict | None:
        try:
            item = m.DirectoryItem.get(kind, item_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _view(item)

    def list(self, kind: str, limit: int = 500) -> list[dict]:
        return [_view(i) for i in m.DirectoryItem.query(kind, limit=limit)]

    def create(self, kind: str, item_id: str, data: dict) -> dict:
        """Insert a new record; Conflict if the id is taken."""
        item = m.DirectoryItem(kind=kind, id=item_id, data=data, updated_at=now_ms())
        try:
            item.save(condition=m.DirectoryItem.id.does_not_exist())
        except PutError as exc:
            if _conditional_failed(exc):
                raise Conflict(f"A {kind} with this id already exists.", code=f"{kind}_exists")
            raise
        return _view(item)

    def put(self, kind: str, item_id: str, data: dict) -> dict:
        """Insert or replace (used to mirror site records)."""
        item = m.DirectoryItem(kind=kind, id=item_id, data=data, updated_at=now_ms())
        item.save()
        return _view(item)

    def replace(self, kind: str, item_id: str, data: dict) -> dict:
        """Replace an existing record; NotFound if it does not exist."""
        item = m.DirectoryItem(kind=kind, id=item_id, data=data, updated_at=now_ms())
        try:
            item.save(condition=m.DirectoryItem.id.exists())
        except PutError as exc:
            if _conditional_failed(exc):
                raise NotFound(f"No such {kind}.", code=f"{kind}_not_found")
            raise
        return _view(item)

    def delete(self, kind: str, item_id: str) -> None:
        try:
            m.DirectoryItem(kind, item_id).delete(condition=m.DirectoryItem.id.exists())
        except DeleteError as exc:
            if _conditional_failed(exc):
                raise NotFound(f"No such {kind}.", code=f"{kind}_not_found")
            raise


def _view(item) -> dict:
    data = dict(item.data or {})
    data["id"] = item.id
    if item.updated_at is not None:
        data["updated_at"] = int(item.updated_at)
    return data

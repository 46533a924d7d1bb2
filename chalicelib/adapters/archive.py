"""The analysts' archive bucket (S3): JSON Lines objects by site and day (domain/archive.py),
written at most once each (PutObject with If-None-Match: *), deleted by day prefix."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

LIST_PAGE = 1000


class ArchiveStore(LazyClient):
    service = "s3"

    def __init__(self, bucket: str | None = None, session=None):
        super().__init__(session)
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        return self._bucket or config.archive_bucket()

    def client_kwargs(self) -> dict:
        from botocore.config import Config
        return {"endpoint_url": config.s3_endpoint(),
                "config": Config(signature_version="s3v4", s3={"addressing_style": "path"})}

    def put_once(self, key: str, data: bytes) -> bool:
        """Write the object unless it exists (False: it did; nothing written)."""
        client = self._get_client()
        try:
            client.put_object(Bucket=self.bucket, Key=key, Body=data, IfNoneMatch="*",
                              ContentType="application/x-ndjson")
            return True
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed",
                                                              "ConditionalRequestConflict"):
                return False
            raise

    def delete_prefix(self, prefix: str, max_pages: int = 100) -> int:
        """Delete every object under a prefix (ListObjectsV2 + DeleteObjects, 1,000 a page).
        Returns the number deleted."""
        client = self._get_client()
        deleted = 0
        for _ in range(max_pages):
            got = client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=LIST_PAGE)
            keys = [{"Key": o["Key"]} for o in got.get("Contents", [])]
            if not keys:
                break
            client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
            deleted += len(keys)
            if not got.get("IsTruncated"):
                break
        return deleted

"""S3 for the email channel: raw inbound mail (SES receipt rule -> the mail bucket) and the
files mail carries in or out (the attachments bucket, under the attachment key rules)."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient


class MailTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(f"mail of {size} bytes")
        self.size = size


class MailStore(LazyClient):
    service = "s3"

    def client_kwargs(self) -> dict:
        from botocore.config import Config
        return {"endpoint_url": config.s3_endpoint(),
                "config": Config(signature_version="s3v4", s3={"addressing_style": "path"})}

    def read_raw(self, bucket: str, key: str, max_bytes: int) -> bytes | None:
        """The raw mail (one GetObject); None if it is gone; MailTooLarge past max_bytes
        (the body is not read)."""
        client = self._get_client()
        try:
            resp = client.get_object(Bucket=bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        size = int(resp.get("ContentLength") or 0)
        with resp["Body"] as body:
            if size > max_bytes:
                raise MailTooLarge(size)
            data = body.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise MailTooLarge(len(data))
        return data

    def put_raw(self, bucket: str, key: str, raw: bytes) -> None:
        """What SES's S3 action does (the local inject command and tests)."""
        self._get_client().put_object(Bucket=bucket, Key=key, Body=raw,
                                      ContentType="message/rfc822")

    def put_attachment(self, key: str, data: bytes, content_type: str) -> None:
        self._get_client().put_object(Bucket=config.attachments_bucket(), Key=key, Body=data,
                                      ContentType=content_type)

    def get_attachment(self, key: str, max_bytes: int) -> bytes | None:
        """A stored attachment for an outbound mail; None if missing or over max_bytes."""
        client = self._get_client()
        try:
            resp = client.get_object(Bucket=config.attachments_bucket(), Key=key)
        except client.exceptions.NoSuchKey:
            return None
        with resp["Body"] as body:
            if int(resp.get("ContentLength") or 0) > max_bytes:
                return None
            return body.read(max_bytes + 1)

    # once-only records of the email channel, in the keys table
    def recorded(self, key: str) -> str | None:
        """The value recorded under key (e.g. the Message-ID a comment was sent with)."""
        from pynamodb.exceptions import DoesNotExist
        from chalicelib.adapters import models as m
        try:
            return m.Key.get(key, consistent_read=True).value
        except DoesNotExist:
            return None

    def record(self, key: str, value: str, ttl_days: int = 90) -> None:
        from chalicelib.adapters import models as m
        from chalicelib.adapters.dynamo import _ttl_days
        m.Key(key=key, value=value, expires_at=_ttl_days(ttl_days)).save()

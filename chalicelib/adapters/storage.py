"""Private S3 bucket for attachments: presigned upload (POST policy) and download URLs.

Presigning is computed locally: it costs no AWS request."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

UPLOAD_EXPIRES = 300
DOWNLOAD_EXPIRES = 3600


class AttachmentStore(LazyClient):
    service = "s3"

    def __init__(self, bucket: str | None = None, session=None):
        super().__init__(session)
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        return self._bucket or config.attachments_bucket()

    def client_kwargs(self) -> dict:
        from botocore.config import Config
        return {"endpoint_url": config.s3_endpoint(),
                "config": Config(signature_version="s3v4", s3={"addressing_style": "path"})}

    def presign_upload(self, key: str, content_type: str, max_bytes: int) -> dict:
        return self._get_client().generate_presigned_post(
            Bucket=self.bucket, Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type},
                        ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_EXPIRES)

    def presign_download(self, key: str, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            safe = filename.replace('"', "")
            params["ResponseContentDisposition"] = f'inline; filename="{safe}"'
        return self._get_client().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=DOWNLOAD_EXPIRES)

    def delete(self, key: str) -> None:
        """Remove an attachment (privacy erasure); deleting a missing key is not an error."""
        self._get_client().delete_object(Bucket=self.bucket, Key=key)

    def head_bytes(self, key: str, count: int) -> bytes | None:
        """The object's first ``count`` bytes (one ranged GetObject); None if it is missing."""
        client = self._get_client()
        try:
            resp = client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{count - 1}")
        except client.exceptions.NoSuchKey:
            return None
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "InvalidRange"):
                return None
            raise
        with resp["Body"] as body:
            return body.read(count)

    def read_bytes(self, key: str, limit: int = 10 * 1024 * 1024) -> bytes:
        """An attachment's content, at most `limit` bytes (channel delivery re-uploads images
        to WeChat's temporary media)."""
        resp = self._get_client().get_object(Bucket=self.bucket, Key=key,
                                             Range=f"bytes=0-{limit - 1}")
        with resp["Body"] as body:
            return body.read(limit)

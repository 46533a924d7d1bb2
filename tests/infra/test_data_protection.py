"""Data protections in the data stack (infra/template.yaml)."""
from pathlib import Path

from infra.resources import load_template

ROOT = Path(__file__).resolve().parents[2]
DATA = load_template(ROOT / "infra" / "template.yaml")["Resources"]


def test_the_attachments_bucket_refuses_plain_http():
    policy = DATA["AttachmentsBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "AttachmentsBucket"}
    deny = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert len(deny) == 1 and deny[0]["Principal"] == "*" and deny[0]["Action"] == "s3:*"
    assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny[0]["Resource"] == [{"GetAtt": "AttachmentsBucket.Arn"},
                                   {"Sub": "${AttachmentsBucket.Arn}/*"}]
    bucket = DATA["AttachmentsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())

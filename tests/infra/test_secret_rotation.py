"""`python -m infra.deploy rotate-token-secret` on moto's Secrets Manager."""
import json

import boto3
from moto import mock_aws

from chalicelib.adapters.secrets import parse
from infra.secret_rotation import rotate


def test_rotation_puts_a_new_current_and_keeps_the_old_keys():
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        arn = sm.create_secret(Name="parley-dev-token-secret", SecretString="k0")["ARN"]
        logs = []
        session = boto3.session.Session(region_name="us-east-1")
        for _ in range(3):
            rotate(session, arn, log=logs.append)
        keys = parse(sm.get_secret_value(SecretId=arn)["SecretString"])
        assert len(keys) == 3 and keys[-1] != "k0" and len(set(keys)) == 3
        doc = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
        assert set(doc) == {"current", "previous"} and len(doc["previous"]) == 2
        assert not any(k in line for line in logs for k in keys)     # no key is printed

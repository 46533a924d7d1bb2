"""The token secret's rotation schedule (app.py rotate_token_secret, every 30 days) on moto:
a new signing key, the previous ones kept verifying, and every site's identity secret
re-sealed under the new key with its value unchanged."""
import json

import boto3

from chalicelib.adapters import secrets
from chalicelib.adapters.site_secrets import sealing_keys
from chalicelib.sealing import key_id, open_sealed
from chalicelib.services import secret_rotation, sites


def test_the_schedule_rotates_the_key_and_reseals_site_secrets(deps, site, monkeypatch):
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    old_key = "k" * 48
    arn = sm.create_secret(Name="parley-test-token-rotation",
                           SecretString=json.dumps({"current": old_key}))["ARN"]
    monkeypatch.delenv("PARLEY_TOKEN_SECRET", raising=False)
    monkeypatch.setenv("PARLEY_TOKEN_SECRET_ARN", arn)
    monkeypatch.setattr(secrets, "_rings", {})
    monkeypatch.setattr(deps, "sealing_keys", sealing_keys)
    created = sites.create_site(deps, "rot", "Rotation")
    before_keys = sealing_keys()
    plain = open_sealed(created["identity_secret"], before_keys)

    out = secret_rotation.rotate_token_secret(deps)

    doc = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
    assert out["rotated"] and out["previous_keys"] == 1 and out["resealed_sites"] >= 1
    assert doc["current"] != old_key and doc["previous"] == [old_key]
    after_keys = sealing_keys()
    assert after_keys[1:] == before_keys            # the old key still opens what it sealed
    stored = deps.sites.get("rot")["identity_secret"]
    assert stored.startswith(f"sealed:v1:{key_id(after_keys[0])}:")
    assert open_sealed(stored, after_keys[:1]) == plain     # the new key alone opens it


def test_nothing_to_rotate_when_the_secret_comes_from_the_environment(deps):
    assert secret_rotation.rotate_token_secret(deps) == {"rotated": False}

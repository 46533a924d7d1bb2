"""Rotating the token secret signs nobody out (chalicelib/adapters/secrets.py,
chalicelib/security.py). A simulated clock and an in-memory secret: no AWS."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters.secrets import KeyRing, parse, rotated
from chalicelib.errors import Unauthorized
from chalicelib.security import TokenSigner


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class Secret:
    """The secret as Secrets Manager holds it; counts reads."""

    def __init__(self, raw):
        self.raw, self.reads = raw, 0

    def __call__(self):
        self.reads += 1
        return self.raw


def container(secret, clock):
    ring = KeyRing(secret, ttl=300, min_refresh=30, clock=clock)
    return TokenSigner(ring.keys, refresh=ring.refresh), ring


def test_rotated_documents_keep_the_old_keys_for_a_while():
    doc = rotated("k0-ssssssssssssssssssssssssssssssss", new_key="k1-ssssssssssssssssssssssssssssssss")
    assert json.loads(doc) == {"current": "k1-ssssssssssssssssssssssssssssssss", "previous": ["k0-ssssssssssssssssssssssssssssssss"]}
    doc = rotated(rotated(rotated(doc, "k2-ssssssssssssssssssssssssssssssss"), "k3-ssssssssssssssssssssssssssssssss"), "k4-ssssssssssssssssssssssssssssssss")
    assert parse(doc) == ["k4-ssssssssssssssssssssssssssssssss", "k3-ssssssssssssssssssssssssssssssss", "k2-ssssssssssssssssssssssssssssssss"]              # two previous keys by default
    assert parse(rotated(doc, keep=0)) [1:] == []
    assert len(parse(rotated("k0-ssssssssssssssssssssssssssssssss"))[0]) >= 48             # a generated key is long


def test_a_rotation_signs_nobody_out_across_containers():
    clock, secret = Clock(), Secret(json.dumps({"current": "k0-ssssssssssssssssssssssssssssssss", "previous": []}))
    old_container, _ = container(secret, clock)
    visitor_token, _ = old_container.sign({"typ": "visitor", "sub": "v1"}, 3600)

    secret.raw = rotated(secret.raw, new_key="k1-ssssssssssssssssssssssssssssssss")       # the rotation
    clock.t += 1
    new_container, _ = container(secret, clock)
    agent_token, _ = new_container.sign({"typ": "agent", "sub": "a1"}, 3600)

    # the new container still accepts tokens signed before the rotation
    assert new_container.verify(visitor_token, "visitor")["sub"] == "v1"
    # the old container has cached k0 only, but rereads once when a token it cannot verify
    # arrives, and accepts the token signed with the new key
    reads = secret.reads
    clock.t += 60
    assert old_container.verify(agent_token, "agent")["sub"] == "a1"
    assert secret.reads == reads + 1
    # and from then on signs with the new key
    token, _ = old_container.sign({"typ": "visitor", "sub": "v2"}, 3600)
    assert new_container.verify(token, "visitor")["sub"] == "v2"


def test_forged_tokens_do_not_make_every_request_reread_the_secret():
    clock, secret = Clock(), Secret("k0-ssssssssssssssssssssssssssssssss")
    signer, _ = container(secret, clock)
    forged = TokenSigner(["not-the-key-ssssssssssssssssssssssssssssssss"]).sign({"typ": "visitor", "sub": "x"}, 60)[0]
    signer.verify(TokenSigner(["k0-ssssssssssssssssssssssssssssssss"]).sign({"typ": "visitor", "sub": "v"}, 60)[0], "visitor")
    reads = secret.reads
    for _ in range(100):
        with pytest.raises(Unauthorized) as err:
            signer.verify(forged, "visitor")
        assert err.value.code == "invalid_token"
        clock.t += 0.1
    assert secret.reads == reads                          # within MIN_REFRESH: no reread
    clock.t += 30
    with pytest.raises(Unauthorized):
        signer.verify(forged, "visitor")
    assert secret.reads == reads + 1                      # one reread, then refused


def test_keys_are_reread_after_the_ttl():
    clock, secret = Clock(), Secret("k0-ssssssssssssssssssssssssssssssss")
    ring = KeyRing(secret, ttl=300, min_refresh=30, clock=clock)
    assert ring.keys() == ["k0-ssssssssssssssssssssssssssssssss"] and ring.keys() == ["k0-ssssssssssssssssssssssssssssssss"] and secret.reads == 1
    secret.raw = rotated("k0-ssssssssssssssssssssssssssssssss", new_key="k1-ssssssssssssssssssssssssssssssss")
    clock.t += 299
    assert ring.keys() == ["k0-ssssssssssssssssssssssssssssssss"]
    clock.t += 1
    assert ring.keys() == ["k1-ssssssssssssssssssssssssssssssss", "k0-ssssssssssssssssssssssssssssssss"] and secret.reads == 2


def test_fixed_keys_still_work():
    signer = TokenSigner(["new-ssssssssssssssssssssssssssssssss", "old-ssssssssssssssssssssssssssssssss"])
    old = TokenSigner(["old-ssssssssssssssssssssssssssssssss"]).sign({"typ": "agent", "sub": "a"}, 60)[0]
    assert signer.verify(old, "agent")["sub"] == "a"
    with pytest.raises(ValueError):
        TokenSigner([""])

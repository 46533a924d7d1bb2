"""PARLEY_AWS_POOL_SIZE: the local runtime's one process serves many handlers at once, so its
AWS clients keep as many connections as it has threads; unset (Lambda), the libraries'
default stays."""
from __future__ import annotations

from chalicelib import config
from chalicelib.adapters.archive import ArchiveStore
from chalicelib.adapters.aws import LazyClient


class _Sqs(LazyClient):
    service = "sqs"


def test_the_pool_size_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("PARLEY_AWS_POOL_SIZE", raising=False)
    assert config.aws_pool_size() is None
    for bad in ("", "0", "-3", "many"):
        monkeypatch.setenv("PARLEY_AWS_POOL_SIZE", bad)
        assert config.aws_pool_size() is None
    monkeypatch.setenv("PARLEY_AWS_POOL_SIZE", "80")
    assert config.aws_pool_size() == 80


def test_a_client_keeps_that_many_connections_and_its_own_config(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("PARLEY_AWS_POOL_SIZE", raising=False)
    assert _Sqs()._get_client().meta.config.max_pool_connections == 10
    monkeypatch.setenv("PARLEY_AWS_POOL_SIZE", "80")
    assert _Sqs()._get_client().meta.config.max_pool_connections == 80
    s3 = ArchiveStore()._get_client().meta.config          # a client with a config of its own
    assert s3.max_pool_connections == 80
    assert s3.signature_version == "s3v4" and s3.s3 == {"addressing_style": "path"}


def test_the_tables_models_keep_that_many_connections(monkeypatch):
    from chalicelib.adapters import models
    monkeypatch.delenv("PARLEY_AWS_POOL_SIZE", raising=False)
    assert not hasattr(models._meta("conversations"), "max_pool_connections")
    monkeypatch.setenv("PARLEY_AWS_POOL_SIZE", "80")
    assert models._meta("conversations").max_pool_connections == 80

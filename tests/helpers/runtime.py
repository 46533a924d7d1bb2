"""The local runtime as a pytest fixture (for tests/e2e and tests/browser).

Use it from a conftest:  `from tests.helpers.runtime import local_runtime  # noqa: F401`.
The runtime runs in a subprocess with free ports, the demo site and admin seeded, and the
test-only hooks on; one instance per test session.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from infra.local.runtime import LocalStack

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RUNTIME_LOG = ARTIFACTS / "local-runtime.log"


def start_runtime(**kwargs) -> LocalStack:
    ARTIFACTS.mkdir(exist_ok=True)
    kwargs.setdefault("log_path", RUNTIME_LOG)
    kwargs.setdefault("env", {"PARLEY_BCRYPT_ROUNDS": os.environ.get("PARLEY_BCRYPT_ROUNDS",
                                                                     "4")})
    return LocalStack(**kwargs).start()


@pytest.fixture(scope="session")
def local_runtime():
    """A running LocalStack: .base_url, .api_url, .ws_url, .moto_url, .credentials."""
    rt = start_runtime()
    try:
        yield rt
    finally:
        rt.stop()

"""Fixtures for the deployment checks: a fresh moto account with the data stack per test
(these tests create and delete stacks, functions and buckets, so nothing is shared)."""
import pytest
from moto import mock_aws

from chalicelib.adapters import models


def _reset_pynamodb():
    for model in models.ALL_MODELS:
        model._connection = None


@pytest.fixture
def aws():
    with mock_aws():
        _reset_pynamodb()
        from infra.resources import deploy_stack
        outputs = deploy_stack(stage="dev")
        yield outputs
        _reset_pynamodb()

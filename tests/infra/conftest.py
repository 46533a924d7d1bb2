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


RECORDED = "test_operations_recorded_in_the_integration_tests_are_allowed"


def pytest_collection_finish(session):
    """The recorded integration run (tests/infra/test_recorded_operations.py) is a subprocess
    that mostly waits: once the selection is final, start it so it overlaps the other checks,
    and check it last."""
    items = session.items
    recorded = [i for i in items if i.name == RECORDED]
    if not recorded or session.config.option.collectonly:
        return
    for item in recorded:
        items.remove(item)
        items.append(item)
    if not any(m.name == "skipif" and m.args and m.args[0]
               for m in recorded[0].iter_markers()):
        from tests.infra.test_recorded_operations import start_recorded_run
        session.config._parley_recorded_run = start_recorded_run()


def pytest_unconfigure(config):
    """A run the test never collected (-x stopped early, interrupted): stop it."""
    run = getattr(config, "_parley_recorded_run", None)
    if run and run["proc"].poll() is None:
        run["proc"].kill()
        run["proc"].wait()

"""Test environment: fake AWS credentials, a test signing key, fast bcrypt, fast polling."""
import os

import pytest

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "PARLEY_STAGE": "dev",
    "PARLEY_TOKEN_SECRET": "test-secret-key-that-is-long-enough-for-hs256-0123456789",
    "PARLEY_BCRYPT_ROUNDS": "4",
    "PARLEY_WS_ENDPOINT": "https://testapi.execute-api.us-east-1.amazonaws.com/ws",
    "PARLEY_POLL_INTERVAL": "0.05",
    "PARLEY_LOG_LEVEL": "WARNING",
    # botocore's account-based endpoints (123456789012.streams-ddb...) are not routed by
    # moto's in-process mock: use the regional ones
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    # flows in the tests call stub servers on 127.0.0.1 (as `make run` calls its demo orders)
    "PARLEY_ALLOW_LOOPBACK_ENDPOINTS": "1",
    # agent/admin routes answer this origin only (tests/unit/test_cors.py)
    "PARLEY_CONSOLE_ORIGIN": "https://console.parley.test",
    # places in line: pushed by a task published at once on each change instead of once per
    # 2 s window (delayed SQS messages would wait on the wall clock); the window itself is
    # tested in tests/integration/test_routing_load.py
    "PARLEY_POSITION_WINDOW_SECONDS": "0",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


# A failed test that used the local runtime (tests/e2e, tests/browser) reports what the
# runtime logged while it ran: CI keeps no other trace of a race seen once.
RUNTIME_LOG_LINES = 150
_LOG_AT = pytest.StashKey[int]()


def pytest_runtest_setup(item):
    from tests.helpers.runtime import RUNTIME_LOG
    item.stash[_LOG_AT] = RUNTIME_LOG.stat().st_size if RUNTIME_LOG.exists() else 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when != "call" or not report.failed or "local_runtime" not in item.fixturenames \
            and "runtime" not in item.fixturenames:
        return
    from tests.helpers.runtime import RUNTIME_LOG
    if not RUNTIME_LOG.exists():
        return
    with RUNTIME_LOG.open("rb") as log:
        log.seek(item.stash.get(_LOG_AT, 0))
        lines = log.read().decode("utf-8", "replace").splitlines()
    report.sections.append((f"local runtime log during the test (last {RUNTIME_LOG_LINES} "
                            f"of {len(lines)} lines)", "\n".join(lines[-RUNTIME_LOG_LINES:])))

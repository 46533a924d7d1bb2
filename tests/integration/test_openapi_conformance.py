"""schemathesis against docs/openapi.yaml (issue 18): generated requests for every documented
operation go through the Chalice app (chalice.test's local gateway, on moto) with the right
kind of token; every answer must be documented (status, content type, body schema) and none
may be a server error. Bounded: PARLEY_SCHEMATHESIS_EXAMPLES examples per operation (default
5), derandomized, no example database, no shrinking, no deadlines (no wall clock)."""
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as st
from schemathesis.config import SchemathesisConfig

from chalicelib.services import agents
from tests.helpers.api import Api
from tests.helpers.wsgi import ChaliceWSGI

EXAMPLES = int(os.environ.get("PARLEY_SCHEMATHESIS_EXAMPLES", "5"))
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# The coverage phase (boundary and negative cases for every parameter) makes thousands of
# calls: on for a deep run (PARLEY_SCHEMATHESIS_COVERAGE=1), off in the suite.
COVERAGE = os.environ.get("PARLEY_SCHEMATHESIS_COVERAGE") == "1"
schema = schemathesis.openapi.from_path(OPENAPI, config=SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": COVERAGE}}}))
CHECKS = [st.not_a_server_error, st.status_code_conformance, st.content_type_conformance,
          st.response_schema_conformance]


@pytest.fixture(scope="module")
def tokens(aws_stack):
    """One world for every operation (building it per operation would cost more than the
    examples): empty tables, the demo site, an admin and a visitor."""
    import app as app_module
    from chalicelib.api import common
    from chalicelib.services import sites
    from chalicelib.services.deps import build_default
    from tests.helpers.aws import empty_tables, purge_queues
    empty_tables()
    purge_queues(aws_stack)
    saved_wait = os.environ.get("PARLEY_POLL_MAX_WAIT")
    os.environ["PARLEY_POLL_MAX_WAIT"] = "0"        # a long-poll answers at once
    deps = build_default()
    common.set_deps(deps)
    sites.create_site(deps, "demo", "Demo site")
    api = Api(app_module.app)
    agents.create_agent(deps, {"email": "st@example.com", "name": "St", "password": "password1",
                               "role": "admin"})
    visitor = api.visitor_session(name="St")
    yield {"agent": api.agent_login("st@example.com", "password1")["token"],
           "visitor": visitor["token"], "wsgi": ChaliceWSGI(app_module.app)}
    common.set_deps(None)
    if saved_wait is None:
        os.environ.pop("PARLEY_POLL_MAX_WAIT", None)
    else:
        os.environ["PARLEY_POLL_MAX_WAIT"] = saved_wait


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(case, tokens):
    path = case.operation.path
    headers = {}
    if path.startswith("/v1/visitor/"):
        headers["Authorization"] = f"Bearer {tokens['visitor']}"
    elif path.startswith(("/v1/agent/", "/v1/admin/")):
        headers["Authorization"] = f"Bearer {tokens['agent']}"
    response = case.call(base_url="http://localhost", app=tokens["wsgi"], headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)

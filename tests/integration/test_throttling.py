"""Per-site throttling on moto, through the API: sessions and visitor long-polls past the
site's limit answer 429 rate_limited with Retry-After; the counter is one atomic UpdateItem
on the keys table with a TTL. The clock is simulated (deps.clock)."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters.ratelimit import RateWindow
from chalicelib.domain.ratelimit import Limit, window_for
from chalicelib.services import agents
from tests.helpers.api import Api
from tests.helpers.aws import AwsCallCounter

T0 = 1_800_000_000 - 1_800_000_000 % 60 + 20        # 20 s into a window


class Clock:
    def __init__(self):
        self.t = float(T0)

    def __call__(self):
        return self.t


@pytest.fixture
def api(deps, site):
    import app as app_module
    return Api(app_module.app)


@pytest.fixture
def clock(deps):
    c = Clock()
    deps.clock = c
    yield c
    import time
    deps.clock = time.time


def post_session(api, site_key="demo"):
    resp = api.client.http.post("/v1/visitor/sessions",
                                headers={"Content-Type": "application/json"},
                                body=json.dumps({"site_key": site_key}))
    return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, \
        json.loads(resp.body)


def test_session_creation_is_limited_per_site(api, deps, clock, monkeypatch):
    from chalicelib.services import sites
    sites.create_site(deps, "other", "Other site")
    monkeypatch.setenv("PARLEY_RATE_SESSIONS_PER_MINUTE", "2")
    assert [post_session(api)[0] for _ in range(2)] == [200, 200]
    status, headers, body = post_session(api)
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["details"] == {"retry_after": 40, "limit": "sessions"}
    assert headers["retry-after"] == "40"
    assert headers["access-control-allow-origin"] == "*"      # the widget can read it
    assert post_session(api, "other")[0] == 200               # another site is not affected

    item = RateWindow.get(window_for(Limit("sessions", 2), "demo", clock()).key,
                          consistent_read=True)
    assert item.n == 3 and int(item.expires_at.timestamp()) == T0 - 20 + 60 + 60

    clock.t += 40                                             # the next window
    assert post_session(api)[0] == 200


def test_visitor_long_polls_are_limited_per_site_agents_are_not(api, deps, clock,
                                                                monkeypatch):
    monkeypatch.setenv("PARLEY_RATE_POLLS_PER_MINUTE", "2")
    s = api.visitor_session()
    path = f"/v1/visitor/conversations/{s['conversation_id']}/poll?after=0&wait=0"
    RateWindow._connection = None      # (AwsCallCounter renews the models in ALL_MODELS)
    with AwsCallCounter(deps) as counter:
        assert api.get(path, token=s["token"])[0] == 200
    RateWindow._connection = None
    # the limit costs one UpdateItem per poll start, no read, no Scan
    assert counter.by_service("dynamodb").count("dynamodb:UpdateItem") == 1
    assert not [c for c in counter.calls if c.endswith(":Scan")]
    assert api.get(path, token=s["token"])[0] == 200
    status, body = api.get(path, token=s["token"])
    assert (status, body["error"]["code"]) == (429, "rate_limited")

    agents.create_agent(deps, {"email": "sup@x.example", "name": "Sup", "password": "password1",
                               "role": "supervisor"})
    _, login = api.post("/v1/agent/login", {"email": "sup@x.example", "password": "password1"})
    agent_path = f"/v1/agent/conversations/{s['conversation_id']}/poll?after=0&wait=0"
    for _ in range(3):
        assert api.get(agent_path, token=login["token"])[0] == 200

"""Moto-backed fixtures shared by the integration tests."""
from __future__ import annotations

import json
from collections import defaultdict

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters import models


def reset_pynamodb_connections():
    for model in models.ALL_MODELS:
        model._connection = None


@pytest.fixture
def aws():
    """Moto in-process with Parley's data stack deployed from infra/template.yaml."""
    with mock_aws():
        reset_pynamodb_connections()
        from infra.resources import deploy_stack, serialize_moto_dynamodb
        serialize_moto_dynamodb()
        outputs = deploy_stack(stage="dev")
        yield outputs
        reset_pynamodb_connections()


class PostRecorder:
    """Captures what is posted to each connection through the management API."""

    def __init__(self):
        self.posts = defaultdict(list)

    def __call__(self, params, **kwargs):
        data = params.get("Data")
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        self.posts[params["ConnectionId"]].append(json.loads(data))

    def events(self, connection_id, type_=None):
        return [e for e in self.posts[connection_id] if type_ is None or e.get("type") == type_]

    def clear(self):
        self.posts.clear()


@pytest.fixture
def deps(aws):
    from chalicelib.api import common
    from chalicelib.services.deps import build_default
    d = build_default()
    recorder = PostRecorder()
    client = d.sender._get_client()
    client.meta.events.register("provide-client-params.apigatewaymanagementapi.PostToConnection",
                                lambda params, **kw: recorder(params))
    d.extras["recorder"] = recorder
    common.set_deps(d)
    yield d
    common.set_deps(None)


@pytest.fixture
def posted(deps):
    return deps.extras["recorder"]


@pytest.fixture
def site(deps):
    from chalicelib.services import sites
    return sites.create_site(deps, "demo", "Demo site")

"""Throttling and concurrency defaults a deployment applies (infra/throttling.json via
infra/throttling.py, reserved concurrency in .chalice/config.json), and the console origin
the stage's CORS is built from (infra/deploy.py)."""
import json

from infra import deploy, throttling


class FakeClient:
    def __init__(self, calls, service):
        self.calls, self.service = calls, service

    def update_stage(self, **kwargs):
        self.calls.append((self.service, kwargs))


class FakeSession:
    def __init__(self):
        self.calls = []

    def client(self, service):
        return FakeClient(self.calls, service)


def test_throttled_routes_exist_in_the_app():
    import app
    routes = {f"{m.upper()} {p}" for p, methods in app.app.routes.items() for m in methods}
    limits = throttling.load()
    assert set(limits["rest"]["routes"]) <= routes
    assert {"POST /v1/visitor/sessions", "POST /v1/agent/login"} <= set(limits["rest"]["routes"])
    stage = limits["rest"]["stage"]
    for spec in limits["rest"]["routes"].values():     # a route limit is tighter than the stage
        assert 0 < spec["rate"] <= stage["rate"] and 0 < spec["burst"] <= stage["burst"]


def test_apply_sets_stage_route_and_websocket_throttling():
    session = FakeSession()
    state = {"rest_api_id": "rest123", "websocket_api_id": "ws456"}
    throttling.apply(session, state, "v1api", "ws", log=lambda *a: None)
    (svc1, rest), (svc2, ws) = session.calls
    assert svc1 == "apigateway" and rest["restApiId"] == "rest123" and rest["stageName"] == "v1api"
    ops = {o["path"]: o["value"] for o in rest["patchOperations"]}
    assert ops["/*/*/throttling/rateLimit"] == "500"
    assert ops["/~1v1~1visitor~1sessions/POST/throttling/rateLimit"] == "50"
    assert ops["/~1v1~1visitor~1conversations~1{conversation_id}~1poll/GET/throttling/burstLimit"] \
        == "400"
    assert all(o["op"] == "replace" for o in rest["patchOperations"])
    assert svc2 == "apigatewayv2" and ws == {
        "ApiId": "ws456", "StageName": "ws",
        "DefaultRouteSettings": {"ThrottlingRateLimit": 500.0, "ThrottlingBurstLimit": 1000}}


def test_prod_reserves_concurrency_and_leaves_the_account_room():
    funcs = deploy.load_config()["stages"]["prod"]["lambda_functions"]
    reserved = {name: spec.get("reserved_concurrency") for name, spec in funcs.items()}
    assert all(isinstance(v, int) and v > 0 for v in reserved.values()), reserved
    assert reserved["sweep_idle"] == 1                   # one sweep at a time
    # long-polls hold the REST function: a flood of them is capped below the account limit
    # (1,000 by default) and cannot take the WebSocket and queue functions' share
    assert sum(reserved.values()) <= 1000 - 100          # AWS keeps 100 unreserved


def test_write_stage_records_the_console_origin_and_deploy_app_uses_it(tmp_path,
                                                                       monkeypatch):
    import shutil
    chalice_dir = tmp_path / ".chalice"
    shutil.copytree(deploy.CHALICE_DIR, chalice_dir, ignore=shutil.ignore_patterns("deployed"))
    deploy.write_stage("dev", deploy.placeholder_outputs("dev"), chalice_dir=chalice_dir,
                       console_origin="https://d111.cloudfront.net/", log=lambda *a: None)
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_CONSOLE_ORIGIN"] == "https://d111.cloudfront.net"
    deploy.write_stage("dev", deploy.placeholder_outputs("dev"), chalice_dir=chalice_dir,
                       log=lambda *a: None)                              # kept when not given
    env = deploy.load_config(chalice_dir)["stages"]["dev"]["environment_variables"]
    assert env["PARLEY_CONSOLE_ORIGIN"] == "https://d111.cloudfront.net"

    seen = []
    monkeypatch.setenv("PARLEY_CONSOLE_ORIGIN", "https://stale.example")

    def runner(cmd, check, cwd):
        import os
        seen.append(os.environ["PARLEY_CONSOLE_ORIGIN"])
        (chalice_dir / "deployed").mkdir(exist_ok=True)
        (chalice_dir / "deployed" / "dev.json").write_text(json.dumps({"resources": []}))
    deploy.deploy_app(FakeSession(), "dev", runner=runner, chalice_dir=chalice_dir,
                      log=lambda *a: None)
    assert seen == ["https://d111.cloudfront.net"]

"""API Gateway throttling for a deployed stage (defaults in infra/throttling.json).

Chalice creates the REST and WebSocket APIs but has no throttling settings, so this step
sets them on the stages it deployed:

* REST stage: a stage-wide rate/burst (``/*/*/throttling/...``) and tighter per-route limits
  on what anyone can call without an account (session creation, visitor long-poll, login);
* WebSocket stage: default route settings (every route, $connect included).

API Gateway answers 429 above these before any Lambda runs. Per-site limits in the app
(chalicelib/services/throttle.py) then keep one site from using the whole budget.
"""
from __future__ import annotations

import json
from pathlib import Path

DEFAULTS = Path(__file__).resolve().parent / "throttling.json"


def load(path: Path = DEFAULTS) -> dict:
    return json.loads(path.read_text())


def _escape(resource_path: str) -> str:
    return resource_path.replace("~", "~0").replace("/", "~1")


def rest_patch_operations(limits: dict) -> list[dict]:
    """update_stage patch operations for the REST stage."""
    ops = []

    def add(prefix, spec):
        ops.append({"op": "replace", "path": f"{prefix}/throttling/rateLimit",
                    "value": str(spec["rate"])})
        ops.append({"op": "replace", "path": f"{prefix}/throttling/burstLimit",
                    "value": str(spec["burst"])})
    rest = limits["rest"]
    add("/*/*", rest["stage"])
    for route, spec in sorted(rest.get("routes", {}).items()):
        method, _, path = route.partition(" ")
        add(f"/{_escape(path)}/{method.upper()}", spec)
    return ops


def websocket_route_settings(limits: dict) -> dict:
    spec = limits["websocket"]["default_route"]
    return {"ThrottlingRateLimit": float(spec["rate"]), "ThrottlingBurstLimit": int(spec["burst"])}


def apply(session, state: dict, rest_stage: str, ws_stage: str, limits: dict | None = None,
          log=print) -> dict:
    """Set the throttling on the deployed APIs (``state`` from deploy.deployed_state)."""
    limits = limits or load()
    done = {}
    if state.get("rest_api_id"):
        ops = rest_patch_operations(limits)
        session.client("apigateway").update_stage(restApiId=state["rest_api_id"],
                                                  stageName=rest_stage, patchOperations=ops)
        done["rest"] = ops
        log(f"REST API {state['rest_api_id']}/{rest_stage}: throttling set "
            f"({len(ops) // 2} settings)")
    if state.get("websocket_api_id"):
        settings = websocket_route_settings(limits)
        session.client("apigatewayv2").update_stage(ApiId=state["websocket_api_id"],
                                                    StageName=ws_stage,
                                                    DefaultRouteSettings=settings)
        done["websocket"] = settings
        log(f"WebSocket API {state['websocket_api_id']}/{ws_stage}: throttling set")
    return done

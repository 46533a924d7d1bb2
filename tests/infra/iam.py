"""A small IAM policy evaluator for the offline checks: identity policies only.

Supports Allow/Deny statements with Action/Resource as strings or lists, `*` and `?`
wildcards (actions case-insensitive, resources case-sensitive, `*` spanning `/` and `:` as
in IAM). NotAction, NotResource and Condition are not supported: a statement using them
raises, so a policy never passes by being misunderstood.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHALICE_DIR = ROOT / ".chalice"


@lru_cache(maxsize=None)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(rf"\A{rx}\Z", re.IGNORECASE if ignore_case else 0)


def _list(value) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def statements(policy: dict) -> list[dict]:
    out = []
    for st in _list(policy.get("Statement")) if isinstance(policy.get("Statement"), dict) \
            else policy.get("Statement", []):
        unsupported = {"NotAction", "NotResource", "Condition", "NotPrincipal"} & set(st)
        if unsupported:
            raise ValueError(f"statement {st.get('Sid')} uses {sorted(unsupported)}")
        out.append(st)
    return out


def matches(st: dict, action: str, resource: str) -> bool:
    return (any(_pattern(a, True).match(action) for a in _list(st.get("Action"))) and
            any(_pattern(r, False).match(resource) for r in _list(st.get("Resource"))))


def allowed(policy: dict, action: str, resource: str) -> bool:
    sts = statements(policy)
    if any(st["Effect"] == "Deny" and matches(st, action, resource) for st in sts):
        return False
    return any(st["Effect"] == "Allow" and matches(st, action, resource) for st in sts)


def policy_path(stage: str, function: str, chalice_dir: Path = CHALICE_DIR) -> Path | None:
    config = json.loads((chalice_dir / "config.json").read_text())
    spec = config["stages"][stage].get("lambda_functions", {}).get(function, {})
    name = spec.get("iam_policy_file")
    return chalice_dir / name if name else None


def stage_policy(stage: str, function: str, ws_api_ids=(), chalice_dir: Path = CHALICE_DIR):
    """The function's policy; ws_api_ids adds the same grants for other WebSocket API ids
    (the tests' fake API "testapi" stands in for the deployed one)."""
    path = policy_path(stage, function, chalice_dir)
    if path is None or not path.exists():
        return None
    doc = json.loads(path.read_text())
    extra = []
    for st in doc.get("Statement", []):
        for res in _list(st.get("Resource")):
            if ":execute-api:" in res:
                head, rest = res.split("/", 1)
                prefix = head.rsplit(":", 1)[0]
                for api in ws_api_ids:
                    extra.append(dict(st, Resource=f"{prefix}:{api}/{rest}",
                                      Sid=f"{st.get('Sid', '')}Test"))
    doc["Statement"] = list(doc.get("Statement", [])) + extra
    return doc

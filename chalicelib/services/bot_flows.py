"""Validation of the flows an admin saves (what chalicelib/domain/bot/flows.py expects).

Split from chalicelib/services/bot.py; used by ``put_flows``.
"""
from __future__ import annotations

import re

from chalicelib.domain.bot.safe_regex import validate_pattern
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError

ENTRY_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
SLOT_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
SLOT_KINDS = ("order", "regex", "phone", "email", "date", "number", "text")
MAX_LABEL_FIELDS = 20
MAX_LABELS = 100

_TEXT = Field((str, dict))
_LANG_TEXT_MAX = 1000


def _lang_text(value, name: str, required: bool = False):
    if value is None:
        if required:
            raise ValidationError(f"'{name}' is required.", code="missing_field",
                                  details={"field": name})
        return None
    if isinstance(value, str):
        if not value.strip() or len(value) > _LANG_TEXT_MAX:
            raise ValidationError(f"'{name}' must be 1-{_LANG_TEXT_MAX} characters.",
                                  code="invalid_value", details={"field": name})
        return value
    if isinstance(value, dict) and value and all(
            isinstance(k, str) and len(k) <= 10 and isinstance(v, str) and v.strip()
            and len(v) <= _LANG_TEXT_MAX for k, v in value.items()):
        return value
    raise ValidationError(f"'{name}' must be a text or an object of language -> text.",
                          code="invalid_type", details={"field": name})


FLOW_SCHEMA = {
    "id": Field(str, required=True, min_len=1, max_len=64, pattern=ENTRY_ID_RE),
    "triggers": Field((dict, list), required=True),
    "slots": Field(list, max_items=10, item=Field(dict)),
    "action": Field(dict, required=True, schema={
        "url": Field(str, required=True, min_len=1, max_len=2000),
        "method": Field(str, choices=("GET", "POST")),
        "timeout": Field(float, min=0.1, max=10),
    }),
    "answers": Field(dict, required=True),
    "texts": Field(dict),
    "labels": Field(dict),
}
SLOT_SCHEMA = {
    "name": Field(str, required=True, min_len=1, pattern=SLOT_NAME_RE),
    "kind": Field(str, choices=SLOT_KINDS),
    "pattern": Field(str), "validate": Field(str),
    "prompt": _TEXT, "invalid": _TEXT,
}


def validate_flow(flow: dict, name: str = "flow") -> dict:
    from chalicelib.adapters.http_endpoint import (EndpointError, RefusedAddress,
                                                   check_literal)
    f = validate(flow, FLOW_SCHEMA, prefix=f"{name}.")
    trig = f["triggers"]
    phrases = [p for v in trig.values() for p in (v if isinstance(v, list) else [None])] \
        if isinstance(trig, dict) else list(trig)
    if not phrases or not all(isinstance(p, str) and p.strip() and len(p) <= 100 for p in phrases) \
            or len(phrases) > 50:
        raise ValidationError(f"'{name}.triggers' must hold 1-50 phrases (lists of strings).",
                              code="invalid_value", details={"field": f"{name}.triggers"})
    try:
        check_literal(f["action"]["url"])
    except RefusedAddress as exc:
        raise ValidationError(f"'{name}.action.url' must be a public address: {exc}.",
                              code="private_url", details={"field": f"{name}.action.url"})
    except EndpointError:
        raise ValidationError(f"'{name}.action.url' must be an http(s) URL.",
                              code="invalid_url", details={"field": f"{name}.action.url"})
    slots = []
    for i, s in enumerate(f.get("slots") or []):
        sn = f"{name}.slots[{i}]"
        s = validate(s, SLOT_SCHEMA, prefix=f"{sn}.")
        kind = s.get("kind", "regex")
        validate_pattern(s.get("pattern"), f"{sn}.pattern")
        validate_pattern(s.get("validate"), f"{sn}.validate")
        if kind in ("order", "regex") and not s.get("pattern"):
            raise ValidationError(f"'{sn}.pattern' is required for kind '{kind}'.",
                                  code="missing_field", details={"field": f"{sn}.pattern"})
        _lang_text(s.get("prompt"), f"{sn}.prompt", required=True)
        _lang_text(s.get("invalid"), f"{sn}.invalid")
        slots.append(s)
    names = [s["name"] for s in slots]
    if len(set(names)) != len(names):
        raise ValidationError(f"'{name}.slots' names must be unique.", code="duplicate_id",
                              details={"field": f"{name}.slots"})
    f["slots"] = slots
    answers = f["answers"]
    unknown = set(answers) - {"success", "failure"}
    if unknown:
        raise ValidationError(f"Unknown field '{name}.answers.{sorted(unknown)[0]}'.",
                              code="unknown_field", details={"field": f"{name}.answers"})
    _lang_text(answers.get("success"), f"{name}.answers.success", required=True)
    _lang_text(answers.get("failure"), f"{name}.answers.failure")
    for k, v in (f.get("texts") or {}).items():
        if k not in ("cancelled", "failure", "invalid", "too_many"):
            raise ValidationError(f"Unknown field '{name}.texts.{k}'.", code="unknown_field",
                                  details={"field": f"{name}.texts.{k}"})
        _lang_text(v, f"{name}.texts.{k}", required=True)
    _labels(f.get("labels"), f"{name}.labels")
    return f


def _labels(labels, name: str) -> None:
    """``{"status": {"shipped": {"zh": "已发货", "en": "shipped"}, ...}, ...}``: readable text
    for the codes an endpoint returns, per response field."""
    if labels is None:
        return
    if len(labels) > MAX_LABEL_FIELDS:
        raise ValidationError(f"'{name}' may name at most {MAX_LABEL_FIELDS} fields.",
                              code="invalid_value", details={"field": name})
    for field, codes in labels.items():
        fname = f"{name}.{field}"
        if not SLOT_NAME_RE.match(field) or not isinstance(codes, dict) or not codes \
                or len(codes) > MAX_LABELS:
            raise ValidationError(f"'{fname}' must be an object of code -> text "
                                  f"(1-{MAX_LABELS} codes).", code="invalid_type",
                                  details={"field": fname})
        for code, text in codes.items():
            if not code or len(code) > 64:
                raise ValidationError(f"'{fname}' codes must be 1-64 characters.",
                                      code="invalid_value", details={"field": fname})
            _lang_text(text, f"{fname}.{code}", required=True)


# -- test run (the console's flows editor) -------------------------------------------------
DRY_RUN_SCHEMA = {
    "flow": Field(dict, required=True),
    "messages": Field(list, required=True, max_items=10, item=Field(str, min_len=1, max_len=500)),
    "lang": Field(str, choices=("zh", "en")),
}


def dry_run(deps, payload: dict) -> dict:
    """Run a flow (not yet saved) on a few visitor messages against its real endpoint; nothing
    is stored. ``{replies: [{text, status, slots}]}`` -- ``status`` ask / invalid / done /
    failed / cancelled, or ``null`` when the message neither starts nor continues the flow."""
    from chalicelib.domain.bot import FlowEngine
    from chalicelib.services.bot import endpoint_caller
    body = validate(payload, DRY_RUN_SCHEMA)
    if not body["messages"]:
        raise ValidationError("'messages' must hold 1-10 texts.", code="invalid_value",
                              details={"field": "messages"})
    flow = validate_flow(body["flow"], "flow")
    try:
        engine = FlowEngine([flow])
    except Exception as exc:  # noqa: BLE001 - anything the engine cannot load
        raise ValidationError(f"The flow cannot be loaded: {exc}", code="invalid_flow")
    call = endpoint_caller(deps)
    state, replies = None, []
    for text in body["messages"]:
        reply, state = engine.step(state, text, {}, call, lang=body.get("lang"))
        replies.append({"text": reply.text if reply else None,
                        "status": reply.status if reply else None,
                        "slots": {k: str(v) for k, v in (reply.slots if reply else {}).items()}})
        state = state or None
    return {"replies": replies}

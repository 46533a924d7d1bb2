"""A small, strict validator for request bodies and WebSocket frames (no dependencies).

A schema is a dict of field name -> Field. Unknown fields, wrong types, missing required
fields, and strings that are empty or too long are rejected with a stable code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import ValidationError

MAX_TEXT = 5000
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SITE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EMAIL_RE = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[^@\s<>.]{1,63}$")


@dataclass
class Field:
    type: type | tuple
    required: bool = False
    max_len: int | None = None
    min_len: int | None = None
    pattern: re.Pattern | None = None
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    strip: bool = True
    schema: dict | None = None  # nested object
    nullable: bool = False
    item: "Field | None" = None
    max_items: int | None = None
    extra: dict = field(default_factory=dict)


def _type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(_type_name(x) for x in t)
    return {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object",
            list: "array"}.get(t, t.__name__)


def _check(name: str, spec: Field, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ValidationError(f"'{name}' must not be null.", code="invalid_field",
                              details={"field": name})
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok and float in types and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ValidationError(f"'{name}' must be a {_type_name(spec.type)}.",
                              code="invalid_type", details={"field": name})
    if isinstance(value, str):
        if spec.strip:
            value = value.strip()
        if spec.min_len is not None and len(value) < spec.min_len:
            code = "empty" if spec.min_len == 1 else "too_short"
            raise ValidationError(f"'{name}' must not be empty." if spec.min_len == 1 else
                                  f"'{name}' must be at least {spec.min_len} characters.",
                                  code=code, details={"field": name})
        if spec.max_len is not None and len(value) > spec.max_len:
            raise ValidationError(f"'{name}' must be at most {spec.max_len} characters.",
                                  code="too_long", details={"field": name, "max": spec.max_len})
        if spec.pattern is not None and value and not spec.pattern.match(value):
            raise ValidationError(f"'{name}' has an invalid format.", code="invalid_format",
                                  details={"field": name})
    if spec.choices is not None and value not in spec.choices:
        raise ValidationError(f"'{name}' must be one of: {', '.join(map(str, spec.choices))}.",
                              code="invalid_value", details={"field": name})
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.min is not None and value < spec.min:
            raise ValidationError(f"'{name}' must be >= {spec.min}.", code="out_of_range",
                                  details={"field": name})
        if spec.max is not None and value > spec.max:
            raise ValidationError(f"'{name}' must be <= {spec.max}.", code="out_of_range",
                                  details={"field": name})
    if isinstance(value, dict) and spec.schema is not None:
        value = validate(value, spec.schema, prefix=f"{name}.")
    if isinstance(value, list):
        if spec.max_items is not None and len(value) > spec.max_items:
            raise ValidationError(f"'{name}' has too many items (max {spec.max_items}).",
                                  code="too_many_items", details={"field": name})
        if spec.item is not None:
            value = [_check(f"{name}[{i}]", spec.item, v) for i, v in enumerate(value)]
    return value


def validate(payload: Any, schema: dict[str, Field], prefix: str = "") -> dict:
    """Return a cleaned copy of payload, or raise ValidationError."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ValidationError("The body must be a JSON object.", code="invalid_body")
    unknown = sorted(set(payload) - set(schema))
    if unknown:
        raise ValidationError(f"Unknown field '{prefix}{unknown[0]}'.", code="unknown_field",
                              details={"field": prefix + unknown[0]})
    out = {}
    for name, spec in schema.items():
        if name not in payload:
            if spec.required:
                raise ValidationError(f"'{prefix}{name}' is required.", code="missing_field",
                                      details={"field": prefix + name})
            continue
        out[name] = _check(prefix + name, spec, payload[name])
    return out


def optional_int(value: str | None, name: str, default: int | None, lo: int, hi: int) -> int | None:
    """Parse an integer query-string parameter within [lo, hi]."""
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"'{name}' must be an integer.", code="invalid_type",
                              details={"field": name})
    if n < lo or n > hi:
        raise ValidationError(f"'{name}' must be between {lo} and {hi}.", code="out_of_range",
                              details={"field": name})
    return n

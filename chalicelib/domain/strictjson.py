"""Strict JSON in and out: the one parser every request body and WebSocket frame goes through,
and the one encoder for what the app sends.

Input is refused with a 400 and a stable code, before any rule or write sees it, when it is
something Python's json module would accept but nothing downstream can store or show:

- `invalid_json`: not JSON, or not UTF-8;
- `too_deep`: arrays/objects nested deeper than MAX_DEPTH (a body of 20,000 `[` used to hit
  Python's recursion limit);
- `invalid_number`: `NaN`, `Infinity`, numbers that overflow to infinity (`1e400`), integers
  beyond +-2**53-1 (what a browser can represent; DynamoDB and JSON.parse agree on these) and
  floats outside +-1e100 or nearer zero than 1e-100 (DynamoDB's number range is narrower
  than a double's);
- `invalid_text`: a lone UTF-16 surrogate (`"\\ud800"`) in any string or key: it cannot be
  encoded as UTF-8, so it can be neither stored nor sent.

Output never contains `NaN`/`Infinity` (which `JSON.parse` rejects): `dumps` encodes with
allow_nan=False and writes a non-finite number that reached it as null.
"""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from chalicelib.errors import ValidationError

MAX_DEPTH = 32
MAX_SAFE_INT = 2 ** 53 - 1
MAX_INT_DIGITS = 16            # 2**53 has 16 digits; longer literals are refused unparsed
MAX_FLOAT = 1e100
MIN_FLOAT = 1e-100
_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_number(literal: str) -> ValidationError:
    return ValidationError(f"The number {literal[:24]} is not accepted (NaN, Infinity and "
                           f"numbers beyond +-2^53 or 1e100 are refused).",
                           code="invalid_number")


def _parse_constant(literal: str):
    raise _bad_number(literal)


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _bad_number(literal)
    value = int(literal)
    if abs(value) > MAX_SAFE_INT:
        raise _bad_number(literal)
    return value


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or abs(value) > MAX_FLOAT or (value and abs(value) < MIN_FLOAT):
        raise _bad_number(literal)
    return value


def _check_text(s: str) -> None:
    if _SURROGATE.search(s):
        raise ValidationError("Text contains an unpaired UTF-16 surrogate.", code="invalid_text")


def _check_tree(value: Any) -> None:
    """Depth and text checks without recursion (the tree may be as deep as the parser allows)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise ValidationError(f"JSON nested deeper than {MAX_DEPTH} levels.",
                                  code="too_deep")
        if isinstance(node, dict):
            for k, v in node.items():
                _check_text(k)
                stack.append((v, depth + 1))
        else:
            stack.extend((v, depth + 1) for v in node)


def loads(raw: bytes | str) -> Any:
    """Parse a body or frame strictly (see the module docstring); raise ValidationError."""
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The body is not UTF-8.", code="invalid_json")
    try:
        value = json.loads(raw, parse_constant=_parse_constant, parse_int=_parse_int,
                           parse_float=_parse_float)
    except RecursionError:
        raise ValidationError(f"JSON nested deeper than {MAX_DEPTH} levels.", code="too_deep")
    except ValueError:       # includes json.JSONDecodeError
        raise ValidationError("The body is not valid JSON.", code="invalid_json")
    _check_tree(value)
    return value


def _extra(value):
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Standard JSON only: NaN and infinities (say from data stored before input was strict)
    are written as null."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=_extra)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False, default=_extra)

"""Custom ticket fields defined by admins (text, number, date, select) and the values a
ticket holds for them. Definitions are validated once when saved; values on every write."""
from __future__ import annotations

import re
from datetime import date

from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError

KINDS = ("text", "number", "date", "select")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 50
MAX_OPTIONS = 100
TEXT_MAX = 2000

DEFINITION = {
    "key": Field(str, required=True, pattern=KEY_RE, max_len=40),
    "kind": Field(str, required=True, choices=KINDS),
    "label": Field(str, required=True, min_len=1, max_len=100),
    "label_zh": Field(str, max_len=100),
    "required": Field(bool),
    "options": Field(list, item=Field(str, min_len=1, max_len=100), max_items=MAX_OPTIONS),
}


def validate_definitions(items) -> list[dict]:
    """The site's whole list of custom fields: unique keys, options only (and required) for
    select fields."""
    if not isinstance(items, list) or len(items) > MAX_FIELDS:
        raise ValidationError(f"'fields' must be a list of at most {MAX_FIELDS} fields.",
                              code="invalid_field", details={"field": "fields"})
    out, seen = [], set()
    for i, raw in enumerate(items):
        d = validate(raw, DEFINITION, prefix=f"fields[{i}].")
        if d["key"] in seen:
            raise ValidationError(f"Field key '{d['key']}' is used twice.",
                                  code="duplicate_key", details={"field": f"fields[{i}].key"})
        seen.add(d["key"])
        if d["kind"] == "select":
            opts = d.get("options") or []
            if not opts or len(set(opts)) != len(opts):
                raise ValidationError("A select field needs distinct options.",
                                      code="invalid_options",
                                      details={"field": f"fields[{i}].options"})
        elif d.get("options"):
            raise ValidationError("Only select fields have options.", code="invalid_options",
                                  details={"field": f"fields[{i}].options"})
        d.setdefault("required", False)
        out.append(d)
    return out


def _bad(key: str, message: str):
    return ValidationError(message, code="invalid_custom_field",
                           details={"field": f"custom_fields.{key}"})


def _value(defn: dict, value):
    key, kind = defn["key"], defn["kind"]
    if value is None:
        return None
    if kind == "text":
        if not isinstance(value, str) or len(value.strip()) > TEXT_MAX:
            raise _bad(key, f"'{key}' must be text of at most {TEXT_MAX} characters.")
        return value.strip()
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(key, f"'{key}' must be a number.")
        return value
    if kind == "date":
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _bad(key, f"'{key}' must be a date (YYYY-MM-DD).")
    if value not in (defn.get("options") or []):
        raise _bad(key, f"'{key}' must be one of the field's options.")
    return value


def validate_values(values, definitions: list[dict], current: dict | None = None,
                    on_create: bool = False) -> dict:
    """The ticket's custom field values after applying `values` (a partial update; null
    clears) to `current`. Unknown keys are refused; on create, required fields must be set
    (a field made required later does not block updates of older tickets)."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationError("'custom_fields' must be an object.", code="invalid_type",
                              details={"field": "custom_fields"})
    by_key = {d["key"]: d for d in definitions}
    unknown = sorted(set(values) - set(by_key))
    if unknown:
        raise _bad(unknown[0], f"Unknown custom field '{unknown[0]}'.")
    out = dict(current or {})
    for key, value in values.items():
        clean = _value(by_key[key], value)
        if clean is None or clean == "":
            out.pop(key, None)
        else:
            out[key] = clean
    for d in definitions:
        if on_create and d.get("required") and d["key"] not in out:
            raise _bad(d["key"], f"'{d['key']}' is required.")
    return out

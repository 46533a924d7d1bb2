"""Admin-defined custom fields: their definitions (type, zh/en labels, options, required) and
the validation of a contact's values against them. Pure."""
from __future__ import annotations

import re
from datetime import date

from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError

TYPES = ("text", "number", "date", "select", "multi_select")
MAX_FIELDS = 50
MAX_TEXT = 1000
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: built-in profile fields a form may map to besides the custom ones
PROFILE_FIELDS = ("name", "email", "phone", "company", "notes")

OPTION = Field(dict, schema={
    "value": Field(str, required=True, min_len=1, max_len=60),
    "label_en": Field(str, max_len=100),
    "label_zh": Field(str, max_len=100),
})
DEFINITION = {
    "key": Field(str, required=True, pattern=KEY_RE),
    "type": Field(str, required=True, choices=TYPES),
    "label_en": Field(str, required=True, min_len=1, max_len=100),
    "label_zh": Field(str, required=True, min_len=1, max_len=100),
    "required": Field(bool),
    "options": Field(list, item=OPTION, max_items=100),
    "min": Field((int, float), nullable=True),
    "max": Field((int, float), nullable=True),
    "max_len": Field(int, min=1, max=MAX_TEXT, nullable=True),
}


def check_definitions(defs) -> list[dict]:
    """Validate a site's field list: unique keys, select types carry options."""
    if not isinstance(defs, list):
        raise ValidationError("'fields' must be an array.", code="invalid_type",
                              details={"field": "fields"})
    if len(defs) > MAX_FIELDS:
        raise ValidationError(f"At most {MAX_FIELDS} custom fields.", code="too_many_items",
                              details={"field": "fields"})
    out, seen = [], set()
    for i, raw in enumerate(defs):
        d = validate(raw, DEFINITION, prefix=f"fields[{i}].")
        if d["key"] in seen or d["key"] in PROFILE_FIELDS:
            raise ValidationError(f"Field key '{d['key']}' is used twice or reserved.",
                                  code="duplicate_field", details={"field": f"fields[{i}].key"})
        seen.add(d["key"])
        if d["type"] in ("select", "multi_select"):
            values = [o["value"] for o in d.get("options") or []]
            if not values or len(set(values)) != len(values):
                raise ValidationError("A select field needs distinct options.",
                                      code="invalid_options",
                                      details={"field": f"fields[{i}].options"})
        d["required"] = bool(d.get("required", False))
        out.append(d)
    return out


def parse_number(value):
    """A number field's value (int or float, from a number or its text), None if it is not
    one (booleans, NaN, beyond 1e15)."""
    if isinstance(value, str):
        try:
            value = float(value.strip()) if "." in value else int(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or abs(value) > 1e15 or value != value:
        return None
    return value


def parse_date(value):
    """A date field's value as YYYY-MM-DD, None if it is not one."""
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            return None
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


def _bad(key: str, message: str, code: str = "invalid_field_value"):
    return ValidationError(message, code=code, details={"field": f"fields.{key}"})


def check_value(d: dict, value):
    """One value against its definition; None clears the field. Returns the clean value."""
    key, kind = d["key"], d["type"]
    if value is None or value == "" or value == []:
        return None
    if kind == "text":
        if not isinstance(value, str):
            raise _bad(key, f"'{key}' must be text.")
        value = value.strip()
        if len(value) > (d.get("max_len") or MAX_TEXT):
            raise _bad(key, f"'{key}' is too long.", "too_long")
        return value
    if kind == "number":
        value = parse_number(value)
        if value is None:
            raise _bad(key, f"'{key}' must be a number.")
        if d.get("min") is not None and value < d["min"] or \
                d.get("max") is not None and value > d["max"]:
            raise _bad(key, f"'{key}' is out of range.", "out_of_range")
        return value
    if kind == "date":
        day = parse_date(value)
        if day is None:
            raise _bad(key, f"'{key}' must be a date (YYYY-MM-DD).")
        return day
    options = {o["value"] for o in d.get("options") or []}
    if kind == "select":
        if value not in options:
            raise _bad(key, f"'{key}' must be one of the options.")
        return value
    if isinstance(value, str):
        value = [v.strip() for v in value.split("|") if v.strip()]   # CSV form: a|b
    if not isinstance(value, list) or any(v not in options for v in value):
        raise _bad(key, f"'{key}' must be a list of the options.")
    return sorted(set(value))


def check_values(defs: list[dict], values, current: dict | None = None,
                 partial: bool = True) -> dict:
    """Validate a patch of field values. Unknown keys are refused; with partial=False (a
    full record: import, a form) every required field must end up non-empty."""
    if not isinstance(values, dict):
        raise ValidationError("'fields' must be an object.", code="invalid_type",
                              details={"field": "fields"})
    by_key = {d["key"]: d for d in defs}
    out = {}
    for key, value in values.items():
        if key not in by_key:
            raise _bad(key, f"Unknown field '{key}'.", "unknown_field")
        out[key] = check_value(by_key[key], value)
    if not partial:
        merged = {**(current or {}), **out}
        for d in defs:
            if d["required"] and merged.get(d["key"]) in (None, "", []):
                raise _bad(d["key"], f"'{d['key']}' is required.", "missing_field")
    return out


def apply(current: dict | None, patch: dict) -> tuple[dict, dict]:
    """The fields after a patch (None removes) and the changes {key: [old, new]}."""
    fields = dict(current or {})
    changes = {}
    for key, value in patch.items():
        old = fields.get(key)
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
        if old != value:
            changes[key] = [old, value]
    return fields, changes

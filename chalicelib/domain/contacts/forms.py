"""Forms (issue 16): admin-designed pre-chat and in-chat forms whose fields map to contact
fields, and the validation of a visitor's answers. Pure: no AWS, no I/O.

A form: {form_id, name, kind (prechat | inchat), fields: [{key, label {en, zh}, type,
required, options [{value, label {en, zh}}], maps_to}]}. `maps_to` names a built-in profile
field (name, email, phone) or a custom field key of the site (docs/contacts.md "Custom
fields"); null keeps the answer in the transcript only."""
from __future__ import annotations

import re

from chalicelib.domain.contacts import fields as field_rules
from chalicelib.domain.contacts import identities as ids
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import ValidationError

KINDS = ("prechat", "inchat")
TYPES = ("text", "number", "date", "select", "multi_select", "email", "phone")
MAX_FIELDS = 20
MAX_OPTIONS = 50
MAX_TEXT = 1000
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: built-in targets and the form types that may fill them
BUILT_IN = {"name": ("text",), "email": ("email",), "phone": ("phone",)}

LABEL = Field(dict, required=True, schema={
    "en": Field(str, required=True, min_len=1, max_len=100),
    "zh": Field(str, required=True, min_len=1, max_len=100),
})
OPTION = Field(dict, schema={
    "value": Field(str, required=True, min_len=1, max_len=60),
    "label": LABEL,
})
FIELD = {
    "key": Field(str, required=True, pattern=KEY_RE),
    "label": LABEL,
    "type": Field(str, required=True, choices=TYPES),
    "required": Field(bool),
    "options": Field(list, item=OPTION, max_items=MAX_OPTIONS),
    "maps_to": Field(str, nullable=True, max_len=40),
}
DEFINITION = {
    "name": Field(str, required=True, min_len=1, max_len=100),
    "kind": Field(str, required=True, choices=KINDS),
    "fields": Field(list, required=True, max_items=MAX_FIELDS),
}


def _bad(field: str, message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code, details={"field": field})


def check_definition(payload, contact_fields: list[dict]) -> dict:
    """A form definition validated against the site's custom field definitions: unique keys,
    options on select types (only the mapped custom field's values), each maps_to known, of a
    compatible type, and used once. Returns the clean {name, kind, fields}."""
    body = validate(payload, DEFINITION)
    if not body["fields"]:
        raise _bad("fields", "A form needs at least one field.", "empty")
    custom = {d["key"]: d for d in contact_fields or []}
    out, keys, targets = [], set(), set()
    for i, raw in enumerate(body["fields"]):
        where = f"fields[{i}]"
        f = validate(raw, FIELD, prefix=f"{where}.")
        if f["key"] in keys:
            raise _bad(f"{where}.key", f"Field key '{f['key']}' is used twice.",
                       "duplicate_field")
        keys.add(f["key"])
        f["required"] = bool(f.get("required", False))
        options = f.get("options") or []
        if f["type"] in ("select", "multi_select"):
            values = [o["value"] for o in options]
            if not values or len(set(values)) != len(values):
                raise _bad(f"{where}.options", "A select field needs distinct options.",
                           "invalid_options")
        elif options:
            raise _bad(f"{where}.options", "Only select fields have options.",
                       "invalid_options")
        f["options"] = options
        target = f.get("maps_to") or None
        f["maps_to"] = target
        if target is not None:
            _check_target(f, target, custom, where)
            if target in targets:
                raise _bad(f"{where}.maps_to", f"Two fields fill '{target}'.",
                           "duplicate_mapping")
            targets.add(target)
        out.append(f)
    return {"name": body["name"], "kind": body["kind"], "fields": out}


def _check_target(f: dict, target: str, custom: dict, where: str) -> None:
    if target in BUILT_IN:
        if f["type"] not in BUILT_IN[target]:
            raise _bad(f"{where}.maps_to",
                       f"'{target}' is filled by a {BUILT_IN[target][0]} field.",
                       "incompatible_mapping")
        return
    d = custom.get(target)
    if d is None:
        raise _bad(f"{where}.maps_to", f"'{target}' is not a contact field of this site.",
                   "unknown_contact_field")
    if d["type"] != f["type"]:
        raise _bad(f"{where}.maps_to", f"'{target}' is a {d['type']} field.",
                   "incompatible_mapping")
    if f["type"] in ("select", "multi_select"):
        allowed = {o["value"] for o in d.get("options") or []}
        if any(o["value"] not in allowed for o in f["options"]):
            raise _bad(f"{where}.options", f"Options must be among '{target}''s options.",
                       "invalid_options")


# ---------------------------------------------------------------- answers
def _answer(f: dict, value, country: str):
    """One answer, clean, or (code, message)."""
    kind = f["type"]
    if kind in ("text", "email", "phone"):
        if not isinstance(value, str):
            return "invalid_type", "Must be text."
        value = value.strip()
        if len(value) > MAX_TEXT:
            return "too_long", f"At most {MAX_TEXT} characters."
        if kind == "email":
            try:
                return ids.normalise_email(value)
            except ValidationError:
                return "invalid_email", "Not an e-mail address."
        if kind == "phone":
            try:
                ids.normalise_phone(value, country)
            except ValidationError:
                return "invalid_phone", "Not a phone number."
        return value
    if kind == "number":
        number = field_rules.parse_number(value)
        return ("invalid_number", "Must be a number.") if number is None else number
    if kind == "date":
        day = field_rules.parse_date(value)
        return ("invalid_date", "Must be a date (YYYY-MM-DD).") if day is None else day
    options = {o["value"] for o in f.get("options") or []}
    if kind == "select":
        if not isinstance(value, str) or value not in options:
            return "invalid_option", "Must be one of the options."
        return value
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in options
                                          for v in value):
        return "invalid_option", "Must be a list of the options."
    return sorted(set(value))


def _empty(value) -> bool:
    return value is None or (isinstance(value, (str, list)) and not
                             (value.strip() if isinstance(value, str) else value))


def check_answers(form: dict, answers, contact_fields: list[dict] | None = None,
                  country: str = ids.DEFAULT_COUNTRY) -> dict:
    """The visitor's answers {key: value} against a form (its snapshot). Every field is
    checked; the first error is raised with all of them in details.errors ([{field, code,
    message}], field = "answers.KEY"). A mapped custom field's own rules (range, length)
    apply too. Returns {key: clean value} without empty optional answers."""
    if not isinstance(answers, dict):
        raise _bad("answers", "'answers' must be an object.", "invalid_type")
    by_key = {f["key"]: f for f in form["fields"]}
    errors, out = [], {}
    for key in answers:
        if key not in by_key:
            errors.append({"field": f"answers.{key}", "code": "unknown_field",
                           "message": f"'{key}' is not a field of this form."})
    custom = {d["key"]: d for d in contact_fields or []}
    for f in form["fields"]:
        value = answers.get(f["key"])
        where = f"answers.{f['key']}"
        if _empty(value):
            if f["required"]:
                errors.append({"field": where, "code": "missing_field",
                               "message": "This field is required."})
            continue
        clean = _answer(f, value, country)
        if isinstance(clean, tuple):
            errors.append({"field": where, "code": clean[0], "message": clean[1]})
            continue
        target = custom.get(f.get("maps_to") or "")
        if target is not None:
            try:
                clean = field_rules.check_value(target, clean)
            except ValidationError as exc:
                errors.append({"field": where, "code": exc.code, "message": exc.message})
                continue
        out[f["key"]] = clean
    if errors:
        first = errors[0]
        raise ValidationError(first["message"], code=first["code"],
                              details={"field": first["field"], "errors": errors})
    return out


def contact_patch(form: dict, clean: dict) -> dict:
    """Where the clean answers land: {"name", "email", "phone", "fields": {...}}."""
    out, fields = {}, {}
    for f in form["fields"]:
        target, value = f.get("maps_to"), clean.get(f["key"])
        if target is None or value is None:
            continue
        if target in BUILT_IN:
            out[target] = value
        else:
            fields[target] = value
    if fields:
        out["fields"] = fields
    return out


def transcript(form: dict, clean: dict) -> list[dict]:
    """The answers as the transcript shows them: [{key, label, value}] in form order."""
    return [{"key": f["key"], "label": f["label"], "value": clean[f["key"]]}
            for f in form["fields"] if f["key"] in clean]


def snapshot(form: dict) -> dict:
    """What a form message carries: the definition as it was sent."""
    return {"form_id": form["form_id"], "name": form["name"],
            "fields": [{k: f.get(k) for k in ("key", "label", "type", "required", "options")}
                       | {"maps_to": f.get("maps_to")} for f in form["fields"]]}

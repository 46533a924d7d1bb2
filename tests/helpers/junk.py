"""A seeded generator of hostile JSON for the input fuzz tests (deterministic: the same seed
gives the same cases, so a failure reproduces; no wall clock, no shrinking needed).

Bodies mix plausible values for the fields an operation documents (so the junk gets past
"unknown field" and reaches the rules behind it) with everything that used to crash:
deep nesting, lone surrogates, NaN/Infinity, huge numbers, wrong types, oversized strings,
bodies that are not JSON, not UTF-8 or not objects.
"""
from __future__ import annotations

import json
import random

SPECIAL_STRINGS = ["", " ", "\ud800", "a\udfffb", "\x00", "\u202e", "<script>x</script>",
                   "密码" * 50, "😀" * 40, "x" * 6000, "../../etc", "a@b.c", "%s%n",
                   "' OR 1=1 --", "\\", "\n\t", "demo", "_common", "admin", "online"]
SPECIAL_NUMBERS = [0, -1, 1, 2 ** 53, -(2 ** 53), 10 ** 40, 2 ** 63, 1e308, -1e-320,
                   float("nan"), float("inf"), float("-inf"), 0.5, 1e-200, 7]


def _string(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(SPECIAL_STRINGS)
    alphabet = "abcXYZ019_-.@ 中文é\u0301\U0001F600\ud83d"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))


def value(rng: random.Random, depth: int = 0):
    """Any JSON-ish value (json.dumps writes NaN, Infinity and "\\udXXX" escapes for it)."""
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice(SPECIAL_NUMBERS)
    if kind == 3:
        return rng.randrange(-1000, 1000)
    if kind in (4, 5):
        return _string(rng)
    if kind == 6:
        return [value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == 7:
        return {_string(rng)[:20]: value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}
    return [[[[[[[[[[value(rng, depth + 3)]]]]]]]]]]


def plausible(rng: random.Random, schema: dict | None, depth: int = 0):
    """A value of the documented type most of the time, junk otherwise."""
    if not schema or rng.random() < 0.35 or depth > 4:
        return value(rng, depth)
    t = schema.get("type")
    if "enum" in schema and rng.random() < 0.7:
        return rng.choice(schema["enum"])
    if t == "string":
        fmt = schema.get("format")
        if fmt == "email" and rng.random() < 0.5:
            return f"u{rng.randrange(10**6)}@example.com"
        return _string(rng)[: schema.get("maxLength", 10 ** 6)] if rng.random() < 0.7 \
            else _string(rng)
    if t == "integer":
        return rng.choice([rng.randrange(-5, 100), rng.choice(SPECIAL_NUMBERS)])
    if t == "number":
        return rng.choice([rng.random() * 10, rng.choice(SPECIAL_NUMBERS)])
    if t == "boolean":
        return rng.choice([True, False])
    if t == "array":
        return [plausible(rng, schema.get("items"), depth + 1)
                for _ in range(rng.choice([0, 1, 2, 3, 40]))]
    if t == "object":
        return obj(rng, schema, depth + 1)
    return value(rng, depth)


def obj(rng: random.Random, schema: dict | None, depth: int = 0) -> dict:
    props = (schema or {}).get("properties") or {}
    out = {}
    for name, sub in props.items():
        if name in (schema.get("required") or ()) or rng.random() < 0.6:
            out[name] = plausible(rng, sub, depth)
    if rng.random() < 0.15 or not props:
        out[_string(rng)[:20]] = value(rng, depth)
    return out


BAD_BODIES = [b"\xff\xfe{}", b'{"text": "\xed\xa0\x80"}', "{", "nul\x00l", "[1,2]",
              "\"text\"", "12", "null", "{'a': 1}", '{"a": 1e999}', '{"a": -Infinity}',
              '{"a": NaN}', '{"a": "\\ud800"}', '{"a": ' + "9" * 5000 + "}", "{} {}",
              "[" * 20000, "[" * 40 + "]" * 40, '{"a":' * 5000 + "1" + "}" * 5000]


def raw(rng: random.Random) -> str | bytes:
    """A body that is not (acceptable) JSON at all."""
    return rng.choice(BAD_BODIES)


def body(rng: random.Random, schema: dict | None) -> str | bytes:
    """A request body or frame: mostly JSON text for `schema`, sometimes worse."""
    if rng.random() < 0.12:
        return raw(rng)
    return json.dumps(obj(rng, schema))


def resolve(spec: dict, schema: dict | None, depth: int = 0) -> dict | None:
    """Inline the $refs and allOf of an OpenAPI schema (enough for generating bodies)."""
    if not isinstance(schema, dict) or depth > 8:
        return schema
    if "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return resolve(spec, node, depth + 1)
    if "allOf" in schema:
        merged: dict = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = resolve(spec, part, depth + 1) or {}
            merged["properties"].update(part.get("properties") or {})
            merged["required"] += part.get("required") or []
        return merged
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: resolve(spec, v, depth + 1) for k, v in out["properties"].items()}
    if "items" in out:
        out["items"] = resolve(spec, out["items"], depth + 1)
    return out

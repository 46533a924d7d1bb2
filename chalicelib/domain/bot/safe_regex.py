"""Admin-written regular expressions (flow slot ``pattern`` / ``validate``) run in linear time.

The patterns come from site admins and run on visitor text, so a pattern such as ``(a+)+$``
must not be able to stall a bot turn (catastrophic backtracking in Python's ``re``). They run
on RE2 (the ``google-re2`` wheel): no backtracking, time linear in the input, memory capped
by ``MAX_MEM``. RE2 has no look-around and no back-references; such patterns are refused when
a flow is saved (``compile_pattern`` raises ``UnsafePattern``) and, if one was stored before,
never match. The input is capped at ``MAX_INPUT`` characters as well.

The built-in patterns in slots.py (phones, dates, the default order number) are fixed,
reviewed and use look-behind, so they stay on ``re``.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

import re2

from chalicelib.errors import ValidationError

MAX_PATTERN = 200
MAX_INPUT = 5000
MAX_MEM = 8 << 20


class UnsafePattern(ValueError):
    pass


def _options() -> "re2.Options":
    opts = re2.Options()
    opts.log_errors = False
    opts.max_mem = MAX_MEM
    return opts


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str, ignore_case: bool = False):
    if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN:
        raise UnsafePattern(f"a pattern must be 1-{MAX_PATTERN} characters")
    try:
        return re2.compile(("(?i)" if ignore_case else "") + pattern, _options())
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and \
            isinstance(exc.args[0], bytes) else str(exc)
        raise UnsafePattern(f"not supported by the linear-time engine (RE2: no look-around, "
                            f"no back-references): {detail}") from None


def _compiled(pattern: str, ignore_case: bool):
    try:
        return compile_pattern(pattern, ignore_case)
    except UnsafePattern:
        return None


def search(pattern: str, text: str, ignore_case: bool = True) -> Optional[str]:
    """The first match (group 1 when the pattern has a group), or None."""
    rx = _compiled(pattern, ignore_case)
    if rx is None:
        return None
    m = rx.search((text or "")[:MAX_INPUT])
    if not m:
        return None
    return m.group(1) if rx.groups else m.group(0)


def fullmatch(pattern: str, text: str) -> bool:
    rx = _compiled(pattern, False)
    return rx is not None and rx.fullmatch((text or "")[:MAX_INPUT]) is not None


def validate_pattern(value, name: str) -> Optional[str]:
    """Save-time check of an admin pattern: a 400 naming the field if it is not a string of
    at most MAX_PATTERN characters (``invalid_type``), does not compile (``invalid_regex``)
    or needs what RE2 does not run (``unsupported_regex``)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_PATTERN:
        raise ValidationError(f"'{name}' must be a regular expression (max {MAX_PATTERN} "
                              "characters).", code="invalid_type", details={"field": name})
    try:
        re.compile(value)            # parsing only: the syntax error message people know
    except re.error as exc:
        raise ValidationError(f"'{name}' is not a valid regular expression: {exc}",
                              code="invalid_regex", details={"field": name})
    try:
        compile_pattern(value)
    except UnsafePattern as exc:
        raise ValidationError(f"'{name}': {exc}", code="unsupported_regex",
                              details={"field": name})
    return value

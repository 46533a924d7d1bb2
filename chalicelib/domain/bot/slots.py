"""Slot extraction from free text: order numbers, phones, emails, dates.

Values are typed: ``datetime.date`` for dates, E.164-ish ``str`` ("+8613812345678") for
phones, lower-cased ``str`` for emails, ``str`` for regex slots (order numbers), ``int``
for numbers.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from . import safe_regex

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
CN_MOBILE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s\-]?)?(1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4})(?!\d)")
INTL_PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)([1-9]\d{0,2})[\s\-]?(\(?\d[\d\s\-()]{5,16}\d)(?!\d)")
DEFAULT_ORDER_RE = r"(?<![A-Za-z0-9])[A-Za-z]{0,4}-?\d{6,20}(?![A-Za-z0-9])"
NUMBER_RE = re.compile(r"(?<![\d.])\d+(?![\d.])")

_ISO_RE = re.compile(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日|号)?(?!\d)")
_CN_MD_RE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})(?:日|号)")
_MD_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")
_REL_ZH = {"大前天": -3, "前天": -2, "昨天": -1, "今天": 0, "明天": 1, "后天": 2, "大后天": 3,
           "昨日": -1, "今日": 0, "明日": 1}
_REL_EN = {"day before yesterday": -2, "day after tomorrow": 2, "yesterday": -1, "today": 0,
           "tonight": 0, "tomorrow": 1}
_REL_EN_RE = re.compile(r"\b(" + "|".join(sorted(_REL_EN, key=len, reverse=True)) + r")\b")


def _prep(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def extract_email(text: str) -> Optional[str]:
    m = EMAIL_RE.search(_prep(text))
    return m.group(0).lower() if m else None


def extract_phone(text: str) -> Optional[str]:
    """CN mobile (1[3-9]xxxxxxxxx, optional +86) or international (+NN ...)."""
    t = _prep(text)
    m = CN_MOBILE_RE.search(t)
    if m:
        return "+86" + re.sub(r"[\s\-]", "", m.group(1))
    m = INTL_PHONE_RE.search(t)
    if m:
        digits = re.sub(r"\D", "", m.group(2))
        if 6 <= len(digits) <= 14:
            return "+" + m.group(1) + digits
    return None


def _mkdate(y: int, m: int, d: int) -> Optional[_dt.date]:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def extract_date(text: str, today: Optional[_dt.date] = None) -> Optional[_dt.date]:
    """ISO / slashed / 年月日 / 11月25日 / 11/25 (month/day) / 今天明天昨天 / today, tomorrow."""
    today = today or _dt.date.today()
    t = _prep(text)
    m = _ISO_RE.search(t)
    if m:
        return _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_MD_RE.search(t)
    if m:
        return _mkdate(today.year, int(m.group(1)), int(m.group(2)))
    m = _MD_RE.search(t)
    if m:
        d = _mkdate(today.year, int(m.group(1)), int(m.group(2)))
        if d:
            return d
    for word in sorted(_REL_ZH, key=len, reverse=True):
        if word in t:
            return today + _dt.timedelta(days=_REL_ZH[word])
    m = _REL_EN_RE.search(t.lower())
    if m:
        return today + _dt.timedelta(days=_REL_EN[m.group(1)])
    return None


_DEFAULT_ORDER = re.compile(DEFAULT_ORDER_RE, re.IGNORECASE)


def extract_regex(text: str, pattern: str) -> Optional[str]:
    """An admin-written pattern (case-insensitive): run on RE2, linear time (safe_regex)."""
    return safe_regex.search(pattern, _prep(text))


def _default_order(text: str) -> Optional[str]:
    m = _DEFAULT_ORDER.search(text)
    return m.group(0) if m else None


def extract_order_number(text: str, pattern: Optional[str] = None) -> Optional[str]:
    v = extract_regex(text, pattern) if pattern else _default_order(_prep(text))
    return v.upper() if v else None


@dataclass
class SlotSpec:
    """What to extract for a slot. kind: order|regex|phone|email|date|number|text."""
    name: str
    kind: str = "regex"
    pattern: Optional[str] = None


def _mask(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def extract_slots(text: str, specs: list[SlotSpec], today: Optional[_dt.date] = None) -> dict[str, Any]:
    """Extract every slot found in ``text``. Emails, phones and dates are taken first and
    masked, so that an order-number regex does not swallow a phone number or a date."""
    t = _prep(text)
    out: dict[str, Any] = {}
    kinds = {s.kind for s in specs}
    masked = t
    for spec in specs:
        if spec.kind == "email":
            v = extract_email(t)
            if v:
                out[spec.name] = v
    if "email" in kinds:
        masked = _mask(masked, EMAIL_RE)
    for spec in specs:
        if spec.kind == "phone":
            v = extract_phone(masked)
            if v:
                out[spec.name] = v
    if "phone" in kinds:
        masked = _mask(_mask(masked, CN_MOBILE_RE), INTL_PHONE_RE)
    for spec in specs:
        if spec.kind == "date":
            v = extract_date(masked, today)
            if v:
                out[spec.name] = v
    if "date" in kinds:
        masked = _mask(_mask(_mask(masked, _ISO_RE), _CN_MD_RE), _MD_RE)
    for spec in specs:
        if spec.kind in ("order", "regex"):
            v = extract_regex(masked, spec.pattern) if spec.pattern else _default_order(masked)
            if v:
                out[spec.name] = v.upper() if spec.kind == "order" else v
        elif spec.kind == "number":
            m = NUMBER_RE.search(masked)
            if m:
                out[spec.name] = int(m.group(0))
    return out

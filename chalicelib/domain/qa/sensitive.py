"""Sensitive data an agent should not send: payment card numbers (Luhn-valid), mainland China
resident ID numbers (GB 11643 check digit and a real birth date) and phone numbers. Each
finder returns (start, end, kind) spans of the text; `mask` hides all but the last four."""
from __future__ import annotations

import re
from datetime import date

_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_CN = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_PHONE_INTL = re.compile(r"(?<![\d+])\+\d{1,3}[ -]?\d(?:[ -]?\d){6,13}(?!\d)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def id_card_ok(number: str) -> bool:
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS)) % 11]
    if number[17] != check:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def find(text: str) -> list[tuple[int, int, str]]:
    """Every sensitive span in the text, left to right, never overlapping."""
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _ID.finditer(text):
        if id_card_ok(m.group()):
            spans.append((m.start(), m.end(), "id_card"))
            taken.append((m.start(), m.end()))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and free(m.start(), m.end()):
            spans.append((m.start(), m.end(), "card_number"))
            taken.append((m.start(), m.end()))
    for pattern in (_MOBILE_CN, _PHONE_INTL):
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                spans.append((m.start(), m.end(), "phone"))
                taken.append((m.start(), m.end()))
    return sorted(spans)


def mask(text: str, spans: list[tuple[int, int, str]] | None = None) -> str:
    """The text with every sensitive span's characters but the last four digits as '*'."""
    spans = find(text) if spans is None else spans
    out, last = [], 0
    for start, end, _kind in spans:
        out.append(text[last:start])
        part = text[start:end]
        digits_seen = sum(ch.isalnum() for ch in part)
        keep_from = digits_seen - 4
        masked, n = [], 0
        for ch in part:
            if ch.isalnum():
                masked.append(ch if n >= keep_from else "*")
                n += 1
            else:
                masked.append(ch)
        out.append("".join(masked))
        last = end
    out.append(text[last:])
    return "".join(out)

"""Quoted history and signatures cut from a plain-text reply: what is left is what the sender
wrote this time.

The reply ends at the first of: an attribution line ("On <date>, <name> wrote:", possibly
wrapped over two lines; "在 <date>，<name> 写道："), a forwarded/original message separator
("-----Original Message-----", "----- 原始邮件 -----", Outlook's "________" rule), an
Outlook header block ("From: ..." followed by "Sent:"/"Date:" within a few lines; "发件人："
followed by "发送时间："/"日期："), the signature delimiter ("-- "). Remaining lines starting
with ">" are quotes too.
"""
from __future__ import annotations

import re

ATTRIBUTION = [
    re.compile(r"^on\b.{0,400}\bwrote:\s*$", re.I),
    re.compile(r"^在.{0,400}写道[:：]\s*$"),
    re.compile(r"^.{0,300}\b(schrieb|a écrit|escribió)\s*:\s*$", re.I),
]
SEPARATOR = [
    re.compile(r"^-{2,}\s*(original message|forwarded message|原始邮件|转发邮件)\s*-{2,}\s*$",
               re.I),
    re.compile(r"^_{10,}\s*$"),
]
HEADER_START = re.compile(r"^\*?(from|发件人)\*?\s*[:：]", re.I)
HEADER_NEXT = re.compile(r"^\*?(sent|date|to|subject|发送时间|日期|收件人|主题)\*?\s*[:：]", re.I)
SIGNATURE = ("-- ", "--")


def _is_header_block(lines: list[str], i: int) -> bool:
    if not HEADER_START.match(lines[i].strip()):
        return False
    following = [ln.strip() for ln in lines[i + 1:i + 5] if ln.strip()]
    return any(HEADER_NEXT.match(ln) for ln in following[:3])


def _cut_at(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if line in SIGNATURE or line.rstrip("\r") in SIGNATURE:
            return i
        if any(p.match(stripped) for p in ATTRIBUTION + SEPARATOR):
            return i
        if i + 1 < len(lines) and re.match(r"^(on\b|在)", stripped, re.I):
            joined = f"{stripped} {lines[i + 1].strip()}"
            if any(p.match(joined) for p in ATTRIBUTION):
                return i
        if _is_header_block(lines, i):
            return i
    return len(lines)


def strip_quoted(text: str) -> str:
    """The new part of a reply (trailing blank lines removed)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = lines[:_cut_at(lines)]
    lines = [ln for ln in lines if not ln.lstrip().startswith(">")]
    return "\n".join(ln.rstrip() for ln in lines).strip("\n").strip()

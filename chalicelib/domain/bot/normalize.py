"""Text normalisation for the bot (pure Python, stdlib only).

``normalize(text)`` applies, in order: NFKC (full-width -> half-width), lowercase,
traditional -> simplified Chinese (OpenCC's character table, t2s.py, and a few pairs of
our own),
punctuation stripping (replaced by spaces) and whitespace collapse.
"""
from __future__ import annotations

import re
import unicodedata

from .t2s import PAIRS as OPENCC_T2S

# Traditional -> simplified: OpenCC's whole character table (t2s.py), and over it the pairs
# where this project reads a character otherwise: OpenCC leaves 瞭, 劵 and 暱 alone and
# gives 帳 -> 帐; 帐 itself is a variant used interchangeably with 账 (帐号/账号, 帐户/账户).
# (A hand-written list of 395 customer-service pairs came before OpenCC's table; every other
# pair of it is OpenCC's.)
_OWN_PAIRS = {"帳": "账", "帐": "账", "瞭": "了", "劵": "券", "暱": "昵"}
T2S: dict[str, str] = {**OPENCC_T2S, **_OWN_PAIRS}

_T2S_TRANS = str.maketrans(T2S)
_WS = re.compile(r"\s+")


def to_simplified(text: str) -> str:
    """Map traditional characters in the table to simplified ones."""
    return text.translate(_T2S_TRANS)


def _strip_punct(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("P", "S") and ch not in "+@#":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str, keep_punct: bool = False) -> str:
    """Normalise user or KB text for matching.

    >>> normalize("ＨＯＷ  much？ 費用")
    'how much 费用'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    text = to_simplified(text)
    if not keep_punct:
        text = _strip_punct(text)
    return _WS.sub(" ", text).strip()


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def detect_language(text: str, default: str = "en") -> str:
    """'zh' if the text contains CJK ideographs (at least ~ as many as latin words)."""
    if not text:
        return default
    cjk = sum(1 for ch in text if is_cjk(ch))
    if cjk == 0:
        latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
        return "en" if latin else default
    words = len(re.findall(r"[a-zA-Z]{2,}", text))
    return "zh" if cjk >= words else "en"

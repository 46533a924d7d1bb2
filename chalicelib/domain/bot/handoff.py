"""Detect explicit requests for a human agent (zh + en)."""
from __future__ import annotations

import re

from .normalize import normalize

# Chinese: phrases that on their own mean "give me a human".
_ZH_STRONG = ("转人工", "人工客服", "人工服务", "人工坐席", "找人工", "要人工", "接人工", "转接人工",
              "真人", "活人", "找客服", "联系客服", "客服人员", "客服小姐姐", "客服电话", "人工",
              "接线员", "工作人员", "转客服", "叫客服", "真正的客服", "人类客服")
# "人工" inside these words is not a handoff request
_ZH_EXCLUDE = ("人工智能", "人工成本", "人工费")
_ZH_NEG = ("不要人工", "不用人工", "不需要人工", "不找客服", "不用转", "不要转")

_HUMAN_NOUNS = r"(?:human(?: being)?|humans|person|people|agent|agents|representative|rep|operator|" \
               r"someone|somebody|anyone|staff|support team|support staff|customer service|" \
               r"customer support|live support|live chat|manager|supervisor)"
_EN_STRONG = re.compile(
    r"\b(?:real|live|actual|human) (?:person|human|agent|operator|people|support|rep|representative|chat)\b"
    r"|\b(?:talk|speak|chat|connect|transfer|put|get|escalate)\b(?: \w+){0,3}? (?:to|with|me to|me with)? ?"
    r"(?:a |an |the |your |some )?" + _HUMAN_NOUNS + r"\b"
    r"|\bhuman please\b|\bcall me\b"
)
_EN_NOUN_ONLY = re.compile(r"\b(?:human|agent|representative|operator|person|someone|staff)\b")
_POLITE = frozenset("please pls plz now i want need a an the to me my can could get give "
                    "let speak talk with hi hello hey ok okay thanks thank you just".split())
_EN_FALSE = re.compile(r"\buser agent\b|\bagent string\b|\btravel agent\b|\breal estate\b|"
                       r"\bsecret agent\b|\bagent header\b|\bhuman resources\b|\bthe person who\b")
_EN_NEG = re.compile(r"\b(?:don ?t|do not|dont|no need to|without) (?:\w+ ){0,2}(?:talk|speak|want|need)")


def is_handoff_request(text: str) -> bool:
    """True when the visitor explicitly asks for a human agent."""
    if not text:
        return False
    t = normalize(text)
    if not t:
        return False
    compact = t.replace(" ", "")
    if any(n in compact for n in _ZH_NEG):
        return False
    cleaned = compact
    for ex in _ZH_EXCLUDE:
        cleaned = cleaned.replace(ex, "")
    if any(p in cleaned for p in _ZH_STRONG):
        return True
    if "客服" in cleaned and len(cleaned) <= 6:  # "客服", "客服呢", "客服在吗"
        return True
    if _EN_FALSE.search(t) or _EN_NEG.search(t):
        return False
    if _EN_STRONG.search(t):
        return True
    # short message that is basically just a human noun: "agent please", "REPRESENTATIVE!!"
    words = t.split()
    if _EN_NOUN_ONLY.search(t):
        rest = [w for w in words if w not in _POLITE and not _EN_NOUN_ONLY.fullmatch(w)]
        if not rest:
            return True
    return False

"""Automatic checks on a closed conversation and its 0-100 score.

`inspect(transcript, conversation, rules)` reads the stored messages of one conversation
(rows with seq, sender_type, type, text, created_at, event) and the conversation's attrs
(rating, close reason), applies the site's rules (data, see DEFAULT_RULES) and returns the
score, each check's outcome and the findings, each pointing at the message that triggered it.
A failed check costs its weight once, however many findings it has.
"""
from __future__ import annotations

import re
import unicodedata

from chalicelib.domain.bot.normalize import to_simplified
from chalicelib.domain.qa import sensitive

DEFAULT_RULES: dict = {
    "first_response": {"enabled": True, "weight": 15, "limit_seconds": 60},
    "silence": {"enabled": True, "weight": 15, "limit_seconds": 120},
    "greeting": {"enabled": True, "weight": 10,
                 "phrases": ["您好", "你好", "欢迎", "很高兴为您服务", "hello", "hi", "welcome",
                             "good morning", "good afternoon", "good evening"]},
    "closing": {"enabled": True, "weight": 10,
                "phrases": ["再见", "感谢", "谢谢", "祝您", "还有什么", "还有其他", "bye",
                            "thank", "anything else", "have a nice", "have a great"]},
    "forbidden": {"enabled": True, "weight": 25,
                  "phrases": ["滚", "闭嘴", "笨蛋", "白痴", "神经病", "爱买不买", "shut up",
                              "stupid", "idiot", "not my problem"]},
    "sensitive": {"enabled": True, "weight": 20, "mask": True},
    "frustration": {"enabled": True, "weight": 10,
                    "phrases": ["投诉", "差评", "太慢了", "垃圾", "骗子", "complaint", "complain",
                                "ridiculous", "unacceptable", "worst", "scam"],
                    "low_rating": 2},
    "transfers": {"enabled": True, "weight": 5, "max": 1},
    "unresolved": {"enabled": True, "weight": 10},
}
CHECKS = tuple(DEFAULT_RULES)
ANSWERS = ("text", "attachment")          # what counts as an agent answering (not a note)


def merge_rules(overrides: dict | None) -> dict:
    """The default rules with a site's (or team's) overrides applied check by check."""
    rules = {name: dict(rule) for name, rule in DEFAULT_RULES.items()}
    for name, rule in (overrides or {}).items():
        if name in rules and isinstance(rule, dict):
            rules[name].update(rule)
    return rules


def layered(site_rules: dict | None, team_rules: dict | None) -> dict:
    """The overrides that apply to one conversation: the site's `qa_rules`, then its team's
    (`qa_team_rules[team]`) on top, field by field: a team changes only what it names."""
    out: dict = {}
    for layer in (site_rules, team_rules):
        for name, rule in (layer or {}).items():
            if isinstance(rule, dict):
                out[name] = {**out.get(name, {}), **rule}
    return out


def fold(text: str | None) -> str:
    """Width-folded (NFKC), lower-case, simplified Chinese: how phrases are compared."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def _compact(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def contains_phrase(text: str, phrases) -> str | None:
    """The first phrase the text contains: ASCII phrases as whole words, others anywhere
    (ignoring spaces and punctuation placed inside them)."""
    folded = fold(text)
    compact = _compact(folded)
    for phrase in phrases or ():
        p = fold(phrase).strip()
        if not p:
            continue
        if p.isascii():
            if re.search(r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])", folded):
                return phrase
        elif _compact(p) and _compact(p) in compact:
            return phrase
    return None


def _is_answer(m: dict) -> bool:
    return m.get("sender_type") == "agent" and m.get("type") in ANSWERS


def _event(m: dict) -> str | None:
    return (m.get("event") or {}).get("kind") if m.get("type") == "event" else None


def _finding(check: str, m: dict | None, **detail) -> dict:
    return {"check": check, "seq": int(m["seq"]) if m else None, "detail": detail}


def _first_response(msgs, rule) -> list[dict]:
    start = next((m for m in msgs if _event(m) in ("assigned", "joined", "reopened")), None)
    if start is None:
        return []
    reply = next((m for m in msgs if m["seq"] > start["seq"] and _is_answer(m)), None)
    if reply is None:
        return [_finding("first_response", start, seconds=None, reason="no_reply")]
    seconds = (int(reply["created_at"]) - int(start["created_at"])) / 1000
    if seconds > rule["limit_seconds"]:
        return [_finding("first_response", reply, seconds=round(seconds, 1))]
    return []


def _silence(msgs, rule) -> list[dict]:
    """Silences are the visitor's waiting time only: from their first unanswered message
    after the agent's first answer to the agent's next answer (or the close)."""
    out, answered, waiting_since = [], False, None
    limit_ms = rule["limit_seconds"] * 1000
    for m in msgs:
        if _is_answer(m):
            if waiting_since is not None and int(m["created_at"]) - waiting_since > limit_ms:
                out.append(_finding("silence", m, seconds=round(
                    (int(m["created_at"]) - waiting_since) / 1000, 1)))
            answered, waiting_since = True, None
        elif answered and m.get("sender_type") == "visitor" and waiting_since is None:
            waiting_since = int(m["created_at"])
        elif _event(m) in ("closed", "transferred") and waiting_since is not None:
            if int(m["created_at"]) - waiting_since > limit_ms:
                out.append(_finding("silence", m, seconds=round(
                    (int(m["created_at"]) - waiting_since) / 1000, 1)))
            waiting_since = None
            if _event(m) == "transferred":
                answered = False        # the next agent's first answer is a first response
    return out


def _phrase_present(check, agent_texts, rule, which) -> list[dict]:
    if not agent_texts:
        return []
    m = agent_texts[0] if which == "first" else agent_texts[-1]
    if contains_phrase(m.get("text") or "", rule.get("phrases")):
        return []
    return [_finding(check, m, reason="missing")]


def _forbidden(agent_texts, rule) -> list[dict]:
    out = []
    for m in agent_texts:
        hit = contains_phrase(m.get("text") or "", rule.get("phrases"))
        if hit:
            out.append(_finding("forbidden", m, phrase=hit))
    return out


def _sensitive(agent_texts) -> list[dict]:
    out = []
    for m in agent_texts:
        spans = sensitive.find(m.get("text") or "")
        if spans:
            out.append(_finding("sensitive", m, kinds=sorted({k for _, _, k in spans})))
    return out


def _frustration(msgs, conversation, rule) -> list[dict]:
    out, seen = [], {}
    for m in msgs:
        if m.get("sender_type") != "visitor" or m.get("type") != "text":
            continue
        text = m.get("text") or ""
        hit = contains_phrase(text, rule.get("phrases"))
        if hit:
            out.append(_finding("frustration", m, signal="words", phrase=hit))
        letters = [c for c in text if c.isalpha() and c.isascii()]
        if len(letters) >= 10 and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
            out.append(_finding("frustration", m, signal="all_caps"))
        key = _compact(fold(text))
        if len(key) >= 4:
            if key in seen:
                out.append(_finding("frustration", m, signal="repeated", first_seq=seen[key]))
            else:
                seen[key] = int(m["seq"])
    score = ((conversation.get("attrs") or {}).get("rating") or {}).get("score")
    if score is not None and int(score) <= int(rule.get("low_rating", 2)):
        rated = next((m for m in msgs if _event(m) == "rated"), None)
        out.append(_finding("frustration", rated, signal="low_rating", score=int(score)))
    return out


def _transfers(msgs, rule) -> list[dict]:
    # an overflow (a waiting chat moved to another team's line) is no agent's transfer
    transfers = [m for m in msgs if _event(m) == "transferred" and
                 (m.get("event") or {}).get("reason") != "overflow"]
    return [_finding("transfers", m, count=i + 1)
            for i, m in enumerate(transfers) if i + 1 > int(rule.get("max", 1))]


def _unresolved(msgs) -> list[dict]:
    closed = next((m for m in reversed(msgs) if _event(m) == "closed"), None)
    if closed is None:
        return []
    spoken = [m for m in msgs if m["seq"] < closed["seq"] and
              m.get("sender_type") in ("visitor", "agent", "bot") and m.get("type") in ANSWERS]
    if spoken and spoken[-1].get("sender_type") == "visitor":
        return [_finding("unresolved", closed, last_visitor_seq=int(spoken[-1]["seq"]),
                         reason=(closed.get("event") or {}).get("reason"))]
    return []


def inspect(transcript: list[dict], conversation: dict, rules: dict | None = None) -> dict:
    """Score one conversation: {"score", "checks": {name: {"passed", "weight"}}, "findings",
    "masked": {seq: text}} (masked agent texts when the sensitive rule masks)."""
    rules = merge_rules(rules)
    msgs = sorted(transcript, key=lambda m: int(m["seq"]))
    agent_texts = [m for m in msgs if m.get("sender_type") == "agent" and m.get("type") == "text"]
    found = {
        "first_response": lambda r: _first_response(msgs, r),
        "silence": lambda r: _silence(msgs, r),
        "greeting": lambda r: _phrase_present("greeting", agent_texts, r, "first"),
        "closing": lambda r: _phrase_present("closing", agent_texts, r, "last"),
        "forbidden": lambda r: _forbidden(agent_texts, r),
        "sensitive": lambda r: _sensitive(agent_texts),
        "frustration": lambda r: _frustration(msgs, conversation, r),
        "transfers": lambda r: _transfers(msgs, r),
        "unresolved": lambda r: _unresolved(msgs),
    }
    checks, findings, score = {}, [], 100
    for name in CHECKS:
        rule = rules[name]
        if not rule.get("enabled", True):
            continue
        hits = found[name](rule)
        weight = int(rule.get("weight", 0))
        checks[name] = {"passed": not hits, "weight": weight}
        findings += hits
        if hits:
            score -= weight
    masked = {}
    if rules["sensitive"].get("enabled", True) and rules["sensitive"].get("mask"):
        for f in findings:
            if f["check"] == "sensitive":
                m = next(x for x in msgs if int(x["seq"]) == f["seq"])
                masked[f["seq"]] = sensitive.mask(m.get("text") or "")
    return {"score": max(0, score), "checks": checks,
            "findings": sorted(findings, key=lambda f: (f["seq"] is None, f["seq"] or 0)),
            "masked": masked}


_RULE_FIELDS = {
    "enabled": lambda v: isinstance(v, bool),
    "weight": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100,
    "limit_seconds": lambda v: isinstance(v, int) and not isinstance(v, bool) and
    1 <= v <= 86400,
    "max": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 20,
    "low_rating": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5,
    "mask": lambda v: isinstance(v, bool),
    "phrases": lambda v: isinstance(v, list) and len(v) <= 100 and all(
        isinstance(p, str) and 0 < len(p.strip()) <= 50 for p in v),
}


def validate_rules(rules, path: str = "qa_rules") -> dict:
    """A site's `qa_rules` (or one team's) as an admin saves them: {check: {field: value}};
    raises ValueError(field path) for anything else."""
    if not isinstance(rules, dict):
        raise ValueError(path)
    for name, rule in rules.items():
        if name not in DEFAULT_RULES or not isinstance(rule, dict):
            raise ValueError(f"{path}.{name}")
        for key, value in rule.items():
            if key not in DEFAULT_RULES[name] or not _RULE_FIELDS[key](value):
                raise ValueError(f"{path}.{name}.{key}")
    return rules


MAX_TEAMS = 50


def validate_team_rules(by_team, team_id: re.Pattern) -> dict:
    """A site's `qa_team_rules`: {team id: rules as validate_rules}, at most MAX_TEAMS."""
    if not isinstance(by_team, dict) or len(by_team) > MAX_TEAMS:
        raise ValueError("qa_team_rules")
    for team, rules in by_team.items():
        if not isinstance(team, str) or not team_id.match(team):
            raise ValueError(f"qa_team_rules.{team}")
        validate_rules(rules, f"qa_team_rules.{team}")
    return by_team

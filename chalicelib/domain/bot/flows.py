"""Multi-turn flows defined as data, run by a pure state machine.

A flow definition (dict, JSON-serialisable)::

    {
      "id": "order-status",
      "triggers": {"zh": ["查订单", "订单状态"], "en": ["order status", "track my order"]},
      "slots": [
        {"name": "order_id", "kind": "order",            # order|regex|phone|email|date|number|text
         "pattern": "[A-Z]{2}\\d{6,}",                    # extraction regex (order/regex kinds)
         "validate": "[A-Z]{2}\\d{6,}",                   # optional full-match validation
         "prompt": {"zh": "请提供订单号", "en": "What is your order number?"},
         "invalid": {"zh": "订单号格式不对...", "en": "That does not look like..."}}
      ],
      "action": {"url": "https://api.example.com/orders/status", "method": "POST", "timeout": 3},
      "answers": {"success": {"zh": "订单{order_id}:{status}", "en": "Order {order_id}: {status}"},
                  "failure": {"zh": "...", "en": "..."}},
      "labels": {"status": {"shipped": {"zh": "已发货", "en": "shipped"}}}  # optional
    }

Response values that are codes are shown as text in the visitor's language
(``status_text.readable``: the flow's ``labels``, then common codes such as processing).

``FlowEngine.step(state, text, context_slots, call_endpoint)`` returns ``(reply, new_state)``;
``reply`` is ``None`` when no flow is active and the text triggers none. The HTTP call is
injected: ``call_endpoint(url, payload, timeout) -> dict`` (payload includes ``method``
under the ``"_method"`` key); any exception, or a response with ``ok: false`` / ``error``,
gives the polite failure answer.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from . import safe_regex
from .normalize import detect_language, normalize
from .slots import SlotSpec, extract_slots
from .status_text import readable

CallEndpoint = Callable[[str, dict, float], dict]

CANCEL_PHRASES_ZH = ("算了", "不查了", "不用了", "取消", "不要了", "退出", "不办了", "先不", "停止",
                     "结束", "不弄了", "别查了")
CANCEL_PHRASES_EN = ("cancel", "never mind", "nevermind", "forget it", "stop", "quit", "exit",
                     "abort", "not now", "leave it")
# these also name things people ask about ("取消自动续费怎么弄", "how do I cancel my plan"):
# they leave the flow only when the message is little more than the command
_AMBIGUOUS_CANCEL = frozenset(("取消", "退出", "停止", "结束", "cancel", "stop", "quit", "exit"))
_QUESTION_ZH = ("怎么", "如何", "怎样", "吗", "什么", "为什么", "能不能", "可以", "多少", "哪")
_QUESTION_EN = frozenset("how what why when where which can could does do is are will".split())
_FILLER_ZH = set("吧吧了啊呀嘛呢哦好的请我要先这个那就算")
_FILLER_EN = frozenset("please pls it this that the flow now ok okay just i want to".split())
CORRECTION_MARKERS = ("不对", "不是", "错了", "改成", "改为", "应该是", "其实是", "更正", "no ", "no,",
                      "not ", "actually", "i mean", "wrong", "correction", "change it to", "instead",
                      "it's ", "it is ", "should be")

DEFAULT_TEXTS = {
    "cancelled": {"zh": "好的,已为您取消。还有什么可以帮您?",
                  "en": "OK, I've stopped that. Anything else I can help with?"},
    "failure": {"zh": "抱歉,暂时无法查询,请稍后再试,或回复\"人工\"联系客服。",
                "en": "Sorry, I can't look that up right now. Please try again later, or type \"agent\" to reach a person."},
    "invalid": {"zh": "格式好像不对,请再发一次。", "en": "That doesn't look right, could you send it again?"},
    "too_many": {"zh": "抱歉,我没能识别您的信息,已结束本次查询。回复\"人工\"可联系客服。",
                 "en": "Sorry, I couldn't get that. I've stopped this request; type \"agent\" to reach a person."},
}
_FIELD_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def safe_format(template: str, values: dict[str, Any]) -> str:
    """Replace ``{name}`` with ``values[name]`` (missing -> empty). No attribute/index
    access, no format specs, no eval: anything else is left as literal text."""
    def rep(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        v = values.get(m.group(1), "")
        if isinstance(v, (dict, list, tuple, set)):
            return ""
        if isinstance(v, _dt.date):
            return v.isoformat()
        return "" if v is None else str(v)
    return _FIELD_RE.sub(rep, template or "")


def _text(d: Any, lang: str) -> str:
    if isinstance(d, str):
        return d
    if isinstance(d, dict):
        return d.get(lang) or d.get("en") or d.get("zh") or next(iter(d.values()), "")
    return ""


@dataclass
class FlowReply:
    text: str
    status: str  # "ask" | "invalid" | "done" | "failed" | "cancelled"
    flow_id: str
    slots: dict[str, Any] = field(default_factory=dict)
    response: Optional[dict] = None


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, _dt.date) else v


class FlowEngine:
    def __init__(self, flows: list[dict], max_invalid: int = 3, today: Optional[_dt.date] = None):
        self.flows = {f["id"]: f for f in flows}
        self.max_invalid = max_invalid
        self.today = today
        self._triggers: list[tuple[str, str]] = []
        for f in flows:
            trig = f.get("triggers") or []
            phrases = [p for lst in trig.values() for p in lst] if isinstance(trig, dict) else list(trig)
            for p in phrases:
                n = normalize(p)
                if n:
                    self._triggers.append((n, f["id"]))
        self._triggers.sort(key=lambda x: -len(x[0]))

    # ---------------------------------------------------------------------------------
    def detect(self, text: str) -> Optional[str]:
        t = normalize(text)
        padded = " %s " % t
        for phrase, fid in self._triggers:
            if phrase.isascii():
                if " %s " % phrase in padded:
                    return fid
            elif phrase.replace(" ", "") in t.replace(" ", ""):
                return fid
        return None

    @staticmethod
    def is_cancel(text: str) -> bool:
        """A command to leave the flow ("算了", "取消", "cancel please"), not a question that
        happens to contain the word ("取消自动续费怎么弄", "how do I cancel my plan?")."""
        t = normalize(text)
        compact = t.replace(" ", "")
        words = t.split()
        if "?" in text or "？" in text or any(q in compact for q in _QUESTION_ZH) \
                or (words and words[0] in _QUESTION_EN):
            return False
        for p in CANCEL_PHRASES_ZH:
            i = compact.find(p)
            if i < 0:
                continue
            if p not in _AMBIGUOUS_CANCEL:
                return True
            rest = compact[:i] + compact[i + len(p):]
            if len([ch for ch in rest if ch not in _FILLER_ZH]) <= 1:
                return True
        padded = " %s " % t
        for p in CANCEL_PHRASES_EN:
            if " %s " % p not in padded:
                continue
            if p not in _AMBIGUOUS_CANCEL:
                return True
            rest = [w for w in words if w != p and w not in _FILLER_EN]
            if len(rest) <= 1:
                return True
        return False

    def remember(self, text: str) -> dict[str, Any]:
        """Slot values any flow could use, found in a message sent outside a flow ("my order
        number is AB123456" before "track my order"): context memory for a later flow."""
        out: dict[str, Any] = {}
        for flow in self.flows.values():
            defs = {s["name"]: s for s in flow.get("slots", [])}
            for name, v in extract_slots(text, self._specs(flow), self.today).items():
                if name not in out and self._valid(defs[name], v):
                    out[name] = _jsonable(v)
        return out

    @staticmethod
    def _correction_tail(text: str) -> str:
        """For "no, not AB1, it's CD2" / "不对,订单号是X": the part after the last marker."""
        low = text.lower()
        best = -1
        for m in CORRECTION_MARKERS:
            i = low.rfind(m)
            if i >= 0:
                best = max(best, i + len(m))
        return text[best:] if best >= 0 else text

    def _specs(self, flow: dict) -> list[SlotSpec]:
        return [SlotSpec(s["name"], s.get("kind", "regex"), s.get("pattern")) for s in flow.get("slots", [])
                if s.get("kind", "regex") != "text"]

    @staticmethod
    def _valid(slot: dict, value: Any) -> bool:
        pat = slot.get("validate")
        if not pat:
            return True
        return safe_regex.fullmatch(pat, str(_jsonable(value)))  # admin regex: RE2, linear

    # ---------------------------------------------------------------------------------
    def step(self, state: Optional[dict], text: str, context_slots: Optional[dict],
             call_endpoint: CallEndpoint, lang: Optional[str] = None):
        """Advance the conversation by one visitor message. Returns (reply|None, new_state)."""
        state = dict(state or {})
        context_slots = context_slots or {}
        fid = state.get("flow")
        flow = self.flows.get(fid) if fid else None
        if flow is None:
            fid = self.detect(text)
            if fid is None:
                return None, {}
            flow = self.flows[fid]
            state = {"flow": fid, "slots": {}, "asking": None, "invalid": 0,
                     "lang": lang or detect_language(text, "zh")}
            # context memory: slots already known are not asked again
            for s in flow.get("slots", []):
                v = context_slots.get(s["name"])
                if v not in (None, "") and self._valid(s, v):
                    state["slots"][s["name"]] = _jsonable(v)
        lang = lang or state.get("lang") or detect_language(text, "zh")
        state["lang"] = lang
        texts = {**DEFAULT_TEXTS, **flow.get("texts", {})}

        if state.get("asking") is not None and self.is_cancel(text):
            return FlowReply(_text(texts["cancelled"], lang), "cancelled", fid, dict(state["slots"])), {}

        slots_def = flow.get("slots", [])
        # every slot in the message, the part after a correction marker winning for the slots
        # it names ("订单号AB123456,手机不对,是139...": the order number is kept too)
        found = extract_slots(text, self._specs(flow), self.today)
        tail = self._correction_tail(text)
        if tail != text:
            found.update(extract_slots(tail, self._specs(flow), self.today))
        asking = state.get("asking")
        asking_def = next((s for s in slots_def if s["name"] == asking), None)
        retrigger = asking is not None and not found and self.detect(text) == fid
        if asking_def is not None and asking_def.get("kind") == "text" and asking not in found \
                and not retrigger:
            v = text.strip()
            if v:
                found[asking] = v
        invalid_slot = None
        for s in slots_def:
            name = s["name"]
            if name in found:
                if self._valid(s, found[name]):
                    # later values override: this is how corrections ("不对,订单号是X") work
                    state["slots"][name] = _jsonable(found[name])
                else:
                    invalid_slot = s
        missing = [s for s in slots_def if s["name"] not in state["slots"]]
        if asking_def is not None and asking in [m["name"] for m in missing] and not found \
                and not retrigger:  # the trigger sent again: ask again, not "invalid"
            invalid_slot = asking_def
        if missing:
            if invalid_slot is not None:
                state["invalid"] = state.get("invalid", 0) + 1
                if state["invalid"] >= self.max_invalid:
                    return FlowReply(_text(texts["too_many"], lang), "cancelled", fid, dict(state["slots"])), {}
                msg = _text(invalid_slot.get("invalid") or texts["invalid"], lang)
                nxt = invalid_slot if invalid_slot in missing else missing[0]
                state["asking"] = nxt["name"]
                return FlowReply(msg + " " + _text(nxt.get("prompt"), lang), "invalid", fid,
                                 dict(state["slots"])), state
            nxt = missing[0]
            state["asking"] = nxt["name"]
            return FlowReply(_text(nxt.get("prompt"), lang), "ask", fid, dict(state["slots"])), state

        # all slots known: call the action
        action = flow.get("action") or {}
        payload = dict(state["slots"])
        payload["_method"] = action.get("method", "POST")
        answers = flow.get("answers", {})
        filled = dict(state["slots"])
        try:
            resp = call_endpoint(action.get("url", ""), payload, float(action.get("timeout", 5)))
            if not isinstance(resp, dict) or resp.get("ok") is False or resp.get("error"):
                raise RuntimeError("endpoint reported failure")
        except Exception:  # noqa: BLE001 - any endpoint problem ends in the polite fallback
            tmpl = _text(answers.get("failure") or texts["failure"], lang)
            return FlowReply(safe_format(tmpl, filled), "failed", fid, filled), {}
        # the endpoint's codes in the visitor's words ("processing" -> 处理中; flow "labels")
        labels = flow.get("labels") or {}
        values = {**filled, **{k: readable(v, lang, labels.get(k)) for k, v in resp.items()
                               if isinstance(k, str)}}
        tmpl = _text(answers.get("success"), lang) or "OK"
        return FlowReply(safe_format(tmpl, values), "done", fid, filled, resp), {}

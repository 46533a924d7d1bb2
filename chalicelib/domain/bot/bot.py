"""Bot facade used by the conversation service. Pure: no I/O (the flow HTTP call is
injected), state in / state out.

``Bot.respond(state, text, context)`` decides, in order:
1. explicit human request               -> kind "handoff" (reason "requested")
2. active flow / flow trigger            -> kind "flow" (an FAQ question asked mid-flow is
                                            answered and the flow is kept)
3. FAQ matcher: answer / suggest / none  -> "answer" / "suggest" / "fallback"
4. ``max_misses`` consecutive misses     -> kind "handoff" (reason "repeated_misses")
   (a site's ``handoff_keywords`` hand off at once: reason "rule")

``context["offline"]`` (the conversation holds a leave-a-message offer: nobody can take it)
changes 3-4: misses are not counted and never hand off; the first miss gets the
"offline_reminder" text (kind "fallback"), later ones kind "silent" (no message is posted).
Answers, suggestions and flows work as usual; an explicit human request is still a
"handoff" (the caller asks the queue again: business hours may have started).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .flows import FlowEngine
from .handoff import is_handoff_request
from .matcher import Matcher
from .normalize import detect_language, normalize

DEFAULT_TEXTS = {
    "fallback": {"zh": "抱歉,我还不太明白您的问题。可以换个说法再问一次吗?回复\"人工\"可联系客服。",
                 "en": "Sorry, I didn't quite get that. Could you rephrase? Type \"agent\" to reach a person."},
    "suggest": {"zh": "您是不是想问:", "en": "Did you mean:"},
    "handoff": {"zh": "好的,正在为您转接人工客服,请稍候。",
                "en": "OK, I'm connecting you with a member of our team. Please hold on."},
    "handoff_misses": {"zh": "抱歉没能帮到您,正在为您转接人工客服,请稍候。",
                       "en": "Sorry I couldn't help with that. I'm connecting you with a member of our team."},
    "empty": {"zh": "您好,请问有什么可以帮您?", "en": "Hi! How can I help you?"},
    # after a handoff request that found nobody (outside business hours): no promise of an agent
    "offline": {"zh": "抱歉,现在没有人工客服在线。您可以通过下方的留言表单给我们留言,我们会尽快回复您。"
                      "其他常见问题我仍然可以回答。",
                "en": "Sorry, nobody from our team is available right now. You can leave us a message "
                      "with the form below and we'll get back to you. I can still answer common questions."},
    # queued, but no agent is online
    "offline_queued": {"zh": "抱歉,现在没有人工客服在线。您已在排队,客服上线后会尽快回复;"
                             "也可以通过下方的留言表单给我们留言。",
                       "en": "Sorry, nobody from our team is online right now. You're in line and "
                             "we'll reply as soon as someone is available; you can also leave a "
                             "message with the form below."},
    # first question the bot cannot answer while the leave-a-message offer stands
    "offline_reminder": {"zh": "这个问题我暂时回答不了。请通过下方的留言表单留下您的问题和联系方式,"
                               "我们的客服会尽快联系您。",
                         "en": "I can't answer that one. Please leave your question and contact "
                               "details with the form below and our team will get back to you."},
}


def clicked_label(offered: Optional[dict], text: str, entry_id: str) -> Optional[dict]:
    """The visitor answered a suggestion reply by sending one of the suggested questions
    (the widget's chip sends its text) and that entry answered: their earlier question is
    an example of that entry."""
    if not offered or entry_id not in (offered.get("ids") or []):
        return None
    earlier = offered.get("text") or ""
    if not earlier or normalize(earlier) == normalize(text):
        return None
    return {"text": earlier, "entry_id": entry_id, "source": "clicked"}


def _no_endpoint(url: str, payload: dict, timeout: float) -> dict:
    raise RuntimeError("no endpoint adapter configured")


@dataclass
class BotReply:
    kind: str  # "answer" | "suggest" | "fallback" | "handoff" | "flow" | "silent" (post nothing)
    text: str
    suggestions: list[dict] = field(default_factory=list)  # [{"id", "question"}]
    entry_id: Optional[str] = None
    confidence: float = 0.0
    handoff_reason: Optional[str] = None  # "requested" | "repeated_misses"
    new_state: dict = field(default_factory=dict)
    lang: str = "zh"
    flow_status: Optional[str] = None
    slots: dict = field(default_factory=dict)  # slots collected by a flow (context memory)
    # learning: a suggestion the visitor clicked labels their earlier question with that entry
    label: Optional[dict] = None  # {"text", "entry_id", "source": "clicked"}


class Bot:
    def __init__(self, matcher: Matcher, flows: Any = None, *, max_misses: int = 2,
                 texts: Optional[dict] = None, call_endpoint: Optional[Callable] = None,
                 default_lang: str = "zh", suggest_counts_as_miss: bool = False,
                 handoff_keywords: Sequence[str] = ()):
        self.matcher = matcher
        if flows is None or isinstance(flows, FlowEngine):
            self.flows = flows
        else:
            self.flows = FlowEngine(list(flows))
        self.max_misses = max_misses
        self.texts = {**DEFAULT_TEXTS, **(texts or {})}
        self.call_endpoint = call_endpoint or _no_endpoint
        self.default_lang = default_lang
        self.suggest_counts_as_miss = suggest_counts_as_miss
        # a site's own handoff rule: messages containing one of these go to a person
        # ("refund", "投诉", "invoice dispute"); compared normalised, spaces ignored
        self.handoff_keywords = [k for k in (normalize(x).replace(" ", "") for x in
                                             handoff_keywords) if k]

    def text(self, key: str, lang: str) -> str:
        """One of the bot's texts (``texts=`` overrides) in ``lang``."""
        return self._t(key, lang)

    def _t(self, key: str, lang: str) -> str:
        v = self.texts[key]
        return v.get(lang) or v.get("en") or next(iter(v.values()))

    def _lang(self, text: str, state: dict, context: dict) -> str:
        locale = (context.get("locale") or "").lower()
        fallback = state.get("lang") or ("zh" if locale.startswith("zh") else
                                         "en" if locale else self.default_lang)
        return detect_language(text, fallback)

    def respond(self, state: Optional[dict], text: str, context: Optional[dict] = None) -> BotReply:
        state = dict(state or {})
        offered = state.pop("offered", None)  # suggestions of the previous turn only
        context = context or {}
        text = text or ""
        lang = self._lang(text, state, context)
        state["lang"] = lang
        misses = int(state.get("misses", 0))

        if not text.strip():
            return BotReply("fallback", self._t("empty", lang), new_state=state, lang=lang)

        if is_handoff_request(text):
            new = {k: v for k, v in state.items() if k != "flow"}
            new["misses"] = 0
            return BotReply("handoff", self._t("handoff", lang), handoff_reason="requested",
                            new_state=new, lang=lang)
        if self.handoff_keywords:
            compact = normalize(text).replace(" ", "")
            if any(k in compact for k in self.handoff_keywords):
                new = {k: v for k, v in state.items() if k != "flow"}
                new["misses"] = 0
                return BotReply("handoff", self._t("handoff", lang), handoff_reason="rule",
                                new_state=new, lang=lang)

        match = None
        if self.flows is not None:
            call = context.get("call_endpoint") or self.call_endpoint
            # context memory: slot values said in a message outside any flow ("my order number
            # is AB123456", then "track my order") are not asked again by the next flow
            known = {**(context.get("slots") or {}), **(state.get("seen_slots") or {})}
            freply, fstate = self.flows.step(state.get("flow"), text, known, call, lang=lang)
            if freply is None:
                seen = self.flows.remember(text)
                if seen:
                    state["seen_slots"] = {**(state.get("seen_slots") or {}), **seen}
            elif not fstate:
                state.pop("seen_slots", None)  # used by the flow that just ended
            if freply is not None:
                if freply.status == "invalid":
                    match = self.matcher.match(text)
                    if match.decision == "answer":  # FAQ question mid-flow: answer, keep flow
                        return self._answer(match, state, lang)
                new = dict(state)
                new["misses"] = 0
                if fstate:
                    new["flow"] = fstate
                else:
                    new.pop("flow", None)
                return BotReply("flow", freply.text, new_state=new, lang=lang,
                                flow_status=freply.status, slots=freply.slots)

        match = match or self.matcher.match(text)
        if match.decision == "answer":
            reply = self._answer(match, state, lang)
            reply.label = clicked_label(offered, text, match.best.id)
            return reply
        if match.decision == "suggest":
            if self.suggest_counts_as_miss:
                state["misses"] = misses + 1
            sugg = [{"id": e.id, "question": e.question} for e, _ in match.suggestions]
            # remembered for one turn: a click on one of them labels this question
            state["offered"] = {"text": text[:500], "ids": [s["id"] for s in sugg]}
            lines = [self._t("suggest", lang)] + ["%d. %s" % (i + 1, s["question"]) for i, s in enumerate(sugg)]
            return BotReply("suggest", "\n".join(lines), suggestions=sugg,
                            confidence=match.confidence, new_state=state, lang=lang)
        if context.get("offline"):
            # nobody can take the conversation: do not loop on "rephrase" / handoff
            state["misses"] = 0
            if state.get("offline_reminded"):
                return BotReply("silent", "", confidence=match.confidence, new_state=state,
                                lang=lang)
            state["offline_reminded"] = True
            return BotReply("fallback", self._t("offline_reminder", lang),
                            confidence=match.confidence, new_state=state, lang=lang)
        misses += 1
        if misses >= self.max_misses:
            state["misses"] = 0
            return BotReply("handoff", self._t("handoff_misses", lang), confidence=match.confidence,
                            handoff_reason="repeated_misses", new_state=state, lang=lang)
        state["misses"] = misses
        return BotReply("fallback", self._t("fallback", lang), confidence=match.confidence,
                        new_state=state, lang=lang)

    def _answer(self, match, state: dict, lang: str) -> BotReply:
        state = dict(state)
        state["misses"] = 0
        e = match.best
        return BotReply("answer", e.answer, entry_id=e.id, confidence=match.confidence,
                        suggestions=[{"id": s.id, "question": s.question} for s, _ in match.suggestions
                                     if s.id != e.id and detect_language(s.question, lang) == lang],
                        new_state=state, lang=lang)

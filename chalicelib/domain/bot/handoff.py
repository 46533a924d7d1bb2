"""Detect explicit requests for a human agent (zh + en).

Rules, not phrase lists (the tests hold many more variants than the code names):

Chinese
* a *person noun* (人工/人工客服, 真人, 活人, 客服, 工作人员, 经理, 领导, 主管, 负责人, 店员,
  导购 ...) counts when it is **asked for**: after a request verb (转/找/要/叫/换/让/请/接/接通/联系/跟/和,
  optionally "你们的", "一个", "一位" in between), or when the message is little more than
  the noun ("人工", "客服在吗", "真人?");
* 人工/真人/活人 followed by another content character are **compound words** and not a
  person: 人工智能, 人工翻译, 人工成本, 真人秀, 真人版 ...;
* **self-reference** ("我是工作人员", "我们是客服") and **negation** ("不要人工", "不用找客服",
  "别转") are not requests; a negated *bot* is ("不要机器人", "不想跟机器人聊");
* "换个人", "换个客服" and a **complaint** stated as an intent ("我要投诉", "投诉你们") are;
  a question about how to reach support ("怎么联系客服", "客服电话是多少") is a KB question,
  not a request to be transferred; so is a question *about* the human service (its hours,
  its price, weekends: "人工服务几点上班", "客服周末在吗", "人工客服收费吗") unless the same
  clause asks for a person with a request verb ("转人工", "我要找客服").

English
* request verb (talk/speak/chat/connect/transfer/put me through/get/escalate ...) + a human
  noun (human, person, someone, agent, representative, support, manager ...); "real/live
  person", "human help"; a message that is only a human noun plus politeness ("agent please");
  "I want to complain / file a complaint";
* negation before the request or the noun, in the same clause ("no human please", "I don't
  need an agent"; but "no, connect me to an agent" is a request), and
  known non-person uses (user agent, travel agent, real estate, human resources) are not;
* "how do I contact support" / "call me back tomorrow" are not transfer requests (the first
  is a KB question; the second asks for a phone call the chat cannot make) -- but a call back
  asked of a person is ("can someone from customer service call me back", "have an agent
  call me": a person arranges it); nor are
  questions about the service's hours ("when are your agents available", "is customer
  service open on weekends", "what are your support hours").
"""
from __future__ import annotations

import re

from . import handoff_model
from .normalize import normalize

# ------------------------------------------------------------------ Chinese
_ZH_PERSON = ("人工客服", "人工服务", "人工坐席", "人类客服", "真正的客服", "客服人员", "客服专员",
              "客服小姐姐", "客服小哥", "客服代表", "工作人员", "接线员", "负责人", "人工", "真人",
              "活人", "客服", "经理", "领导", "主管", "上级", "老板", "店长", "店员", "导购",
              "售货员", "专员")
_ZH_PERSON_RE = "|".join(sorted(_ZH_PERSON, key=len, reverse=True))
# characters that may follow 人工/真人/活人 when they mean a person (anything else: compound word)
_ZH_PERSON_FOLLOW = set("客服坐席务吗呢吧啊呀么了的来说回聊沟帮处接在和跟对我您能可")
_ZH_COMPOUND_HEADS = ("人工", "真人", "活人")
_ZH_REQ = r"(?:转接|转到|转给|转|找|要|叫|换成|换|让|请|安排|接通|连线|接|联系|跟|和|与|同|给我|帮我)"
_ZH_FILL = r"(?:一下|下|个|一个|一位|位|你们|你们的|你们家|贵公司|贵司|的|真正的|一个真正的)?"
_ZH_REQUEST_VERB = re.compile(r"(?:转接|转到|转给|转|找|叫|换成|换|让|安排|接通|连线|接|联系|给我|帮我)" + _ZH_FILL
                              + "(?:" + _ZH_PERSON_RE + ")|(?:我|我们)(?:要|想要|需要)" + _ZH_FILL
                              + "(?:" + _ZH_PERSON_RE + ")")
_ZH_REQUEST = re.compile(_ZH_REQ + _ZH_FILL + _ZH_FILL + "(" + _ZH_PERSON_RE + ")")
# a role asked for by name: a word ending like a person's role (校长, 院长, 前台老师, 课程顾问,
# 业务员, 医生, 师傅, 管事的) after a verb that asks for someone; the roles are open-ended, so
# they are recognised by their endings rather than listed
_ZH_ROLE = (r"[\u4e00-\u9fff]{0,3}?(?:长|员|老师|医生|大夫|护士|师傅|顾问|经理|主管|前台|助理|专家|负责人"
            r"|管事的|负责的人|管理员|值班的)")
_ZH_ROLE_ASK = re.compile(r"(?:我要|我想|我得|我需要|麻烦|请|帮我)?(?:找|叫|请|让|转接|转给|转到|接通|连线|安排)"
                          r"(?:一下|下)?(?:你们|你们的|贵校|贵公司|贵店|这边|那边)?(?:的)?(?:一位|一个|个|位)?"
                          + _ZH_ROLE + r"(?=$|[来过吧吗呢啊呀给跟和与联说回处打接帮出,。!?\s])")
# talking to a person, said with the plain word 人: "我要跟人说话", "想和真人聊"
_ZH_TALK_PERSON = re.compile(r"(?:跟|和|与|同)(?:真|活)?人(?:说话|聊|沟通|交流|谈|对话|讲)")
_ZH_NEG = re.compile(r"(?:不要|不用|不需要|不必|无需|没必要|不想|别|不)(?:再)?" + _ZH_REQ + "?"
                     + _ZH_FILL + "(?:" + _ZH_PERSON_RE + ")")
_ZH_SELF = re.compile(r"(?:我|我们|本人)(?:也)?(?:是|作为|当)(?:一名|一个|一位|这里的|你们的)?"
                      + "(?:" + _ZH_PERSON_RE + ")")
_ZH_BOT_NEG = re.compile(r"(?:不要再|不要|不想|不想跟|不想和|别用|别再|别|受够了)(?:跟|和|与)?(?:机器人|智能客服|自动回复)")
_ZH_CHANGE = re.compile(r"换(?:一)?(?:个|位)?(?:真人|客服|人)(?![\u4e00-\u9fff])"
                        r"|换(?:一)?(?:个|位)?(?:真人|客服|人)(?=[来吧吗呢啊呀好说回聊处跟和])"
                        r"|(?:叫|找|派|来)(?:一)?(?:个|位)人(?:来|过来)?(?=[吧吗呢啊呀说回聊处跟和]|$)")
_ZH_COMPLAIN = re.compile(r"(?:我要|我想|我得|我必须|必须|要)投诉|投诉你们")
_ZH_CONTACT_Q = re.compile(r"(?:怎么|如何|怎样|在哪|哪里|方式).{0,4}联系|联系方式"
                           r"|(?:电话|邮箱|热线|微信|号码)(?:是)?(?:多少|什么|几号)"
                           r"|有(?:没有)?[\u4e00-\u9fff]{0,4}(?:电话|热线|邮箱)(?:吗|么|嘛|呢|$)")
# a question about the human service itself (hours, price, weekends), not a request for it
_ZH_ABOUT = re.compile(r"几点|什么时候|啥时候|何时|时间|上班|下班|营业|周末|周六|周日|星期|节假日|假期"
                       r"|晚上|夜里|半夜|24小时|收费|要钱|多少钱|免费|几个人|多少人")
_ZH_PARTICLES = set("吗呢吧啊呀么了的在请你您好我要找转一下们个位快点谢?")
# nouns that only ever mean "a human agent": named at all (not negated, not oneself), they ask
# for one ("人工客服在哪", "人工服务怎么找")
_ZH_STRONG = re.compile(r"人工客服|人工服务|人工坐席|真人客服|人类客服")
# asking whether a person is there to help: "有没有真人能回答", "有客服在吗", "还有人工吗"
_ZH_EXIST = re.compile(r"(?:有没有|有无|还有|有)(?:个|一个|一位|位)?(?:真人|人工|活人|客服|工作人员|人)"
                       r"(?:能|可以|来|在|吗|么|呢|嘛|啊|呀|哇|回答|帮|处理|解答|跟|和|\?|$)")


def _zh_person_ok(text: str, start: int, noun: str) -> bool:
    """人工/真人/活人 at ``start``: a person, or the head of a compound word?"""
    if noun not in _ZH_COMPOUND_HEADS:
        return True
    nxt = text[start + len(noun): start + len(noun) + 1]
    return not nxt or nxt in _ZH_PERSON_FOLLOW or not ("\u4e00" <= nxt <= "\u9fff")


def _zh_asks_about(s: str) -> bool:
    """A question for the KB: how to reach support ("怎么联系客服", "客服电话是多少"), or about
    the human service itself ("人工服务几点上班", "客服周末在吗") with no request verb."""
    return bool(_ZH_CONTACT_Q.search(s) or (_ZH_ABOUT.search(s) and not _ZH_REQUEST_VERB.search(s)))


def _zh_handoff(t: str) -> bool:
    if "转人工" in t or "转接人工" in t:
        return not _ZH_NEG.search(t)
    if _ZH_BOT_NEG.search(t) or _ZH_CHANGE.search(t):
        return True
    if _ZH_NEG.search(t):
        return False
    s = _ZH_SELF.sub(" ", t)  # "我是工作人员": not asking for one
    if _ZH_COMPLAIN.search(s) and not re.search(r"怎么|如何|怎样|哪里|吗|多久|电话", s):
        return True
    if _zh_asks_about(s):
        return False
    if _ZH_STRONG.search(s) or _ZH_TALK_PERSON.search(s):
        return True
    if _ZH_ROLE_ASK.search(s):
        return True
    for m in _ZH_EXIST.finditer(s):
        noun_at = m.start() + len(re.match(r"(?:有没有|有无|还有|有)(?:个|一个|一位|位)?", m.group()).group())
        if _zh_person_ok(s, noun_at, "人工" if s.startswith("人工", noun_at) else
                         "真人" if s.startswith("真人", noun_at) else "x"):
            return True
    for m in _ZH_REQUEST.finditer(s):
        if _zh_person_ok(s, m.start(1), m.group(1)):
            return True
    # a message that is (nearly) only the person noun: "人工", "客服在吗", "真人?"
    for noun in sorted(_ZH_PERSON, key=len, reverse=True):
        i = s.find(noun)
        if i < 0:
            continue
        if not _zh_person_ok(s, i, noun):
            continue
        rest = (s[:i] + s[i + len(noun):]).replace(" ", "")
        if len(rest) <= 4 and all(ch in _ZH_PARTICLES for ch in rest):
            return True
    return False


# ------------------------------------------------------------------ English
_HUMAN_NOUNS = r"(?:human(?: being)?|humans|person|people|agent|agents|representative|rep|operator|" \
               r"someone|somebody|anyone|staff|support team|support staff|support|customer service|" \
               r"customer support|customer care|live support|live chat|manager|supervisor|" \
               r"employee|team member|member of (?:your |the )?(?:staff|team)|staff member|" \
               r"whoever(?: s| is)? in charge|whoever|(?:the )?person in charge|the boss|your boss)"
_EN_VERBS = r"(?:talk|speak|chat|connect|transfer|put|get|escalate|pass|switch|route|reach)"
_EN_STRONG = re.compile(
    r"\b(?:real|live|actual|human) (?:person|human|agent|operator|people|support|rep|"
    r"representative|chat|help|assistance|being)\b"
    r"|\b" + _EN_VERBS + r"\b(?: \w+){0,3}? (?:to|with|me to|me with|through to)? ?"
    r"(?:a |an |the |your |some |one of your )?" + _HUMAN_NOUNS + r"\b"
    r"|\bhuman please\b"
    r"|\bis (?:anyone|somebody|someone) (?:there|available|here|online)\b"
    r"|\bis (?:there|anyone) (?:a |an |any |some )?(?:real |live |actual )?"
    r"(?:human|person|agent|someone|somebody|anyone|representative|operator|employee|"
    r"staff member|member of staff|team member)"
    r"(?: (?:i|we) can| to (?:talk|speak|chat)| who can| that can| available| online| here|$)"
    r"|\b(?:want|need|like|would like|wanna) (?:to )?(?:complain|file a complaint|make a complaint)\b"
    r"|\b(?:i|we) (?:want|need|demand|would like) (?:a |an |the |your |some )?"
    r"(?:human|person|agent|representative|manager|supervisor|operator)\b"
)
_EN_NOUN_ONLY = re.compile(r"\b(?:human|agent|representative|operator|person|someone|staff|"
                           r"manager|supervisor)\b")
_POLITE = frozenset("please pls plz now i want need a an the to me my can could get give "
                    "let speak talk with hi hello hey ok okay thanks thank you just real live "
                    "your".split())
# a call back asked *of a person* is a request for one (the agent arranges the call); a bare
# "call me back tomorrow" is not (the chat itself cannot place calls)
_EN_CALLBACK = re.compile(r"\b(?:someone|somebody|anyone|an? (?:agent|person|human|representative|"
                          r"rep|manager)|(?:your|the) (?:team|staff|manager|support team)|"
                          r"customer service|customer support|support)\b(?: \w+){0,4}? "
                          r"(?:call|phone|ring) me\b")
# words that name no one to talk to (a veto of the model too, with "human hair")
_EN_COMPOUNDS = (r"\buser agent\b|\bagent string\b|\btravel agent\b|\breal estate\b|"
                 r"\bsecret agent\b|\bhuman resources\b")
_EN_FALSE = re.compile(_EN_COMPOUNDS + r"|\bagent header\b|\bthe person who\b|\bcall me back\b"
                       r"|\bcall me\b")
_EN_NEG = re.compile(r"\b(?:don t|do not|dont|doesn t|no need (?:to|for)|without|never|not|no)"
                     r"(?: \w+){0,2}? (?:talk|speak|chat|connect|transfer|escalate|want|need|" + _HUMAN_NOUNS + r")\b"
                     r"|^no " + _HUMAN_NOUNS + r"\b")
_EN_CONTACT_Q = re.compile(r"^(?:how|where|what|when|which)\b.*\b(?:contact|reach|email|e mail|"
                           r"phone|call|hours|number|address)\b")


_EN_ABOUT = re.compile(r"^(?:when|what time|what hours|what are (?:the |your )?(?:\w+ )?hours)\b"
                       r"|\b(?:weekends?|holidays?|at night|overnight|24 7|opening hours|working hours|"
                       r"business hours|office hours|support hours)\b"
                       r"|\b(?:is|are) (?:your |the )?(?:support|customer service|customer support|"
                       r"agents?|staff|live chat) (?:open|available|free|paid|charged)\b")
_EN_ASK = re.compile(r"\b(?:talk|speak|connect|transfer|put me|get me|escalate)\b|(?<!live )\bchat\b")


def _en_asks_about(t: str) -> bool:
    """A question for the KB: about the service's hours ("when are your agents available")
    or how to reach support ("how do I contact support"), asking for no one."""
    if _EN_ABOUT.search(t) and not _EN_ASK.search(t):
        return True
    return bool(_EN_CONTACT_Q.search(t) and not re.search(r"\b(?:talk|speak|chat)\b", t))


def _en_handoff(t: str) -> bool:
    if _EN_CALLBACK.search(t) and not _EN_NEG.search(t):
        return True
    if _EN_FALSE.search(t) or _EN_NEG.search(t):
        return False
    if _en_asks_about(t):
        return False
    if _EN_STRONG.search(t):
        return True
    words = t.split()
    if _EN_NOUN_ONLY.search(t):
        rest = [w for w in words if w not in _POLITE and not _EN_NOUN_ONLY.fullmatch(w)]
        if not rest:
            return True
    return False


_CLAUSES = re.compile(r"[,.;!?\n，。；！？、~…]+")
_EN_COMPOUND = re.compile(_EN_COMPOUNDS + r"|\bhuman hair\b")
# 个人 as "personal" (个人账户, 个人信息 ...), not "a person"
_ZH_PERSONAL = re.compile(r"个人(?:账户|帐户|账号|帐号|信息|中心|资料|隐私|用户|版|所得|名义|护理|卫生|主页|简历|贷款)")


def _zh_compound_only(s: str) -> bool:
    """人工/真人/活人 appear only as the head of a compound word (活人参与, 人工费)."""
    found = [(m.start(), m.group()) for m in re.finditer("人工|真人|活人", s)]
    return bool(found) and all(not _zh_person_ok(s, i, noun) and not re.search(
        _ZH_REQ + "$", s[:i]) for i, noun in found)


def _vetoed(t: str) -> bool:
    """A rule says this (normalised) text is *not* a request, whatever the model thinks: a
    negated request, oneself as staff, a question about reaching support or about the human
    service's hours and price, a compound word."""
    compact = t.replace(" ", "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in compact):
        if _ZH_NEG.search(compact) or _ZH_SELF.search(compact) or _ZH_PERSONAL.search(compact):
            return True
        if _zh_compound_only(compact) or _zh_asks_about(_ZH_SELF.sub(" ", compact)):
            return True
    if _EN_NEG.search(t) or _EN_COMPOUND.search(t):
        return True
    if re.match(r"(?:(?:please|pls|plz|can you|could you|will you) )?call me\b", t):
        return True   # a phone call asked of the chat itself: it cannot place one
    return _en_asks_about(t)


def _rules(t: str) -> bool:
    compact = t.replace(" ", "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in compact) and _zh_handoff(compact):
        return True
    return _en_handoff(t)


def is_handoff_request(text: str) -> bool:
    """True when the visitor explicitly asks for a human agent: the rules say so in one of
    the message's clauses (negation only applies inside its clause: "no, connect me to an
    agent"), or the learned model (handoff_model.py) does for the message or one of its
    clauses and no rule vetoes that text."""
    if not text:
        return False
    clauses = [c for c in (normalize(c) for c in _CLAUSES.split(text)) if c]
    if any(_rules(t) for t in clauses):
        return True
    learned = handoff_model.model()
    if learned is None:
        return False
    whole = normalize(text)
    for t in ([whole] if len(clauses) > 1 else []) + clauses:
        if not _vetoed(t) and learned.probability(t, normalized=True) >= handoff_model.THRESHOLD:
            return True
    return False

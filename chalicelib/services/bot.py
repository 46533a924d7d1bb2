"""The bot inside conversations (service side of chalicelib/domain/bot).

Send path: a visitor message in a conversation in bot mode (``attrs.bot`` and status
new/open) publishes one ``bot_turn`` event ``{conversation_id, seq}`` to the events queue
(one SQS SendMessage; the visitor's request never waits for the bot).

Events handler (``handle_events`` Lambda): ``bot_turn`` loads the conversation, skips when
it left bot mode or ``bot_state.seq`` shows the message was answered, loads the message and
the visitor, runs ``Bot.respond`` with the conversation's ``bot_state`` and context (locale,
known email/phone, slots remembered from earlier flows), posts the reply as a bot message
with ``client_message_id="bot-<seq>"`` (a redelivered record adds nothing), records misses,
asks ``routing.request_handoff`` on a handoff, and stores the new ``bot_state``.

chalicelib/bootstrap.py wires ``on_visitor_message`` (a visitor-message hook) and ``bot_turn``
(a task handler).
"""
from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from typing import Optional

from chalicelib import log
from chalicelib.adapters.kb import COMMON, KbRepo
from chalicelib.domain import departments as depts
from chalicelib.domain.bot import Bot, FlowEngine, KBEntry, get_matcher
from chalicelib.domain.bot.flows import DEFAULT_TEXTS
from chalicelib.domain.bot.kbcsv import load_csv_file
from chalicelib.domain.bot.normalize import is_cjk, normalize
from chalicelib.services import bot_learning, conversations, tasks

MAX_MISSES = 2
MEMORY_SLOTS = ("phone", "email", "name")  # flow slots remembered for later flows
BUNDLE_CACHE_SIZE = 64
# version key -> (synonyms, FlowEngine | None, examples), LRU
_BUNDLES: "OrderedDict[str, tuple]" = OrderedDict()
_BUNDLE_LOCK = threading.Lock()


# ------------------------------------------------------------------ adapters
def kb_repo(deps) -> KbRepo:
    repo = deps.extras.get("kb")
    if repo is None:
        repo = deps.extras["kb"] = KbRepo()
    return repo


def endpoint_caller(deps, conversation_id: Optional[str] = None):
    fn = deps.extras.get("call_endpoint")
    if fn is None:
        from chalicelib.adapters import http_endpoint
        fn = http_endpoint.logged_call(conversation_id)
    return fn


def _request_handoff(deps, conv: dict, reason: str, announce=None) -> dict:
    try:
        from chalicelib.services.routing import request_handoff
    except ImportError as exc:
        # Never fake the queue here: fail so SQS retries the record once it exists.
        raise RuntimeError("chalicelib.services.routing.request_handoff is not available") from exc
    return request_handoff(deps, conv, reason, announce=announce)


# ------------------------------------------------------------------ loading the bot
def version_key(deps, key: str) -> tuple[str, list[str], list[dict]]:
    """The cache key of a knowledge base's bot (its own version and those it inherits:
    domain/departments.chain), the chain, and the chain's version items."""
    keys = depts.chain(key)
    versions = kb_repo(deps).chain_versions(keys)
    return ":".join([key] + [v["v"] for v in reversed(versions)]), keys, versions


def _merged_entries(repo: KbRepo, keys: list[str], versions: list[dict]) -> list[KBEntry]:
    out: dict[str, KBEntry] = {}
    for key, version in zip(keys, versions):
        for e in repo.entries(key, version["gen"]):
            out[e.id] = e  # a site's entry overrides a shared one with the same id, and so on
    return list(out.values())


_EMAILISH = re.compile(r"\S+@\S+|https?://\S+")
_WORD = re.compile(r"\b[A-Za-z]{2,}\b")


class ConversationBot(Bot):
    """Bot that keeps the conversation's language for messages without words (an order
    number, a phone number, an e-mail address): "AB123456" must not switch a Chinese
    conversation to English in the middle of a flow."""

    def _lang(self, text: str, state: dict, context: dict) -> str:
        known = state.get("lang")
        if known and not any(is_cjk(ch) for ch in text) and \
                not _WORD.search(_EMAILISH.sub(" ", text)):
            return known
        return super()._lang(text, state, context)


def load_bot(deps, key: str, settings: Optional[dict] = None) -> tuple[Bot, str]:
    """The bot of a knowledge base (a site's, a department's: ``site/department``), rebuilt
    only when a version it reads changed. Warm path: one BatchGetItem (the version items)."""
    repo = kb_repo(deps)
    cache_key, keys, versions = version_key(deps, key)
    with _BUNDLE_LOCK:
        bundle = _BUNDLES.get(cache_key)
        if bundle is not None:
            _BUNDLES.move_to_end(cache_key)
    if bundle is None:
        synonyms = [g for k in keys for g in repo.synonyms(k)]
        own = keys[1:] or keys            # flows and examples: not the shared base's
        flows = list({f["id"]: f for k in own for f in repo.flows(k)}.values())
        engine = FlowEngine(flows) if flows else None
        # approved labelled questions: the site's calibration learns from them
        examples = tuple((str(t), e) for k in own for t, e in repo.examples(k))
        bundle = (synonyms, engine, examples)
        with _BUNDLE_LOCK:
            for k in [k for k in _BUNDLES if k.startswith(key + ":")]:
                del _BUNDLES[k]  # the knowledge base's older version
            _BUNDLES[cache_key] = bundle
            while len(_BUNDLES) > BUNDLE_CACHE_SIZE:
                _BUNDLES.popitem(last=False)
    synonyms, engine, examples = bundle
    matcher = get_matcher(cache_key, lambda: _merged_entries(repo, keys, versions),
                          synonyms or None, site=key, examples=examples,
                          encoder=deps.bot_encoder())
    settings = settings or {}
    return ConversationBot(matcher, engine,
                           max_misses=int(settings.get("bot_handoff_misses") or MAX_MISSES),
                           handoff_keywords=settings.get("bot_handoff_keywords") or ()), cache_key


def clear_caches() -> None:
    from chalicelib.domain.bot import clear_cache
    with _BUNDLE_LOCK:
        _BUNDLES.clear()
    clear_cache()


# ------------------------------------------------------------------ send path
def in_bot_mode(conv: dict) -> bool:
    """The bot talks until a human is involved: queued, assigned, or an agent joined."""
    return (bool((conv.get("attrs") or {}).get("bot")) and conv.get("status") in ("new", "open")
            and not conv.get("participants") and not conv.get("agent_id"))


def on_visitor_message(deps, conv: dict, message: dict) -> None:
    if not in_bot_mode(conv) or message.get("type") != "text":
        return
    if deps.queue is None:
        log.warning("bot_turn_not_published", conversation_id=conv["conversation_id"],
                    reason="no queue adapter")
        return
    tasks.publish(deps, "bot_turn", {"conversation_id": conv["conversation_id"],
                                      "seq": int(message["seq"])})



# ------------------------------------------------------------------ the turn
def _known_slots(visitor: dict) -> dict:
    attrs = visitor.get("attributes") or {}
    slots = {}
    if visitor.get("email"):
        slots["email"] = visitor["email"]
    phone = attrs.get("phone") or attrs.get("mobile")
    if phone:
        slots["phone"] = str(phone)
    if visitor.get("name"):
        slots["name"] = visitor["name"]
    return slots


def bot_turn(deps, body: dict) -> Optional[dict]:
    cid = body.get("conversation_id")
    seq = int(body.get("seq") or 0)
    conv = deps.conversations.get(cid, consistent=True) if cid else None
    if conv is None or seq <= 0:
        return None
    if not in_bot_mode(conv):
        log.info("bot_turn_skipped", conversation_id=cid, seq=seq, reason="not_in_bot_mode")
        return None
    state = dict(conv.get("bot_state") or {})
    if int(state.get("seq") or 0) >= seq:
        log.info("bot_turn_skipped", conversation_id=cid, seq=seq, reason="already_answered")
        return None
    msg = deps.messages.get(cid, seq)
    if msg is None or msg.get("sender_type") != "visitor" or msg.get("type") != "text":
        return None
    text = msg.get("text") or ""
    visitor = deps.visitors.get(conv["visitor_id"]) or {}
    site = deps.sites.get(conv["site_key"]) or {}
    kb = depts.kb_of(conv)
    bot, key = load_bot(deps, kb, site.get("settings"))
    memory = dict(state.get("memory") or {})
    offline = bool((conv.get("attrs") or {}).get("offline_offered"))
    context = {"locale": visitor.get("locale") or "",
               "slots": {**_known_slots(visitor), **memory},
               "call_endpoint": endpoint_caller(deps, cid), "offline": offline}
    reply = bot.respond(state, text, context)

    result = None
    went_offline = False
    announced = []

    def extra_for(offline_now: bool) -> dict:
        ex = {"kind": reply.kind, "suggestions": reply.suggestions,
              "handoff_offered": not (offline or offline_now) and (
                  reply.kind in ("fallback", "suggest") or reply.flow_status in ("failed",)),
              "entry_id": reply.entry_id, "confidence": round(float(reply.confidence), 3)}
        if offline_now:
            ex["offline"] = True
        return ex

    def announce(kind: str) -> None:
        # called by request_handoff before its system events, so the reply reads in order
        text_now = reply.text if kind == "queued" else bot.text(kind, reply.lang)
        conversations.post_bot_message(deps, conv, text_now, extra=extra_for(kind != "queued"),
                                       client_message_id=f"bot-{seq}")
        announced.append(kind)

    if reply.kind == "handoff":
        # the reply depends on whether anybody can take the conversation: request_handoff
        # announces it at the right moment. A crash after this: the retry is skipped once
        # queued (the visitor has the "queued" event), and redone while offline (nothing new
        # is posted the second time: the client message id is the same).
        result = _request_handoff(deps, conv, reply.handoff_reason or "requested", announce)
        went_offline = bool(result and result.get("offline"))
    if reply.kind != "silent" and not announced:
        text_out = reply.text
        if went_offline:
            queued = ((result.get("conversation") or {}).get("status")) == "queued"
            text_out = bot.text("offline_queued" if queued else "offline", reply.lang)
        conversations.post_bot_message(deps, conv, text_out, extra=extra_for(went_offline),
                                       client_message_id=f"bot-{seq}")
    if reply.label:  # a clicked suggestion: the earlier question is an example of that entry
        bot_learning.record_clicked(deps, conv, reply.label, seq, msg.get("created_at"))
    if reply.kind in ("fallback", "silent", "suggest") or reply.handoff_reason == "repeated_misses":
        # a suggestion is a weaker signal (the visitor may click one: that click is a new
        # message that gets answered), recorded with reason "suggest"
        reason = {"handoff": "handoff", "suggest": "suggest"}.get(reply.kind, "fallback")
        kb_repo(deps).record_miss(kb, text, cid, reason,
                                  miss_id=f"{cid}-{seq}", ts=msg.get("created_at"))
    log.info("bot_turn", conversation_id=cid, seq=seq, kind=reply.kind, kb=key,
             entry_id=reply.entry_id, confidence=round(float(reply.confidence), 3),
             flow_status=reply.flow_status, offline=offline or went_offline)
    new_state = dict(reply.new_state)
    new_state["seq"] = seq
    if went_offline:
        new_state["misses"] = 0
        new_state.pop("offline_reminded", None)  # the next miss gets one reminder
    if reply.slots:  # context memory: who the visitor is, not what they asked about
        memory.update({k: v for k, v in reply.slots.items()
                       if k in MEMORY_SLOTS and isinstance(v, (str, int, float))})
    if memory:
        new_state["memory"] = memory
    _save_state(deps, cid, conv.get("bot_state"), new_state)
    return result


def _save_state(deps, cid: str, read_state, new_state: dict) -> None:
    """Store the turn's state unless a later turn got there first (turns of one conversation
    may run at once: SQS does not order them). Optimistic: on condition the state is still the
    one this turn read."""
    from chalicelib.errors import Conflict
    expected = read_state
    for _ in range(5):
        try:
            deps.conversations.update(cid, set_fields={"bot_state": new_state},
                                      expect={"bot_state": expected}, bump_rev=False)
            return
        except Conflict:
            current = (deps.conversations.get(cid, consistent=True) or {}).get("bot_state")
            if int((current or {}).get("seq") or 0) >= int(new_state.get("seq") or 0):
                return  # a later message's turn already stored its state: keep that one
            expected = current


# ------------------------------------------------------------------ demo / bootstrap
def seed_kb(deps, site_key: str, csv_path: str, flows: Optional[list] = None,
            synonyms: Optional[list] = None) -> dict:
    """Load a KB CSV into a site (idempotent: skipped when the site already has entries)."""
    repo = kb_repo(deps)
    existing = repo.entries(site_key)
    result = {"site_key": site_key, "imported": 0, "flows": 0}
    if not existing:
        entries = load_csv_file(csv_path)
        repo.replace_entries(site_key, entries)
        result["imported"] = len(entries)
    if flows and not repo.flows(site_key):
        repo.put_flows(site_key, flows)
        result["flows"] = len(flows)
    if synonyms and not repo.synonyms(site_key):
        repo.put_synonyms(site_key, synonyms)
    return result


# ------------------------------------------------------------------ admin (the KB API)
from chalicelib.domain.bot import (export_csv as _export_csv, find_duplicate_entries,  # noqa: E402
                                   import_csv as _import_csv, propose_entries)
from chalicelib.domain.bot.matcher import Matcher  # noqa: E402
from chalicelib.domain.departments import KB_KEY_RE  # noqa: E402
from chalicelib.domain.validation import Field, validate  # noqa: E402
from chalicelib.errors import NotFound, ValidationError  # noqa: E402
from chalicelib.services.bot_flows import validate_flow  # noqa: E402

from chalicelib.services.bot_flows import ENTRY_ID_RE  # noqa: E402
MAX_FLOWS = 40
MAX_CSV_CHARS = 2_000_000

_SIMILAR_ITEM = Field(str, min_len=1, max_len=500)
ENTRY_SCHEMA = {
    "site_key": Field(str, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "id": Field(str, min_len=1, max_len=128, pattern=ENTRY_ID_RE),
    "question": Field(str, required=True, min_len=1, max_len=500),
    "similar": Field(list, item=_SIMILAR_ITEM, max_items=50),
    # which of them were learned from chats (omitted on an update: kept as they were)
    "learned": Field(list, item=_SIMILAR_ITEM, max_items=50),
    "answer": Field(str, required=True, min_len=1, max_len=5000),
    "tags": Field(list, item=Field(str, min_len=1, max_len=50), max_items=20),
    "enabled": Field(bool),
}
IMPORT_SCHEMA = {
    "site_key": Field(str, required=True, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "csv": Field(str, required=True, min_len=1, max_len=MAX_CSV_CHARS, strip=False),
    "mode": Field(str, choices=("merge", "replace")),
}
SYNONYMS_SCHEMA = {
    "site_key": Field(str, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "groups": Field(list, required=True, max_items=500,
                    item=Field(list, max_items=50, item=Field(str, min_len=1, max_len=100))),
}
FLOWS_SCHEMA = {
    "site_key": Field(str, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "flows": Field(list, required=True, max_items=MAX_FLOWS, item=Field(dict)),
}


def _site(deps, site_key: Optional[str]) -> str:
    """A knowledge base's key as an admin gave it: the shared base, a site, or a site's
    department (``site/department``)."""
    site_key = (site_key or COMMON).strip()
    if not KB_KEY_RE.match(site_key):
        raise ValidationError("'site_key' has an invalid format.", code="invalid_format",
                              details={"field": "site_key"})
    if site_key == COMMON:
        return site_key
    site_part, dept = depts.split_key(site_key)
    site = deps.sites.get(site_part)
    if site is None:
        raise NotFound("Unknown site key.", code="unknown_site")
    if dept and depts.find(site.get("settings"), dept) is None:
        raise NotFound("The site has no such department.", code="unknown_department")
    return site_key


def entry_view(e: KBEntry, site_key: str) -> dict:
    return {"id": e.id, "question": e.question, "similar": list(e.similar), "answer": e.answer,
            "tags": list(e.tags or []), "enabled": bool(e.enabled), "site_key": site_key,
            "learned": list(e.learned)}


def list_entries(deps, site_key: Optional[str], q: Optional[str] = None) -> dict:
    site_key = _site(deps, site_key)
    repo = kb_repo(deps)
    version = repo.version(site_key, consistent=True)
    entries = sorted(repo.entries(site_key, version["gen"]), key=lambda e: e.id)
    q = (q or "").strip()[:500]
    if q:
        # disabled entries are searchable too (the matcher skips them: match on copies)
        by_id = {e.id: e for e in entries}
        matcher = Matcher([dataclasses.replace(e, enabled=True) for e in entries],
                          repo.synonyms(site_key) or None, calibrate=False)  # ranking only
        ranked = [by_id[matcher.entries[i].id] for i, s in matcher.score_all(q) if s >= 0.2]
        low = q.lower()
        seen = {e.id for e in ranked}
        ranked += [e for e in entries if e.id not in seen and any(
            low in t.lower() for t in [e.id, e.answer, *e.phrasings])]
        entries = ranked
    return {"entries": [entry_view(e, site_key) for e in entries], "version": version["v"],
            "site_key": site_key}


def _entry_from(body: dict, entry_id: str, site_key: str,
                learned: Optional[list] = None) -> KBEntry:
    """The entry a create or update body describes; ``learned`` (the body's, else the stored
    entry's) keeps only the similar questions the entry still has."""
    similar = body.get("similar") or []
    for s in similar:
        if "|" in s:
            raise ValidationError("'similar' items must not contain '|'.", code="invalid_format",
                                  details={"field": "similar"})
    learned = body["learned"] if "learned" in body else (learned or [])
    kept = {normalize(s) for s in similar}
    return KBEntry(id=entry_id, question=body["question"], similar=similar,
                   answer=body["answer"], tags=body.get("tags") or [],
                   enabled=body.get("enabled", True), site_key=site_key,
                   learned=[x for x in learned if normalize(x) in kept])


def create_entry(deps, payload: dict) -> dict:
    import uuid
    from chalicelib.adapters.kb import ItemConditionFailed
    from chalicelib.errors import Conflict
    body = validate(payload, ENTRY_SCHEMA)
    site_key = _site(deps, body.get("site_key"))
    entry = _entry_from(body, body.get("id") or uuid.uuid4().hex[:12], site_key)
    try:
        version = kb_repo(deps).put_entry(site_key, entry, must_exist=False)
    except ItemConditionFailed:
        raise Conflict("An entry with this id already exists.", code="entry_exists")
    return {"entry": entry_view(entry, site_key), "version": version["v"]}


def update_entry(deps, entry_id: str, payload: dict, site_key: Optional[str]) -> dict:
    from chalicelib.adapters.kb import ItemConditionFailed
    body = validate(payload, ENTRY_SCHEMA)
    if body.get("id") not in (None, entry_id):
        raise ValidationError("'id' does not match the URL.", code="invalid_value",
                              details={"field": "id"})
    site_key = _site(deps, body.get("site_key") or site_key)
    stored = None if "learned" in body else kb_repo(deps).get_entry(site_key, entry_id)
    entry = _entry_from(body, entry_id, site_key, stored.learned if stored else None)
    try:
        version = kb_repo(deps).put_entry(site_key, entry, must_exist=True)
    except ItemConditionFailed:
        raise NotFound("No such entry.", code="entry_not_found")
    return {"entry": entry_view(entry, site_key), "version": version["v"]}


def delete_entry(deps, entry_id: str, site_key: Optional[str]) -> dict:
    from chalicelib.adapters.kb import ItemConditionFailed
    site_key = _site(deps, site_key)
    try:
        version = kb_repo(deps).delete_entry(site_key, entry_id)
    except ItemConditionFailed:
        raise NotFound("No such entry.", code="entry_not_found")
    return {"deleted": entry_id, "version": version["v"]}


def import_entries(deps, payload: dict) -> dict:
    """All or nothing: validate the whole file first (errors with line numbers), then write
    every entry under a new generation and flip the version (see adapters/kb.py)."""
    body = validate(payload, IMPORT_SCHEMA)
    site_key = _site(deps, body["site_key"])
    res = _import_csv(body["csv"])
    if not res.ok:
        raise ValidationError(f"The CSV has {len(res.errors)} error(s); nothing was imported.",
                              code="invalid_csv",
                              details={"errors": [{"line": e.line, "message": e.message}
                                                  for e in res.errors[:200]]})
    if not res.entries:
        raise ValidationError("The CSV has no entries; nothing was imported.", code="invalid_csv",
                              details={"errors": [{"line": 2, "message": "no entries"}]})
    for e in res.entries:
        e.site_key = site_key
    out = kb_repo(deps).replace_entries(site_key, res.entries,
                                        keep_existing=body.get("mode", "merge") == "merge")
    return {"imported": len(res.entries), "total": out["count"], "version": out["v"],
            "site_key": site_key}


def export_entries(deps, site_key: Optional[str]) -> str:
    site_key = _site(deps, site_key)
    return _export_csv(sorted(kb_repo(deps).entries(site_key), key=lambda e: e.id))


def figures(deps, site_key: Optional[str], params: dict) -> dict:
    """Per-entry figures of a site's bot (services/bot_figures.py)."""
    from chalicelib.services import bot_figures
    site_key = _site(deps, site_key)
    _key, keys, versions = version_key(deps, site_key)
    entries = _merged_entries(kb_repo(deps), keys, versions)
    return bot_figures.entry_figures(deps, site_key, entries, params)


def proposals(deps, site_key: Optional[str], limit: int = 50) -> dict:
    site_key = _site(deps, site_key)
    repo = kb_repo(deps)
    misses = repo.misses(site_key)
    if misses:
        # drop misses the KB answers now (an entry was added or improved since)
        bot, _key = load_bot(deps, site_key)
        misses = [m for m in misses
                  if bot.matcher.match(m.get("text") or "").decision != "answer"]
    props = propose_entries(misses, synonyms=repo.synonyms(site_key) or None)
    return {"site_key": site_key, "misses": len(misses),
            "proposals": [{"representative": p.representative, "examples": p.examples,
                           "count": p.count} for p in props[:limit]]}


def duplicates(deps, site_key: Optional[str]) -> dict:
    site_key = _site(deps, site_key)
    repo = kb_repo(deps)
    pairs = find_duplicate_entries(repo.entries(site_key), synonyms=repo.synonyms(site_key) or None)
    return {"site_key": site_key, "pairs": [{"a": a, "b": b, "score": s} for a, b, s in pairs]}


def get_synonyms(deps, site_key: Optional[str]) -> dict:
    site_key = _site(deps, site_key)
    return {"site_key": site_key, "groups": kb_repo(deps).synonyms(site_key)}


def put_synonyms(deps, payload: dict, site_key: Optional[str]) -> dict:
    body = validate(payload, SYNONYMS_SCHEMA)
    site_key = _site(deps, body.get("site_key") or site_key)
    groups = []
    for i, g in enumerate(body["groups"]):
        g = [s for s in dict.fromkeys(g) if s]
        if len(g) < 2:
            raise ValidationError(f"'groups[{i}]' needs at least two different phrases.",
                                  code="invalid_value", details={"field": f"groups[{i}]"})
        groups.append(g)
    version = kb_repo(deps).put_synonyms(site_key, groups)
    return {"site_key": site_key, "groups": groups, "version": version["v"]}


def get_flows(deps, site_key: Optional[str]) -> dict:
    """The site's flows, and the texts a flow says when its own `texts` leave one out (the
    editor shows them in place of an empty field)."""
    site_key = _site(deps, site_key)
    return {"site_key": site_key,
            "flows": sorted(kb_repo(deps).flows(site_key), key=lambda f: f.get("id", "")),
            "default_texts": DEFAULT_TEXTS}


def put_flows(deps, payload: dict, site_key: Optional[str]) -> dict:
    body = validate(payload, FLOWS_SCHEMA)
    site_key = _site(deps, body.get("site_key") or site_key)
    flows = [validate_flow(f, f"flows[{i}]") for i, f in enumerate(body["flows"])]
    ids = [f["id"] for f in flows]
    if len(set(ids)) != len(ids):
        raise ValidationError("Flow ids must be unique.", code="duplicate_id",
                              details={"field": "flows"})
    try:
        FlowEngine(flows)
    except Exception as exc:  # noqa: BLE001 - anything the engine cannot load
        raise ValidationError(f"The flows cannot be loaded: {exc}", code="invalid_flow")
    version = kb_repo(deps).put_flows(site_key, flows)
    return {"site_key": site_key, "flows": flows, "version": version["v"]}

"""Learning from traffic: labelled questions, the admin's learning queue, the site's examples.

Where labels come from:

* ``helpful``: the visitor answers the widget's "was this helpful? yes / no" under a bot
  answer (``POST /v1/visitor/conversations/{id}/bot-feedback``);
* ``clicked``: the visitor clicked one of the bot's suggestions and that entry answered
  (``Bot.respond`` returns ``reply.label``; ``bot_turn`` records it);
* ``agent``: from a transcript, an admin adds the visitor's question to entry X
  (``POST /v1/admin/kb/labels``, applied at once: one click).

Visitor labels wait in the queue (``GET /v1/admin/kb/labels``) until an admin approves one
(``POST .../labels/{id}/approve``: a question labelled with an entry becomes one of its
similar questions; "not helpful" without a better entry becomes a negative example) or
rejects it (``DELETE``). Every approved label is also kept in the site's ``examples``, which
the matcher's self-calibration learns from (chalicelib/domain/bot/calibration.py) when the
site's KB version changes -- and approving changes it.
"""
from __future__ import annotations

import re
from typing import Optional

from chalicelib import log
from chalicelib.domain import departments as depts
from chalicelib.domain.actors import Actor
from chalicelib.domain.bot import KBEntry
from chalicelib.domain.departments import KB_KEY_RE
from chalicelib.domain.validation import Field, validate
from chalicelib.errors import NotFound, ValidationError
from chalicelib.services import bot_figures
from chalicelib.services.bot_flows import ENTRY_ID_RE

MAX_SIMILAR = 50
LABEL_ID_RE = re.compile(r"^\d{13}\.[A-Za-z0-9_.:-]{1,120}$")
FEEDBACK_SCHEMA = {
    "seq": Field(int, required=True, min=1),
    "helpful": Field(bool, required=True),
}
LABEL_SCHEMA = {
    "site_key": Field(str, required=True, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "text": Field(str, required=True, min_len=1, max_len=500),
    "entry_id": Field(str, min_len=1, max_len=128, pattern=ENTRY_ID_RE, nullable=True),
    "conversation_id": Field(str, min_len=1, max_len=64),
}
APPROVE_SCHEMA = {
    "site_key": Field(str, required=True, min_len=1, max_len=97, pattern=KB_KEY_RE),
    "entry_id": Field(str, min_len=1, max_len=128, pattern=ENTRY_ID_RE, nullable=True),
}


def _repo(deps):
    from chalicelib.services.bot import kb_repo
    return kb_repo(deps)


def _site(deps, site_key: Optional[str]) -> str:
    from chalicelib.services.bot import _site as check_site
    return check_site(deps, site_key)


# ------------------------------------------------------------------ visitor / bot turn
def visitor_feedback(deps, actor: Actor, cid: str, payload: dict) -> dict:
    """"Was this helpful?" under a bot answer: a label for the learning queue."""
    from chalicelib.services.conversations import load_for
    body = validate(payload, FEEDBACK_SCHEMA)
    conv = load_for(deps, actor, cid)
    msg = deps.messages.get(cid, body["seq"])
    extra = (msg or {}).get("extra") or {}
    if msg is None or msg.get("sender_type") != "bot" or extra.get("kind") != "answer" or not extra.get("entry_id"):
        raise NotFound("No bot answer with this seq in the conversation.",
                       code="answer_not_found")
    asked = _question_of(deps, cid, msg)
    if asked is None:
        raise NotFound("The question this answer replied to is gone.", code="answer_not_found")
    source = "helpful_yes" if body["helpful"] else "helpful_no"
    _repo(deps).record_label(depts.kb_of(conv), f"{cid}-{body['seq']}-fb", asked,
                             extra["entry_id"], source, cid, ts=msg.get("created_at"))
    bot_figures.record_feedback(deps, conv, msg, extra["entry_id"], body["helpful"])
    log.info("bot_feedback", conversation_id=cid, seq=body["seq"], helpful=body["helpful"],
             entry_id=extra["entry_id"])
    return {"recorded": True, "helpful": body["helpful"]}


def _question_of(deps, cid: str, bot_msg: dict) -> Optional[str]:
    """The visitor message a bot reply answered (its client id is ``bot-<seq>``)."""
    cm = str(bot_msg.get("client_message_id") or "")
    if not cm.startswith("bot-") or not cm[4:].isdigit():
        return None
    asked = deps.messages.get(cid, int(cm[4:]))
    if asked is None or (asked.get("text") or "").strip() == "":
        return None
    return asked["text"][:500]


def record_clicked(deps, conv: dict, label: dict, seq: int, ts: Optional[int]) -> None:
    """A suggestion the visitor clicked (``reply.label`` of a bot turn): idempotent."""
    # labels go to the knowledge base that answered: the department's, if one was chosen
    _repo(deps).record_label(depts.kb_of(conv), f"{conv['conversation_id']}-{seq}-click",
                             label["text"][:500], label["entry_id"], "clicked",
                             conv["conversation_id"], ts=ts)


# ------------------------------------------------------------------ admin
def list_labels(deps, site_key: Optional[str]) -> dict:
    site_key = _site(deps, site_key)
    repo = _repo(deps)
    return {"site_key": site_key, "labels": repo.labels(site_key),
            "examples": len(repo.examples(site_key))}


def add_label(deps, payload: dict) -> dict:
    """An admin labels a question (from a transcript) with an entry: applied at once."""
    body = validate(payload, LABEL_SCHEMA)
    site_key = _site(deps, body["site_key"])
    return _apply(deps, site_key, body["text"], body.get("entry_id"), None)


def approve_label(deps, label_id: str, payload: dict) -> dict:
    body = validate(payload, APPROVE_SCHEMA)
    site_key = _site(deps, body["site_key"])
    label = _label(deps, site_key, label_id)
    if "entry_id" in payload:  # the admin picked the right entry (or none: out of scope)
        entry_id = body.get("entry_id")
    else:
        entry_id = None if label.get("source") == "helpful_no" else label.get("entry_id")
    return _apply(deps, site_key, label["text"], entry_id, label_id)


def reject_label(deps, label_id: str, site_key: Optional[str]) -> dict:
    site_key = _site(deps, site_key)
    _label(deps, site_key, label_id)
    _repo(deps).delete_label(site_key, label_id)
    return {"deleted": label_id, "site_key": site_key}


def _label(deps, site_key: str, label_id: str) -> dict:
    if not isinstance(label_id, str) or not LABEL_ID_RE.match(label_id):
        raise ValidationError("'label_id' has an invalid format.", code="invalid_format",
                              details={"field": "label_id"})
    label = _repo(deps).get_label(site_key, label_id)
    if label is None:
        raise NotFound("No such label in the learning queue.", code="label_not_found")
    return label


def _apply(deps, site_key: str, text: str, entry_id: Optional[str],
           label_id: Optional[str]) -> dict:
    from chalicelib.services.bot import entry_view
    repo = _repo(deps)
    entry: Optional[KBEntry] = None
    if entry_id:
        # the nearest link of the chain that has it; an inherited one: this KB gets a copy
        for key in reversed(depts.chain(site_key)):
            entry = repo.get_entry(key, entry_id)
            if entry is not None:
                break
        if entry is None:
            raise NotFound("No such entry.", code="entry_not_found")
        entry = entry.copy(site_key)
        entry.add_learned(text, MAX_SIMILAR)          # a visitor's words: an example
    version = repo.apply_label(site_key, (text, entry_id), entry, label_id)
    log.info("bot_label_applied", site_key=site_key, entry_id=entry_id, queued=bool(label_id))
    return {"site_key": site_key, "version": version["v"],
            "entry": entry_view(entry, site_key) if entry else None}

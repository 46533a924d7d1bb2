"""Knowledge-base storage: the only code that touches the ``kb`` table (GetItem, Query,
BatchGetItem, BatchWriteItem, TransactWriteItems; never a table scan).

Layout (hash ``site_key``, range ``sk``; ``site_key="_common"`` is the base shared by all sites,
``"{site}/{department}"`` a department's own, inheriting the site's: domain/departments.py):

===========================  ==================================================================
``version``                  ``data={"gen": G, "v": V}``: ``v`` changes on every change to the
                             site's KB (the matcher cache key is ``site:v:common_v``); ``gen``
                             is the generation the current entries live under
``entry#<gen>#<id>``         one KB entry: ``data={question, similar, answer, tags, enabled}``
``synonyms``                 ``data={"groups": [["a", "b"], ...]}``
``flow#<id>``                one flow definition (``data`` = the flow dict)
``miss#<ts>#<id>``           a missed question ``data={text, conversation_id, reason}``, TTL 90 d
``label#<ts>.<id>``          a labelled question waiting for an admin (learning queue):
                             ``data={text, entry_id, source, conversation_id}``, TTL 180 d
``examples``                 approved labelled questions the site's calibration learns from:
                             ``data={"items": [[text, entry_id or null], ...]}`` (newest 500)
===========================  ==================================================================

Entries carry a *generation* so that a CSV import is all-or-nothing: the imported entries
are batch-written under a fresh generation and the version item is flipped to it last
(conditionally on nobody having changed the KB meanwhile). If a batch write fails midway the
version still points at the old generation, so readers never see a half import; the orphan
items are deleted by the next import. Every other change writes the item and the new version
in one transaction, conditional on the version the writer read (optimistic concurrency).
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Optional

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import now_ms
from chalicelib.domain.bot import KBEntry
from chalicelib.domain.departments import SHARED_BASE
from chalicelib.errors import AppError, Conflict

COMMON = SHARED_BASE
MISS_TTL_DAYS = 90
VERSION_SK = "version"
SYNONYMS_SK = "synonyms"
ENTRY_PREFIX = "entry#"
FLOW_PREFIX = "flow#"
MISS_PREFIX = "miss#"
LABEL_PREFIX = "label#"
EXAMPLES_SK = "examples"
LABEL_TTL_DAYS = 180
MAX_EXAMPLES = 500
EMPTY_VERSION = {"gen": "0", "v": "0"}
WRITE_ATTEMPTS = 5


class KbWriteFailed(AppError):
    status = 503
    code = "kb_write_failed"


def _token() -> str:
    return "%x%s" % (now_ms(), uuid.uuid4().hex[:6])


def entry_to_data(e: KBEntry) -> dict:
    data = {"question": e.question, "similar": list(e.similar), "answer": e.answer,
            "tags": list(e.tags or []), "enabled": bool(e.enabled)}
    if e.learned:
        data["learned"] = list(e.learned)
    return data


def data_to_entry(site_key: str, entry_id: str, data: dict) -> KBEntry:
    data = data or {}
    return KBEntry(id=entry_id, question=data.get("question", ""),
                   similar=list(data.get("similar") or []), answer=data.get("answer", ""),
                   tags=list(data.get("tags") or []), enabled=bool(data.get("enabled", True)),
                   site_key=site_key, learned=list(data.get("learned") or []))


def _entry_sk(gen: str, entry_id: str) -> str:
    return f"{ENTRY_PREFIX}{gen}#{entry_id}"


class KbRepo:
    # ------------------------------------------------------------------ versions
    def version(self, site_key: str, consistent: bool = False) -> dict:
        try:
            item = m.KbItem.get(site_key, VERSION_SK, consistent_read=consistent)
        except DoesNotExist:
            return dict(EMPTY_VERSION)
        return dict(item.data or EMPTY_VERSION)

    def chain_versions(self, keys: list[str]) -> list[dict]:
        """The version items of the knowledge bases a bot reads (domain/departments.chain:
        shared base, site, department) in one BatchGetItem, in the order given."""
        found = {it.site_key: dict(it.data or EMPTY_VERSION)
                 for it in m.KbItem.batch_get([(k, VERSION_SK) for k in keys])}
        return [found.get(k, dict(EMPTY_VERSION)) for k in keys]

    def _write(self, site_key: str, build) -> dict:
        """Run ``build(tx, version)`` and bump the version in one transaction, retrying when
        someone else changed the KB in between. Returns the new version."""
        for _ in range(WRITE_ATTEMPTS):
            current = self.version(site_key, consistent=True)
            new = {"gen": current["gen"], "v": _token()}
            try:
                with TransactWrite(connection=_connection()) as tx:
                    build(tx, current)
                    tx.save(m.KbItem(site_key=site_key, sk=VERSION_SK, data=new,
                                     updated_at=now_ms()),
                            condition=_version_condition(current))
                return new
            except TransactWriteError as exc:
                reasons = [getattr(r, "code", None) if r else None
                           for r in (exc.cancellation_reasons or [])]
                if reasons and reasons[-1] == "ConditionalCheckFailed":
                    time.sleep(0.02)
                    continue  # the version moved: re-read and retry
                if reasons and "ConditionalCheckFailed" in reasons[:-1]:
                    raise _ItemCondition("An item condition failed.") from exc
                raise
        raise Conflict("The knowledge base is being changed; try again.", code="conflict")

    # ------------------------------------------------------------------ entries
    def entries(self, site_key: str, gen: Optional[str] = None) -> list[KBEntry]:
        if gen is None:
            gen = self.version(site_key)["gen"]
        prefix = f"{ENTRY_PREFIX}{gen}#"
        return [data_to_entry(site_key, it.sk[len(prefix):], it.data)
                for it in m.KbItem.query(site_key, m.KbItem.sk.startswith(prefix))]

    def get_entry(self, site_key: str, entry_id: str) -> Optional[KBEntry]:
        """One entry of the site's current KB generation (services/bot_learning.py)."""
        gen = self.version(site_key, consistent=True)["gen"]
        try:
            it = m.KbItem.get(site_key, _entry_sk(gen, entry_id), consistent_read=True)
        except DoesNotExist:
            return None
        return data_to_entry(site_key, entry_id, it.data)

    def put_entry(self, site_key: str, entry: KBEntry, must_exist: Optional[bool] = None) -> dict:
        """Create or replace one entry. must_exist True/False: fail (NotFound/Conflict-like
        ``_ItemCondition``) when the entry is missing/present."""
        def build(tx, current):
            item = m.KbItem(site_key=site_key, sk=_entry_sk(current["gen"], entry.id),
                            data=entry_to_data(entry), updated_at=now_ms())
            cond = None
            if must_exist is True:
                cond = m.KbItem.sk.exists()
            elif must_exist is False:
                cond = m.KbItem.sk.does_not_exist()
            tx.save(item, condition=cond)
        return self._write(site_key, build)

    def delete_entry(self, site_key: str, entry_id: str) -> dict:
        def build(tx, current):
            tx.delete(m.KbItem(site_key=site_key, sk=_entry_sk(current["gen"], entry_id)),
                      condition=m.KbItem.sk.exists())
        return self._write(site_key, build)

    def replace_entries(self, site_key: str, entries: list[KBEntry],
                        keep_existing: bool = False) -> dict:
        """All-or-nothing bulk write (CSV import): batch-write under a new generation, then
        flip the version item. keep_existing copies current entries the import does not
        redefine (merge); otherwise the import replaces the site's entries."""
        current = self.version(site_key, consistent=True)
        new_gen = _token()
        merged = {e.id: e for e in (self.entries(site_key, current["gen"]) if keep_existing else [])}
        for e in entries:
            merged[e.id] = e
        try:
            with m.KbItem.batch_write() as batch:
                for e in merged.values():
                    batch.save(m.KbItem(site_key=site_key, sk=_entry_sk(new_gen, e.id),
                                        data=entry_to_data(e), updated_at=now_ms()))
        except Exception as exc:  # noqa: BLE001 - the old generation stays current
            raise KbWriteFailed("The import could not be written completely; nothing was "
                                "changed (the knowledge base still has its previous entries). "
                                "Try again.") from exc
        new = {"gen": new_gen, "v": _token()}
        try:
            m.KbItem(site_key=site_key, sk=VERSION_SK, data=new, updated_at=now_ms()).save(
                condition=_version_condition(current))
        except Exception as exc:  # noqa: BLE001
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise Conflict("The knowledge base changed during the import; nothing was "
                               "imported. Try again.", code="conflict") from exc
            raise
        self._purge_other_generations(site_key, new_gen)
        return {**new, "count": len(merged)}

    def _purge_other_generations(self, site_key: str, keep_gen: str) -> None:
        """Best effort: delete entries of older (or orphaned) generations."""
        keep = f"{ENTRY_PREFIX}{keep_gen}#"
        try:
            stale = [it for it in m.KbItem.query(site_key, m.KbItem.sk.startswith(ENTRY_PREFIX),
                                                 attributes_to_get=["site_key", "sk"])
                     if not it.sk.startswith(keep)]
            with m.KbItem.batch_write() as batch:
                for it in stale:
                    batch.delete(m.KbItem(site_key=site_key, sk=it.sk))
        except Exception:  # noqa: BLE001 - leftovers are invisible and retried next import
            pass

    # ------------------------------------------------------------------ synonyms
    def synonyms(self, site_key: str) -> list[list[str]]:
        try:
            it = m.KbItem.get(site_key, SYNONYMS_SK)
        except DoesNotExist:
            return []
        return [list(g) for g in (it.data or {}).get("groups", [])]

    def put_synonyms(self, site_key: str, groups: list[list[str]]) -> dict:
        def build(tx, current):
            tx.save(m.KbItem(site_key=site_key, sk=SYNONYMS_SK, data={"groups": groups},
                             updated_at=now_ms()))
        return self._write(site_key, build)

    # ------------------------------------------------------------------ flows
    def flows(self, site_key: str) -> list[dict]:
        return [dict(it.data or {}) for it in
                m.KbItem.query(site_key, m.KbItem.sk.startswith(FLOW_PREFIX))]

    def put_flows(self, site_key: str, flows: list[dict]) -> dict:
        """Replace the site's flows (one transaction: at most 99 items changed)."""
        existing = {it.sk for it in m.KbItem.query(site_key, m.KbItem.sk.startswith(FLOW_PREFIX),
                                                   attributes_to_get=["site_key", "sk"])}
        wanted = {f"{FLOW_PREFIX}{f['id']}": f for f in flows}

        def build(tx, current):
            for sk, f in wanted.items():
                tx.save(m.KbItem(site_key=site_key, sk=sk, data=f, updated_at=now_ms()))
            for sk in existing - set(wanted):
                tx.delete(m.KbItem(site_key=site_key, sk=sk))
        return self._write(site_key, build)

    # ------------------------------------------------------------------ misses
    def record_miss(self, site_key: str, text: str, conversation_id: str, reason: str,
                    miss_id: Optional[str] = None, ts: Optional[int] = None) -> None:
        """Idempotent when given the same miss_id and ts (a redelivered turn)."""
        ts = int(ts or now_ms())
        m.KbItem(site_key=site_key, sk=f"{MISS_PREFIX}{ts:013d}#{miss_id or uuid.uuid4().hex[:12]}",
                 data={"text": text, "conversation_id": conversation_id, "reason": reason},
                 updated_at=ts,
                 expires_at=datetime.now(timezone.utc) + timedelta(days=MISS_TTL_DAYS)).save()

    def misses(self, site_key: str, limit: int = 2000) -> list[dict]:
        """Most recent first. Expired items may linger until DynamoDB's TTL sweep: filtered."""
        now = time.time()
        out = []
        for it in m.KbItem.query(site_key, m.KbItem.sk.startswith(MISS_PREFIX),
                                 scan_index_forward=False, limit=limit):
            if it.expires_at is not None and it.expires_at.timestamp() < now:
                continue
            out.append({**(it.data or {}), "at": it.updated_at})
        return out


    # ------------------------------------------------------------------ learning
    def record_label(self, site_key: str, label_id: str, text: str, entry_id: Optional[str],
                     source: str, conversation_id: Optional[str], ts: Optional[int] = None) -> str:
        """A labelled question for the learning queue. Idempotent for the same id and ts."""
        ts = int(ts or now_ms())
        key = f"{ts:013d}.{label_id}"
        m.KbItem(site_key=site_key, sk=LABEL_PREFIX + key,
                 data={"text": text, "entry_id": entry_id, "source": source,
                       "conversation_id": conversation_id},
                 updated_at=ts,
                 expires_at=datetime.now(timezone.utc) + timedelta(days=LABEL_TTL_DAYS)).save()
        return key

    def labels(self, site_key: str, limit: int = 500) -> list[dict]:
        """Pending labelled questions, most recent first."""
        now = time.time()
        out = []
        for it in m.KbItem.query(site_key, m.KbItem.sk.startswith(LABEL_PREFIX),
                                 scan_index_forward=False, limit=limit):
            if it.expires_at is not None and it.expires_at.timestamp() < now:
                continue
            out.append({**(it.data or {}), "id": it.sk[len(LABEL_PREFIX):], "at": it.updated_at})
        return out

    def get_label(self, site_key: str, label_key: str) -> Optional[dict]:
        try:
            it = m.KbItem.get(site_key, LABEL_PREFIX + label_key, consistent_read=True)
        except DoesNotExist:
            return None
        return {**(it.data or {}), "id": label_key, "at": it.updated_at}

    def delete_label(self, site_key: str, label_key: str) -> None:
        m.KbItem(site_key=site_key, sk=LABEL_PREFIX + label_key).delete()

    def examples(self, site_key: str) -> list[list]:
        try:
            it = m.KbItem.get(site_key, EXAMPLES_SK)
        except DoesNotExist:
            return []
        return list((it.data or {}).get("items") or [])

    def apply_label(self, site_key: str, example: tuple[str, Optional[str]],
                    entry: Optional[KBEntry] = None, label_key: Optional[str] = None) -> dict:
        """One transaction: the entry (with the new similar question) if any, the example
        appended to the site's examples, the queue item removed, a new version."""
        def build(tx, current):
            items = [x for x in self.examples(site_key) if list(x) != list(example)]
            items = (items + [list(example)])[-MAX_EXAMPLES:]
            tx.save(m.KbItem(site_key=site_key, sk=EXAMPLES_SK, data={"items": items},
                             updated_at=now_ms()))
            if entry is not None:
                tx.save(m.KbItem(site_key=site_key, sk=_entry_sk(current["gen"], entry.id),
                                 data=entry_to_data(entry), updated_at=now_ms()))
            if label_key:
                tx.delete(m.KbItem(site_key=site_key, sk=LABEL_PREFIX + label_key))
        return self._write(site_key, build)


class _ItemCondition(AppError):
    """An item-level condition in a KB transaction failed (entry missing / already there)."""
    status = 409
    code = "kb_item_condition"


def _version_condition(current: dict):
    if current.get("v") == EMPTY_VERSION["v"]:
        return m.KbItem.sk.does_not_exist()
    # JSONAttribute compares the serialised document: the exact dict we read
    return m.KbItem.data == current


def _connection():
    return m.KbItem._get_connection().connection


ItemConditionFailed = _ItemCondition
__all__ = ["KbRepo", "COMMON", "KbWriteFailed", "ItemConditionFailed", "entry_to_data",
           "data_to_entry"]

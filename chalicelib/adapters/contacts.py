"""The contacts table: profiles, identity claims, tag memberships, timelines, site settings.

Every read is a GetItem or a Query on a key or index (never a full-table read). Writes that
must not race are conditional: a profile is replaced only at the version it was read at, an
identity item is created only if absent (one identity never maps to two contacts), a lead is
claimed only while unowned. Methods return plain dicts.
"""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import to_dict
from chalicelib.errors import Conflict

C = m.ContactItem
PROFILE = "profile"
IDENTITY = "identity"
DUE_P = "due"
MAX_TX = 100


def contact_pk(contact_id: str) -> str:
    return f"contact#{contact_id}"


def ident_pk(site_key: str, identity: str) -> str:
    return f"ident#{site_key}#{identity}"


def tag_pk(site_key: str, tag: str) -> str:
    return f"tag#{site_key}#{tag}"


def _conditional_failed(exc: Exception) -> bool:
    if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
        return True
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)


def _profile_item(c: dict) -> C:
    """The stored profile: the record as JSON plus the index keys it belongs under."""
    data = {k: v for k, v in c.items() if k not in ("version", "updated_at", "due_at")}
    item = C(contact_pk(c["contact_id"]), PROFILE, contact_id=c["contact_id"],
             site_key=c["site_key"], data=data, version=int(c["version"]),
             updated_at=int(c["updated_at"]))
    if c.get("merged_into"):
        return item                                   # a tombstone is in no list
    site = c["site_key"]
    item.list_site = site
    if c.get("owner_id"):
        item.owner_key = f"{site}#{c['owner_id']}"
    lead = c.get("lead") or {}
    if lead:
        item.lead_key = f"{site}#{lead['status']}" if lead.get("owner_id") \
            else f"{site}#pool"
    if c.get("due_at"):
        item.due_p, item.due_at = DUE_P, int(c["due_at"])
    if lead.get("owner_id") and lead.get("next_contact_at") \
            and lead.get("status") in ("new", "contacted", "qualified"):
        item.remind_owner = lead["owner_id"]
        item.next_contact_at = int(lead["next_contact_at"])
    return item


def _profile(item) -> dict:
    d = to_dict(item)
    out = dict(d.get("data") or {})
    out.update(contact_id=d["contact_id"], site_key=d["site_key"],
               version=int(d.get("version") or 0), updated_at=d.get("updated_at"))
    if d.get("due_at"):
        out["due_at"] = d["due_at"]
    return out


class ContactsRepo:
    # ------------------------------------------------------------------ reads
    def get(self, contact_id: str, consistent: bool = False) -> dict | None:
        try:
            return _profile(C.get(contact_pk(contact_id), PROFILE, consistent_read=consistent))
        except DoesNotExist:
            return None

    def owner_of(self, site_key: str, identity: str) -> str | None:
        try:
            return C.get(ident_pk(site_key, identity), IDENTITY,
                         consistent_read=True).contact_id
        except DoesNotExist:
            return None

    def _page(self, index, key: str, before: int | None, limit: int) -> list[dict]:
        cond = C.updated_at < int(before) if before else None
        return [_profile(x) for x in index.query(key, cond, scan_index_forward=False,
                                                 limit=limit)]

    def by_site(self, site_key: str, before: int | None = None, limit: int = 50):
        return self._page(C.site_index, site_key, before, limit)

    def by_owner(self, site_key: str, owner_id: str, before=None, limit: int = 50):
        return self._page(C.owner_index, f"{site_key}#{owner_id}", before, limit)

    def by_lead(self, site_key: str, bucket: str, before=None, limit: int = 50):
        """bucket: "pool" or a pipeline status."""
        return self._page(C.lead_index, f"{site_key}#{bucket}", before, limit)

    def by_tag(self, site_key: str, tag: str, after: str | None = None, limit: int = 50):
        """Contact ids carrying a tag (tag membership items), in id order."""
        cond = C.sk > contact_pk(after) if after else C.sk.startswith("contact#")
        return [x.sk.split("#", 1)[1] for x in C.query(tag_pk(site_key, tag), cond,
                                                       limit=limit)]

    def due(self, now: int, limit: int = 100) -> list[str]:
        """Claimed leads whose return time has come (ids), oldest first."""
        return [x.pk.split("#", 1)[1] for x in C.due_index.query(DUE_P, C.due_at <= int(now),
                                                                 limit=limit)]

    def reminders(self, owner_id: str, until: int, limit: int = 50) -> list[dict]:
        return [_profile(x) for x in C.remind_index.query(owner_id,
                                                          C.next_contact_at <= int(until),
                                                          limit=limit)]

    def timeline(self, contact_id: str, before: str | None = None, limit: int = 50):
        """Newest first; `before` is the key of the last entry of the previous page."""
        cond = C.sk.between("t#", before) if before else C.sk.startswith("t#")
        out = []
        for x in C.query(contact_pk(contact_id), cond, scan_index_forward=False,
                         limit=limit + (1 if before else 0)):
            if x.sk == before:
                continue
            out.append({"key": x.sk, "at": x.at, **(x.data or {})})
        return out

    # ------------------------------------------------------------------ writes
    def create(self, contact: dict, identities: list[str]) -> bool:
        """The profile and its identity claims in one transaction; False when one of the
        identities is already claimed (the caller re-reads who holds it)."""
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_profile_item(contact), condition=C.pk.does_not_exist())
                for ident in identities:
                    tx.save(C(ident_pk(contact["site_key"], ident), IDENTITY,
                              contact_id=contact["contact_id"], site_key=contact["site_key"]),
                            condition=C.pk.does_not_exist())
                for tag in contact.get("tags") or ():
                    tx.save(C(tag_pk(contact["site_key"], tag), contact_pk(contact["contact_id"]),
                              contact_id=contact["contact_id"]))
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def save(self, contact: dict, expect_version: int, claim: list[str] = (),
             tags_added=(), tags_removed=(), repoint: dict | None = None,
             extra_puts: list[dict] = ()) -> None:
        """Replace the profile at `expect_version` (the caller sets version+1) and, in the
        same transaction, claim new identities (absent, or already this contact's), move
        identities from another contact (`repoint`: {identity: from contact id}), add or
        remove tag memberships and put other profiles (a merge's tombstone, conditional on
        its own version). Conflict when any condition fails."""
        site, cid = contact["site_key"], contact["contact_id"]
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_profile_item(contact), condition=C.version == int(expect_version))
                for other in extra_puts:
                    tx.save(_profile_item(other), condition=C.version == other["version"] - 1)
                for ident in claim:
                    tx.save(C(ident_pk(site, ident), IDENTITY, contact_id=cid, site_key=site),
                            condition=C.pk.does_not_exist() | (C.contact_id == cid))
                for ident, frm in (repoint or {}).items():
                    tx.save(C(ident_pk(site, ident), IDENTITY, contact_id=cid, site_key=site),
                            condition=C.pk.does_not_exist() | C.contact_id.is_in(frm, cid))
                for tag in tags_added:
                    tx.save(C(tag_pk(site, tag), contact_pk(cid), contact_id=cid))
                for tag in tags_removed:
                    tx.delete(C(tag_pk(site, tag), contact_pk(cid)))
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                raise Conflict("This contact changed meanwhile; reload and retry.",
                               code="contact_changed")
            raise

    def claim_lead(self, contact: dict, expect_version: int) -> bool:
        """Write a claimed lead only if still at the version read (unowned then): of racing
        claims exactly one succeeds."""
        try:
            _profile_item(contact).save(condition=C.version == int(expect_version))
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def move_tag(self, site_key: str, tag: str, from_id: str, to_id: str) -> None:
        C(tag_pk(site_key, tag), contact_pk(to_id), contact_id=to_id).save()
        C(tag_pk(site_key, tag), contact_pk(from_id)).delete()

    def append_timeline(self, contact_id: str, at: int, event_id: str, data: dict) -> bool:
        """Idempotent on the event id: the key holds it, a second put changes nothing."""
        try:
            C(contact_pk(contact_id), f"t#{int(at):013d}#{event_id}", at=int(at),
              contact_id=contact_id, data=data).save(condition=C.pk.does_not_exist())
        except PutError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def all_items(self, contact_id: str) -> list[dict]:
        """Every item under the contact's partition (profile and timeline), paged through."""
        return [to_dict(x) for x in C.query(contact_pk(contact_id))]

    def delete_item(self, pk: str, sk: str) -> None:
        C(pk, sk).delete()

    def release_identity(self, site_key: str, identity: str, contact_id: str) -> None:
        try:
            C(ident_pk(site_key, identity), IDENTITY).delete(
                condition=C.contact_id == contact_id)
        except Exception as exc:          # held by another contact now: not ours to delete
            if not _conditional_failed(exc):
                raise

    # ------------------------------------------------------------------ site settings
    def get_setting(self, site_key: str, name: str) -> dict | None:
        try:
            return C.get(f"site#{site_key}", name).data
        except DoesNotExist:
            return None

    def list_settings(self, site_key: str, prefix: str, limit: int = 100) -> list:
        return [x.data for x in C.query(f"site#{site_key}", C.sk.startswith(prefix),
                                        limit=limit)]

    def page_settings(self, site_key: str, prefix: str, after: str | None = None,
                      limit: int = 50) -> list:
        """Settings items named `prefix…` (ids of [A-Za-z0-9_-]) in name order, after the
        name `after` (the last of the previous page)."""
        if not after:
            return [x.data for x in C.query(f"site#{site_key}", C.sk.startswith(prefix),
                                            limit=limit)]
        rows = C.query(f"site#{site_key}", C.sk.between(after, prefix + "~"), limit=limit + 1)
        return [x.data for x in rows if x.sk != after][:limit]

    def put_setting(self, site_key: str, name: str, data) -> None:
        C(f"site#{site_key}", name, site_key=site_key, data=data).save()


def _connection():
    return C._get_connection().connection


__all__ = ["ContactsRepo", "UpdateError"]

"""Merging two contacts into one: what the survivor keeps, what moves. Pure.

The rule: the survivor's non-empty value wins; an empty one takes the loser's (profile and
custom fields alike); identities, emails, phones and tags are unions; notes are joined (the
loser's under a line naming it); the owner and the lead stay the survivor's unless it has
none. Every conflict (both non-empty and different) is listed in the preview so an agent sees
what the loser's value was; nothing is dropped silently (the loser stays as a tombstone that
still holds its own copy)."""
from __future__ import annotations

PROFILE = ("name", "company", "locale", "owner_id")
LISTS = ("identities", "tags")


def _empty(v) -> bool:
    return v is None or v == "" or v == [] or v == {}


def plan(survivor: dict, loser: dict) -> dict:
    """{"result": the survivor's record after the merge, "conflicts": [{field, kept,
    dropped}], "moves": {"identities": [...], "tags": [...], "fields": [...]}}."""
    if survivor["contact_id"] == loser["contact_id"]:
        raise ValueError("a contact cannot be merged into itself")
    result = dict(survivor)
    conflicts, moved_fields = [], []
    for key in PROFILE:
        mine, theirs = survivor.get(key), loser.get(key)
        if _empty(mine) and not _empty(theirs):
            result[key] = theirs
        elif not _empty(theirs) and theirs != mine:
            conflicts.append({"field": key, "kept": mine, "dropped": theirs})
    fields = dict(survivor.get("fields") or {})
    for key, theirs in sorted((loser.get("fields") or {}).items()):
        mine = fields.get(key)
        if _empty(mine) and not _empty(theirs):
            fields[key] = theirs
            moved_fields.append(key)
        elif not _empty(theirs) and theirs != mine:
            conflicts.append({"field": f"fields.{key}", "kept": mine, "dropped": theirs})
    result["fields"] = fields
    moves = {"fields": moved_fields}
    for key in LISTS:
        mine = set(survivor.get(key) or ())
        theirs = set(loser.get(key) or ())
        result[key] = sorted(mine | theirs)
        moves[key] = sorted(theirs - mine)
    if not _empty(loser.get("notes")):
        head = f"[merged from {loser['contact_id']}]"
        result["notes"] = "\n".join(x for x in (survivor.get("notes"), head, loser["notes"])
                                    if x)[:5000]
    if _empty(survivor.get("lead")) and not _empty(loser.get("lead")):
        result["lead"] = loser["lead"]
    result["verified"] = sorted(set(survivor.get("verified") or ())
                                | set(loser.get("verified") or ()))
    return {"result": result, "conflicts": conflicts, "moves": moves}


def suggestions(identities_of_contact: list[str], verified: list[str],
                owners: dict[str, str], contact_id: str) -> list[dict]:
    """Other contacts sharing a verified mergeable identity with this one: `owners` maps an
    identity key to the contact holding it (identity items)."""
    from chalicelib.domain.contacts.identities import MERGEABLE, split
    out = {}
    for ident in verified:
        if split(ident)[0] not in MERGEABLE or ident not in identities_of_contact:
            continue
        other = owners.get(ident)
        if other and other != contact_id:
            out.setdefault(other, []).append(ident)
    return [{"contact_id": c, "because": sorted(why)} for c, why in sorted(out.items())]

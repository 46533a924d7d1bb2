"""contact.* events from the contacts table's stream records (pure)."""
import json

from chalicelib.domain import events as named
from chalicelib.domain.contacts import events as ce

CID = "ct_0123456789abcdef01234567"


def contact(version=1, **over):
    c = {"contact_id": CID, "site_key": "demo", "name": "王小明", "company": "Acme",
         "locale": "zh-CN", "identities": ["email:wang@example.com", "visitor:v_1"],
         "verified": [], "tags": ["vip"], "fields": {"plan": "gold"},
         "notes": "private note text", "owner_id": None, "lead": None,
         "stats": {"chats": 1, "last_seen_at": 1000}, "created_at": 1000,
         "version": version, "updated_at": 1000 + version}
    c.update(over)
    return c


def item(c):
    """The profile item as the stream carries it (adapters/contacts.py _profile_item)."""
    data = {k: v for k, v in c.items() if k not in ("version", "updated_at", "due_at")}
    img = {"pk": {"S": f"contact#{c['contact_id']}"}, "sk": {"S": "profile"},
           "contact_id": {"S": c["contact_id"]}, "site_key": {"S": c["site_key"]},
           "data": {"S": json.dumps(data)}, "version": {"N": str(c["version"])},
           "updated_at": {"N": str(c["updated_at"])}}
    if not c.get("merged_into"):
        img["list_site"] = {"S": c["site_key"]}
    return img


def record(name, new=None, old=None, keys=None):
    img = new or old
    change = {"ApproximateCreationDateTime": 1764460000.0,
              "Keys": keys or {"pk": img["pk"], "sk": img["sk"]},
              "StreamViewType": "NEW_AND_OLD_IMAGES", "SequenceNumber": "1",
              "SizeBytes": 100}
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    return {"eventID": "e1", "eventName": name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": change}


PERSONAL = ("王小明", "Acme", "wang@example.com", "private note text", "gold", "13800",
            "new@example.com", "platinum")


def no_personal(envs):
    text = json.dumps(envs, ensure_ascii=False)
    assert not [p for p in PERSONAL if p in text], text


def test_insert_of_a_profile_is_contact_created():
    envs = named.from_stream_record("contacts", record("INSERT", new=item(contact())))
    assert [e["type"] for e in envs] == ["contact.created"]
    e = envs[0]
    assert e["id"] == f"ct:{CID}:1:0"
    assert {k: e[k] for k in ("version", "at", "site_key", "conversation_id", "contact_id")} \
        == {"version": 1, "at": 1001, "site_key": "demo", "conversation_id": None,
            "contact_id": CID}
    assert e["data"] == {"tags": ["vip"], "owner_id": None, "lead": None, "fields": ["plan"],
                         "identities": ["emails", "visitor"]}
    no_personal(envs)


def test_other_items_of_the_table_yield_nothing():
    for pk, sk in ((f"contact#{CID}", "t#1000#abc"), ("ident#demo#email:a@b.c", "identity"),
                   ("tag#demo#vip", f"contact#{CID}"), ("site#demo", "fields")):
        img = {"pk": {"S": pk}, "sk": {"S": sk}, "data": {"S": "{}"}}
        for name in ("INSERT", "MODIFY", "REMOVE"):
            assert ce.from_record(record(name, new=img, old=img)) == [], (pk, name)


def test_a_field_change_names_the_keys_not_the_values():
    before = contact(1)
    after = contact(2, fields={"plan": "platinum", "seats": 3}, name="王大明",
                    tags=["vip", "beta"], notes="private note text, more",
                    identities=["email:new@example.com", "visitor:v_1"])
    envs = ce.from_record(record("MODIFY", new=item(after), old=item(before)))
    assert [(e["type"], e["id"]) for e in envs] == [("contact.updated", f"ct:{CID}:2:0")]
    d = envs[0]["data"]
    assert d["changed"] == ["emails", "fields", "name", "notes", "tags"]
    assert d["fields"] == ["plan", "seats"]
    assert d["tags"] == {"before": ["vip"], "after": ["beta", "vip"], "added": ["beta"],
                         "removed": []}
    assert "owner_id" not in d
    no_personal(envs)


def test_owner_change_carries_before_and_after():
    envs = ce.from_record(record("MODIFY", new=item(contact(3, owner_id="ag_2")),
                                 old=item(contact(2, owner_id="ag_1"))))
    assert envs[0]["data"] == {"changed": ["owner_id"],
                               "owner_id": {"before": "ag_1", "after": "ag_2"}}


def test_a_write_changing_nothing_reported_yields_nothing():
    # a rating or last-seen update (stats) is not a contact.updated
    old = contact(4)
    new = contact(5, stats={"chats": 2, "last_seen_at": 9000})
    assert ce.from_record(record("MODIFY", new=item(new), old=item(old))) == []
    # the same version (an index-only rewrite) yields nothing either
    assert ce.from_record(record("MODIFY", new=item(contact(4)), old=item(old))) == []


def lead(status="new", owner=None):
    return {"status": status, "source": "prechat", "since": 1, "owner_id": owner,
            "claimed_at": None, "touched_at": 1, "next_contact_at": None,
            "history": [{"note": "called, wants a demo"}]}


def test_lead_entering_the_pool_claimed_moved_returned():
    steps = [(None, lead(), ["entered_pool"]),
             (lead(), lead(owner="ag_1"), ["claimed"]),
             (lead(owner="ag_1"), lead("contacted", "ag_1"), ["status"]),
             (lead("contacted", "ag_1"), lead("contacted"), ["returned"]),
             (lead("won", "ag_1"), None, ["removed"])]
    for n, (b, a, change) in enumerate(steps):
        envs = ce.from_record(record("MODIFY", new=item(contact(n + 2, lead=a)),
                                     old=item(contact(n + 1, lead=b))))
        assert [e["type"] for e in envs] == ["contact.lead_changed"], change
        d = envs[0]["data"]
        assert d["change"] == change
        assert d["status"] == {"before": (b or {}).get("status"), "after": (a or {}).get("status")}
        assert d["owner_id"] == {"before": (b or {}).get("owner_id"),
                                 "after": (a or {}).get("owner_id")}
        assert "wants a demo" not in json.dumps(envs)
    # a note or follow-up date alone (status and holder unchanged) is not a lead change
    touched = {**lead("contacted", "ag_1"), "next_contact_at": 99, "touched_at": 5}
    assert ce.from_record(record("MODIFY", new=item(contact(9, lead=touched)),
                                 old=item(contact(8, lead=lead("contacted", "ag_1"))))) == []


def test_one_write_may_update_and_change_the_lead():
    envs = ce.from_record(record("MODIFY", new=item(contact(3, tags=[], lead=lead())),
                                 old=item(contact(2))))
    assert [(e["type"], e["id"]) for e in envs] == [
        ("contact.updated", f"ct:{CID}:3:0"), ("contact.lead_changed", f"ct:{CID}:3:1")]


def test_the_loser_of_a_merge_becomes_merged():
    loser = contact(4, owner_id="ag_1", lead=lead(owner="ag_1"))
    tomb = {**loser, "merged_into": "ct_survivor", "version": 5, "updated_at": 7000,
            "lead": None, "owner_id": None}
    envs = ce.from_record(record("MODIFY", new=item(tomb), old=item(loser)))
    assert [(e["type"], e["id"], e["data"]) for e in envs] == [
        ("contact.merged", f"ct:{CID}:5:0", {"merged_into": "ct_survivor"})]
    assert envs[0]["at"] == 7000
    # a tombstone written again (an erase repeat) and its removal say nothing more
    again = {**tomb, "version": 6}
    assert ce.from_record(record("MODIFY", new=item(again), old=item(tomb))) == []
    assert ce.from_record(record("REMOVE", old=item(tomb))) == []


def test_remove_of_a_profile_is_contact_deleted_with_no_values():
    envs = ce.from_record(record("REMOVE", old=item(contact(7))))
    assert [(e["type"], e["id"], e["data"], e["at"]) for e in envs] == [
        ("contact.deleted", f"ct:{CID}:deleted", {}, 1764460000000)]
    assert envs[0]["site_key"] == "demo"
    no_personal(envs)


def test_the_same_record_yields_the_same_ids():
    r = record("MODIFY", new=item(contact(2, owner_id="ag_1")), old=item(contact(1)))
    assert ce.from_record(r) == ce.from_record(json.loads(json.dumps(r)))


def test_every_type_is_in_the_webhook_catalogue():
    from chalicelib.domain import webhooks
    for t in ce.TYPES:
        assert t in webhooks.CATALOGUE and webhooks.valid_event_type(t)
    assert webhooks.valid_event_type("contact.*")
    assert not webhooks.valid_event_type("contact.nonsense")

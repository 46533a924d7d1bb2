"""Contacts on moto: a widget session, a pre-chat form, an identify() sign-in on another
device and an offline message join one contact (identity items keep one identity on one
contact); the `contacts` consumer writes the timeline once per event."""
import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, sessions, sites
from chalicelib.services.contacts import links, records
from tests.integration.test_event_stream import StreamTail, receive, relay, sqs_event


def _always(site, user_id, digest):
    return digest == f"ok-{user_id}"


def contact_of(deps, site, visitor_id):
    return records.of_identity(deps, site, f"visitor:{visitor_id}")


def test_a_session_prechat_and_sign_in_on_two_devices_join_one_contact(deps, site):
    first = sessions.start_session(deps, {"site_key": "demo"})
    c1 = contact_of(deps, "demo", first["visitor_id"])
    assert c1 is not None and c1["stats"]["chats"] == 1 and c1["lead"] is None
    # the pre-chat form: name and e-mail; the name reaches the inbox list too (issue 11)
    again = sessions.start_session(deps, {"site_key": "demo", "name": "王芳",
                                          "email": "Fang@Example.com"}, token=first["token"])
    assert again["visitor_id"] == first["visitor_id"]
    c1 = contact_of(deps, "demo", first["visitor_id"])
    assert c1["name"] == "王芳" and "email:fang@example.com" in c1["identities"]
    assert c1["lead"]["status"] == "new" and c1["lead"]["source"] == "prechat"
    conv = deps.conversations.get(first["conversation_id"])
    assert conv["attrs"]["visitor_name"] == "王芳"
    listed = agent_svc.list_conversations(deps, Actor(kind="agent", id="a", role="admin"),
                                          conv["status"], 50, None)
    assert [c["visitor_name"] for c in listed["conversations"]] == ["王芳"]
    # signed in on this browser: the user id joins this contact
    sessions.start_session(deps, {"site_key": "demo", "identity": {"user_id": "u-42",
                                                                   "hash": "ok-u-42"}},
                           token=first["token"], identity_check=_always)
    # ... and on WeChat (the channel passes the openid with the user id): the same contact
    wx = links.link(deps, "demo", None, user_id="u-42", channel_ids=[("wechat", "oWx_9")])
    assert wx["contact_id"] == c1["contact_id"]
    assert links.link(deps, "demo", None, channel_ids=[("wechat", "oWx_9")])[
        "contact_id"] == c1["contact_id"]
    joined = records.resolve(deps, c1["contact_id"])
    assert {"user:u-42", "wechat:oWx_9"} <= set(joined["identities"])
    assert deps.contacts.owner_of("demo", "user:u-42") == c1["contact_id"]
    # another visitor typing the same e-mail does not take it: a merge suggestion instead
    other = sessions.start_session(deps, {"site_key": "demo", "email": "fang@example.com"})
    c2 = contact_of(deps, "demo", other["visitor_id"])
    assert c2["contact_id"] != c1["contact_id"]
    assert "email:fang@example.com" not in c2["identities"]
    assert deps.contacts.owner_of("demo", "email:fang@example.com") == c1["contact_id"]


def test_an_offline_message_makes_a_lead_with_the_phone(deps, site):
    s = sessions.start_session(deps, {"site_key": "demo"})
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="demo")
    lifecycle.leave_offline_message(deps, vis, s["conversation_id"], {
        "email": "li@example.cn", "name": "李雷", "phone": "138 0013 8000",
        "text": "请回电"})
    c = contact_of(deps, "demo", s["visitor_id"])
    assert {"email:li@example.cn", "phone:+8613800138000"} <= set(c["identities"])
    assert c["lead"]["source"] == "offline" and c["name"] == "李雷"
    pool = records.list_contacts(deps, None, "demo", {"lead": "pool"})
    assert [x["contact_id"] for x in pool["contacts"]] == [c["contact_id"]]


def test_the_timeline_consumer_records_each_event_once(deps, aws):
    tails = {table: StreamTail(aws, table) for table in ("conversations", "messages")}
    sites.create_site(deps, "tl", "Timeline", {"bot_enabled": False})
    ann = agent_svc.create_agent(deps, {"email": "ann@example.com", "name": "Ann",
                                        "password": "password1", "role": "admin"})
    agent = Actor(kind="agent", id=ann["agent_id"], role="admin", name="Ann")
    s = sessions.start_session(deps, {"site_key": "tl", "name": "Bo"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="tl")
    convs.post_message(deps, vis, cid, {"client_message_id": "v1", "text": "hi"})
    presence.set_status(deps, agent, {"status": "online"})
    lifecycle.accept(deps, agent, cid)
    lifecycle.close(deps, agent, cid)
    lifecycle.rate(deps, vis, cid, {"score": 4})
    for table in ("conversations", "messages"):
        relay(aws, table, tails[table].records(cid))
    event = sqs_event(receive(aws["ContactsConsumerQueueUrl"]), aws["ContactsConsumerQueueArn"])
    assert app_module.consume_contacts(event, None) == {"batchItemFailures": []}
    c = contact_of(deps, "tl", s["visitor_id"])
    kinds = [e["kind"] for e in deps.contacts.timeline(c["contact_id"])]
    assert sorted(kinds) == ["conversation_closed", "conversation_created",
                             "conversation_rated"]
    assert c["stats"]["last_rating"] == 4
    # a redelivered batch adds nothing
    assert app_module.consume_contacts(event, None) == {"batchItemFailures": []}
    assert len(deps.contacts.timeline(c["contact_id"])) == 3


def test_prechat_answers_land_on_the_contact_fields(deps, site):
    admin = Actor(kind="agent", id="root", role="admin")
    records.set_field_defs(deps, admin, "demo", {"fields": [
        {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
         "options": [{"value": "pro"}, {"value": "basic"}]},
        {"key": "seats", "type": "number", "label_en": "Seats", "label_zh": "席位"}]})
    s = sessions.start_session(deps, {"site_key": "demo"})
    sessions.start_session(deps, {"site_key": "demo", "name": "周杰", "attributes": {
        "plan": "pro", "seats": "x", "company": "某某科技", "phone": "13800138000"}},
        token=s["token"])
    c = contact_of(deps, "demo", s["visitor_id"])
    assert c["fields"] == {"plan": "pro"}                 # the bad number is left out
    assert c["company"] == "某某科技" and "phone:+8613800138000" in c["identities"]
    assert c["lead"]["source"] == "prechat"


def test_a_verified_sign_in_merges_the_browsers_contact_into_the_users(deps, site):
    # the user is known from another channel (the API channel passes the user id)
    user = links.link(deps, "demo", None, user_id="u-7", channel_ids=[("api", "crm-7")])
    # a browser chatting anonymously has its own contact
    s = sessions.start_session(deps, {"site_key": "demo", "name": "匿名"})
    anon = contact_of(deps, "demo", s["visitor_id"])
    assert anon["contact_id"] != user["contact_id"]
    # then it signs in with identify(): the same user id, verified: one contact
    sessions.start_session(deps, {"site_key": "demo", "identity": {
        "user_id": "u-7", "hash": "ok-u-7"}}, token=s["token"], identity_check=_always)
    survivor = contact_of(deps, "demo", s["visitor_id"])
    assert survivor["contact_id"] == user["contact_id"]
    assert {f"visitor:{s['visitor_id']}", "user:u-7", "api:crm-7"} <= set(
        survivor["identities"])
    assert survivor["name"] == "匿名"
    assert records.resolve(deps, anon["contact_id"])["contact_id"] == user["contact_id"]

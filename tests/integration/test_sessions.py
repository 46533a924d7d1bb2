"""Session calls after the first (issue 11): the pre-chat name reaches the inbox, and
several calls within one visit count one visit."""
from chalicelib.adapters.dynamo import now_ms
from chalicelib.services import sessions
from chalicelib.services.views import conversation_view


def test_prechat_name_reaches_the_open_conversation_the_inbox_lists(deps, site):
    s = sessions.start_session(deps, {"site_key": "demo"})
    cid = s["conversation_id"]
    rev = deps.conversations.get(cid)["rev"]
    again = sessions.start_session(deps, {"site_key": "demo", "name": "Bea Buyer",
                                          "email": "bea@example.com"}, s["token"])
    assert again["conversation_id"] == cid
    listed = conversation_view(deps.conversations.get(cid, consistent=True), for_agent=True)
    assert listed["visitor_name"] == "Bea Buyer"
    assert listed["visitor_email"] == "bea@example.com"
    changed = deps.conversations.get(cid, consistent=True)["rev"]
    assert changed > rev

    # the same name again writes nothing
    sessions.start_session(deps, {"site_key": "demo", "name": "Bea Buyer"}, again["token"])
    assert deps.conversations.get(cid, consistent=True)["rev"] == changed


def test_calls_within_a_visit_count_one_visit_and_a_return_counts_another(deps, site):
    s = sessions.start_session(deps, {"site_key": "demo"})
    vid = s["visitor_id"]
    assert s["visitor"]["visits"] == 1
    for extra in ({"name": "Nia New"}, {"attributes": {"plan": "pro"}}, {}):
        again = sessions.start_session(deps, {"site_key": "demo", **extra}, s["token"])
        assert again["visitor"]["visits"] == 1, extra   # pre-chat, setAttributes, renewal
    assert deps.visitors.get(vid)["visits"] == 1

    deps.visitors.update(vid, {"last_seen_at": now_ms() - 31 * 60 * 1000})   # away 31 min
    back = sessions.start_session(deps, {"site_key": "demo"}, s["token"])
    assert back["visitor"]["visits"] == 2
    assert deps.visitors.get(vid)["visits"] == 2

"""The sockets a conversation item names (a send's recipients without a Query): the visitor's,
kept by $connect, $disconnect and 410s, and the holder's, written by the assignment and by
the holder's $connect. Where the item has no note for its holder, the connections table is
asked."""
from chalicelib.adapters.dynamo import now_ms
from chalicelib.adapters.sender import GoneError
from chalicelib.domain.actors import Actor
from chalicelib.services import agents, delivery, lifecycle, presence, realtime, routing
from chalicelib.services import conversations as convs
from chalicelib.services import sessions, sites


class GoneFor:
    """The management API, with some connections gone (410)."""

    def __init__(self, inner, gone):
        self.inner, self.gone = inner, set(gone)

    def post(self, connection_id, data):
        if connection_id in self.gone:
            raise GoneError(connection_id)
        return self.inner.post(connection_id, data)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _visitor(deps):
    s = sessions.start_session(deps, {"site_key": "demo"})
    return s, Actor(kind="visitor", id=s["visitor_id"])


def _agent(deps, email, name):
    a = agents.create_agent(deps, {"email": email, "name": name, "password": "password1",
                                   "capacity": 5})
    actor = Actor(kind="agent", id=a["agent_id"], role="agent", name=name)
    presence.set_status(deps, actor, {"status": "online"})
    token = agents.login(deps, {"email": email, "password": "password1"})["token"]
    return a, actor, token


def _ids(conns):
    return sorted(c["connection_id"] for c in conns)


def test_visitor_sockets_are_noted_and_forgotten_without_a_state_change(deps, site):
    s, _ = _visitor(deps)
    cid = s["conversation_id"]
    before = deps.conversations.get(cid, consistent=True)
    assert before["sockets"] == {}
    realtime.connect(deps, "tab-1=", {"token": s["token"]})
    realtime.connect(deps, "tab-2=", {"token": s["token"]})
    conv = deps.conversations.get(cid, consistent=True)
    assert sorted(conv["sockets"]) == ["tab-1=", "tab-2="]
    # no state change for anyone: rev and updated_at stay (no console delta, no long-poll wake)
    assert (conv["rev"], conv["updated_at"]) == (before["rev"], before["updated_at"])
    assert _ids(delivery.recipients(deps, conv, agents=False)) == ["tab-1=", "tab-2="]

    realtime.disconnect(deps, "tab-1=")
    conv = deps.conversations.get(cid, consistent=True)
    assert sorted(conv["sockets"]) == ["tab-2="]
    assert conv["rev"] == before["rev"]
    # the identity a warm instance remembered goes with the row
    realtime.handle_frame(deps, "tab-1=", '{"action":"ping","id":"p"}')
    assert deps.extras["recorder"].events("tab-1=", "error")[-1]["code"] == "unknown_connection"


def test_a_visitor_socket_that_answers_410_leaves_the_item(deps, site):
    s, visitor = _visitor(deps)
    cid = s["conversation_id"]
    realtime.connect(deps, "live=", {"token": s["token"]})
    # an older socket whose $disconnect never came
    old = now_ms() - 120_000
    deps.conversations.add_socket(cid, "stale=", old)
    deps.sender = GoneFor(deps.sender, {"stale="})
    convs.post_message(deps, visitor, cid, {"client_message_id": "m1", "text": "hello"})
    assert sorted(deps.conversations.get(cid, consistent=True)["sockets"]) == ["live="]
    assert deps.extras["recorder"].events("live=", "message")[-1]["message"]["text"] == "hello"


def test_a_conversation_made_before_sockets_were_kept(deps, site):
    """No `sockets` on the item: the connections table is asked, and the next $connect
    makes the map; a socket never lands on an item that does not exist."""
    s, _ = _visitor(deps)
    cid = s["conversation_id"]
    realtime.connect(deps, "first=", {"token": s["token"]})
    from chalicelib.adapters import models as m
    m.Conversation(cid).update(actions=[m.Conversation.sockets.remove()])
    conv = deps.conversations.get(cid, consistent=True)
    assert "sockets" not in conv
    assert _ids(delivery.visitor_connections(deps, conv)) == ["first="]    # the Query
    realtime.connect(deps, "second=", {"token": s["token"]})
    assert sorted(deps.conversations.get(cid, consistent=True)["sockets"]) == ["second="]

    deps.conversations.add_socket("c_nothing_here", "x=", now_ms())
    deps.conversations.drop_socket("c_nothing_here", "x=")
    assert deps.conversations.get("c_nothing_here", consistent=True) is None


def _assigned(deps, sites_settings=None):
    sites.create_site(deps, "demo", "Demo", {"bot_enabled": False, **(sites_settings or {})})
    s, visitor = _visitor(deps)
    cid = s["conversation_id"]
    a, actor, token = _agent(deps, "ann@example.com", "Ann")
    realtime.connect(deps, "ann-1=", {"token": token, "role": "agent"})
    realtime.connect(deps, "vis=", {"token": s["token"]})
    convs.post_message(deps, visitor, cid, {"client_message_id": "q", "text": "a person"})
    routing.assign_next(deps, "_default")
    return cid, visitor, a, actor, token


def test_the_holders_sockets_follow_the_chat(deps):
    cid, visitor, ann, ann_actor, ann_token = _assigned(deps)
    conv = deps.conversations.get(cid, consistent=True)
    assert conv["holder_sockets"]["agent"] == ann["agent_id"]
    assert sorted(conv["holder_sockets"]["ids"]) == ["ann-1="]
    assert _ids(delivery.recipients(deps, conv)) == ["ann-1=", "vis="]

    # a console opened later joins the chat's note; one of an agent who does not hold it not
    bob, bob_actor, bob_token = _agent(deps, "bob@example.com", "Bob")
    realtime.connect(deps, "ann-2=", {"token": ann_token, "role": "agent"})
    realtime.connect(deps, "bob-1=", {"token": bob_token, "role": "agent"})
    conv = deps.conversations.get(cid, consistent=True)
    assert sorted(conv["holder_sockets"]["ids"]) == ["ann-1=", "ann-2="]

    # transferred: Bob's sockets are the note now; Ann, still a participant, is asked for
    lifecycle.transfer(deps, ann_actor, cid, {"agent_id": bob["agent_id"]})
    conv = deps.conversations.get(cid, consistent=True)
    assert conv["agent_id"] == bob["agent_id"]
    assert conv["holder_sockets"] == {"agent": bob["agent_id"], "ids": {"bob-1=": conv[
        "holder_sockets"]["ids"]["bob-1="]}}
    assert _ids(delivery.recipients(deps, conv)) == ["ann-1=", "ann-2=", "bob-1=", "vis="]

    # a holder's socket that answers 410 leaves the note
    deps.conversations.add_holder_socket(cid, bob["agent_id"], "bob-old=", now_ms() - 120_000)
    deps.sender = GoneFor(deps.sender, {"bob-old="})
    convs.post_message(deps, visitor, cid, {"client_message_id": "m2", "text": "still there?"})
    assert sorted(deps.conversations.get(cid, consistent=True)["holder_sockets"]["ids"]) == \
        ["bob-1="]


def test_a_note_that_is_not_the_holders_is_not_trusted(deps):
    """An item whose note names another agent (written by a path that does not keep it):
    the holder's sockets come from the connections table."""
    cid, visitor, ann, ann_actor, ann_token = _assigned(deps)
    from chalicelib.adapters import models as m
    C = m.Conversation
    C(cid).update(actions=[C.holder_sockets.set({"agent": "a_someone_else", "ids": {}})])
    conv = deps.conversations.get(cid, consistent=True)
    assert delivery.holder_connections(conv) is None
    assert _ids(delivery.recipients(deps, conv)) == ["ann-1=", "vis="]
    # and a new socket of the holder does not write into someone else's note
    realtime.connect(deps, "ann-9=", {"token": ann_token, "role": "agent"})
    assert deps.conversations.get(cid, consistent=True)["holder_sockets"]["ids"] == {}

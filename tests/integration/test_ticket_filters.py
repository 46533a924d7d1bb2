"""Ticket list filters on moto: `tag` and the subject search `q` over a bounded read of the
view's index (manage.SEARCH_BUDGET tickets a page), paging by cursor, validation, and the
team rule still applied."""
from chalicelib.services.tickets import manage
# the fixtures `world` and `clock` (and their helpers) of the tickets tests
from tests.integration.test_tickets import clock, new, refused, world  # noqa: F401,F811


def ids(page):
    return [t["ticket_id"] for t in page["tickets"]]


def test_tag_and_subject_search_filter_the_view(deps, world):
    sup = world["sup"]
    a = new(deps, sup, subject="Refund for order 17", tags=["billing", "VIP"])
    b = new(deps, sup, subject="Broken charger", tags=["billing"])
    c = new(deps, sup, subject="refund again", tags=["returns"])
    q = {"site_key": "demo", "view": "status", "status": "new"}
    assert set(ids(manage.list_tickets(deps, sup, {**q, "tag": "billing"}))) == \
        {a["ticket_id"], b["ticket_id"]}
    assert ids(manage.list_tickets(deps, sup, {**q, "tag": "vip"})) == [a["ticket_id"]]
    assert set(ids(manage.list_tickets(deps, sup, {**q, "q": "REFUND"}))) == \
        {a["ticket_id"], c["ticket_id"]}
    both = manage.list_tickets(deps, sup, {**q, "q": "refund", "tag": "billing"})
    assert ids(both) == [a["ticket_id"]] and both["cursor"] is None
    assert ids(manage.list_tickets(deps, sup, {**q, "q": "nothing like it"})) == []
    # another view (by requester) filters the same way
    by_req = manage.list_tickets(deps, sup, {"site_key": "demo", "view": "requester",
                                             "requester": "cus@example.com", "tag": "returns"})
    assert ids(by_req) == [c["ticket_id"]]


def test_filtered_pages_follow_the_cursor_and_the_read_is_bounded(deps, world, clock,
                                                                   monkeypatch):
    sup = world["sup"]
    made = []
    for i in range(7):          # one simulated second apart: a distinct updated_at each
        clock["now"] += 1000
        made.append(new(deps, sup, subject=f"Item {i}", tags=["even" if i % 2 == 0 else "odd"]))
    evens = {t["ticket_id"] for t in made[0::2]}
    q = {"site_key": "demo", "status": "new", "tag": "even", "limit": "2"}
    seen, cursor, pages = [], None, 0
    while True:
        page = manage.list_tickets(deps, sup, {**q, **({"cursor": cursor} if cursor else {})})
        assert len(page["tickets"]) <= 2
        seen += ids(page)
        pages += 1
        cursor = page["cursor"]
        if not cursor or pages > 10:
            break
    assert sorted(seen) == sorted(evens) and len(seen) == len(set(seen))
    # a budget of 3 tickets read per page: a page may be short, the cursor goes on
    monkeypatch.setattr(manage, "SEARCH_BUDGET", 3)
    first = manage.list_tickets(deps, sup, {**q, "limit": "10"})
    assert len(first["tickets"]) <= 2 and first["cursor"]
    rest, cursor = list(ids(first)), first["cursor"]
    for _ in range(5):
        if not cursor:
            break
        page = manage.list_tickets(deps, sup, {**q, "limit": "10", "cursor": cursor})
        rest += ids(page)
        cursor = page["cursor"]
    assert sorted(rest) == sorted(evens) and cursor is None


def test_filters_keep_the_team_rule_and_are_validated(deps, world):
    ann, bob = world["ann"], world["bob"]
    mine = new(deps, ann, team="sales", subject="Sales question", tags=["x1"])
    new(deps, bob, team="support", subject="Support question", tags=["x1"])
    got = manage.list_tickets(deps, ann, {"site_key": "demo", "status": "new", "tag": "x1"})
    assert ids(got) == [mine["ticket_id"]]
    got = manage.list_tickets(deps, ann, {"site_key": "demo", "status": "new", "q": "question"})
    assert ids(got) == [mine["ticket_id"]]
    for bad in ({"q": "a"}, {"q": "x" * 101}, {"tag": " "}, {"tag": "t" * 41}):
        err = refused("invalid_value", manage.list_tickets, deps, ann,
                      {"site_key": "demo", **bad})
        assert err.details["field"] in ("q", "tag")


def test_rest_route_takes_the_filters(deps, world):
    import app as app_module
    from tests.helpers.api import Api
    api = Api(app_module.app)
    token = api.agent_login("sue@example.com", "password1")["token"]
    hit = new(deps, world["sup"], subject="Printer jam", tags=["hw"])
    new(deps, world["sup"], subject="Printer ink", tags=["sw"])
    status, body = api.request(
        "GET", "/v1/agent/tickets?site_key=demo&status=new&tag=hw&q=PRINTER", None, token=token)
    assert status == 200 and [t["ticket_id"] for t in body["tickets"]] == [hit["ticket_id"]]
    status, body = api.request("GET", "/v1/agent/tickets?site_key=demo&q=x", None, token=token)
    assert status == 400 and body["error"]["code"] == "invalid_value"

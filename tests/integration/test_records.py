"""Chat records on moto: conversations go through the table streams, the relay, the topic and
the `records` queue to the records consumer; the search API then finds them by every filter
and by Chinese and English full text, shows agents only their own and their teams' chats,
pages with a cursor, and exports CSV (inline) and JSON (background job to S3)."""
import csv
import io
import json
import time
from urllib.parse import parse_qs, quote, urlparse

import boto3

import app as app_module
from chalicelib.domain.actors import Actor
from chalicelib.services import agents as agent_svc
from chalicelib.services import conversations as convs
from chalicelib.services import lifecycle, presence, sessions, sites
from chalicelib.services.records import export as records_export
from tests.helpers.api import Api
from tests.helpers.aws import drain_queues
from tests.integration.test_event_stream import StreamTail, receive, relay, sqs_event


def _agent(deps, email, role="agent", teams=()):
    a = agent_svc.create_agent(deps, {"email": email, "name": email.split("@")[0].title(),
                                      "password": "password1", "role": role,
                                      "teams": list(teams)})
    return Actor(kind="agent", id=a["agent_id"], role=role, name=a["name"],
                 teams=tuple(teams))


def _chat(deps, agent, lines, team=None, rate=None, tags=(), close=True):
    s = sessions.start_session(deps, {"site_key": "rec"})
    cid = s["conversation_id"]
    vis = Actor(kind="visitor", id=s["visitor_id"], site_key="rec")
    lifecycle.accept(deps, agent, cid)
    if team:
        deps.conversations.update(cid, set_fields={"team": team})
    for i, (who, text) in enumerate(lines):
        convs.post_message(deps, vis if who == "v" else agent, cid,
                           {"client_message_id": f"m{i}", "text": text})
    if tags:
        lifecycle.set_tags(deps, agent, cid, {"add": list(tags)})
    if close:
        lifecycle.close(deps, agent, cid)
    if rate:
        lifecycle.rate(deps, vis, cid, {"score": rate})
    return cid


def _consume(aws, tails, cids):
    for table in ("conversations", "messages"):
        for cid in cids:
            relay(aws, table, tails[table].records(cid))
    delivered = receive(aws["RecordsConsumerQueueUrl"])
    event = sqs_event(delivered, aws["RecordsConsumerQueueArn"])
    assert app_module.consume_records(event, None) == {"batchItemFailures": []}
    return event


def _postings(aws):
    """Test-only look at the table (the app never scans it)."""
    ddb = boto3.client("dynamodb")
    items = ddb.scan(TableName=aws["ReportsTableName"])["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items
                  if i["pk"]["S"].startswith(("tok#", "rec#")))


def _setup(deps, aws):
    tails = {t: StreamTail(aws, t) for t in ("conversations", "messages")}
    sites.create_site(deps, "rec", "Records", {"bot_enabled": False})
    ann = _agent(deps, "ann@example.com", teams=("sales",))
    bob = _agent(deps, "bob@example.com", teams=("support",))
    _agent(deps, "cat@example.com", teams=("sales",))
    _agent(deps, "sue@example.com", role="supervisor")
    presence.set_status(deps, ann, {"status": "online"})
    presence.set_status(deps, bob, {"status": "online"})
    c1 = _chat(deps, ann, [("v", "我想退货，运费谁出？"), ("a", "Refunds are free, 运费我们出")],
               team="sales", rate=2, tags=("refund",))
    c2 = _chat(deps, bob, [("v", "Where is my ORDER?"), ("a", "Shipped today, 已发货")],
               team="support", rate=5)
    c3 = _chat(deps, bob, [("v", "还在吗")], team="support", close=False)
    drain_queues(deps)
    event = _consume(aws, tails, [c1, c2, c3])
    return {"c1": c1, "c2": c2, "c3": c3, "event": event}


def _ids(data):
    return [r["conversation_id"] for r in data["records"]]


def test_search_filters_full_text_permissions_paging_and_redelivery(deps, aws):
    chats = _setup(deps, aws)
    c1, c2, c3 = chats["c1"], chats["c2"], chats["c3"]
    api = Api(app_module.app)
    tok = {n: api.agent_login(f"{n}@example.com", "password1")["token"]
           for n in ("ann", "bob", "cat", "sue")}
    from datetime import datetime, timezone
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    base = f"/v1/agent/records?site=rec&from={today}&to={today}"

    def get(who, extra=""):
        status, data = api.get(base + extra, tok[who])
        assert status == 200, data
        return data

    assert sorted(_ids(get("sue"))) == sorted([c1, c2, c3])
    assert _ids(get("sue", "&q=退货")) == [c1]
    assert _ids(get("sue", "&q=运费")) == [c1]                   # in both messages of c1
    assert _ids(get("sue", "&q=refund")) == [c1]                  # "Refunds" -> refund
    assert _ids(get("sue", "&q=order%20shipped")) == [c2]
    assert _ids(get("sue", "&q=已发货")) == [c2]
    assert _ids(get("sue", "&q=退货%20shipped")) == []
    assert get("sue", "&q=还在") ["records"] == []                # open: text not indexed yet
    assert _ids(get("sue", "&rating=1-2")) == [c1]
    assert _ids(get("sue", "&agent=" + get("sue", "&q=order")["records"][0]["agent_id"])) \
        == [c3, c2]
    assert _ids(get("sue", "&status=open")) == [c3]
    assert _ids(get("sue", "&tag=refund")) == [c1]
    assert _ids(get("sue", "&team=support&status=closed")) == [c2]
    visitor = get("sue", "&q=退货")["records"][0]["visitor_id"]
    assert _ids(get("sue", "&visitor=" + visitor)) == [c1]
    rec = get("sue", "&q=退货")["records"][0]
    assert (rec["status"], rec["rating"], rec["tags"], rec["team"]) == \
        ("closed", 2, ["refund"], "sales")

    # agents: their own and their teams' chats
    assert _ids(get("ann")) == [c1]
    assert _ids(get("cat")) == [c1]                               # same team as Ann
    assert _ids(get("bob")) == [c3, c2]
    assert _ids(get("bob", "&q=退货")) == []

    # paging: one a page, newest first, then the end
    first = get("sue", "&limit=1")
    second = get("sue", "&limit=1&cursor=" + quote(first["cursor"]))
    third = get("sue", "&limit=1&cursor=" + quote(second["cursor"]))
    assert _ids(first) + _ids(second) + _ids(third) == [c3, c2, c1]
    assert get("sue", "&limit=1&cursor=" + quote(third["cursor"]))["records"] == []

    # transcripts
    status, data = api.get(f"/v1/agent/records/{c1}/transcript", tok["ann"])
    assert status == 200 and data["record"]["conversation_id"] == c1
    assert "我想退货，运费谁出？" in [m.get("text") for m in data["messages"]]
    status, data = api.get(f"/v1/agent/records/{c1}/transcript", tok["bob"])
    assert status == 403 and data["error"]["code"] == "forbidden"
    status, data = api.get("/v1/agent/records/nope/transcript", tok["sue"])
    assert status == 404 and data["error"]["code"] == "conversation_not_found"

    # bad input: 4xx with a code, never a 500
    for extra, code in (("&q=退", "query_too_short"), ("&rating=9", "invalid_field"),
                        ("&cursor=x", "invalid_cursor"), ("&limit=0", "out_of_range")):
        status, data = api.get(base + extra, tok["sue"])
        assert status == 400 and data["error"]["code"] == code, extra
    status, data = api.get("/v1/agent/records?site=nope&from=2026-01-01&to=2026-01-02",
                           tok["sue"])
    assert status == 404 and data["error"]["code"] == "unknown_site"

    # a redelivered batch writes the same items again
    before = _postings(aws)
    assert any(p[0] == "tok#rec#退货" for p in before)
    assert app_module.consume_records(chats["event"], None) == {"batchItemFailures": []}
    assert _postings(aws) == before


def test_exports_inline_csv_and_background_json(deps, aws, monkeypatch):
    monkeypatch.setenv("PARLEY_ATTACHMENTS_BUCKET", aws["AttachmentsBucketName"])
    chats = _setup(deps, aws)
    api = Api(app_module.app)
    sue = api.agent_login("sue@example.com", "password1")["token"]
    from datetime import datetime, timezone
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    body = {"site": "rec", "from": today, "to": today}

    resp = api.client.http.request(
        "POST", "/v1/agent/records/exports",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {sue}"},
        body=json.dumps({**body, "format": "csv", "transcripts": True}))
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    raw = resp.body if isinstance(resp.body, bytes) else resp.body.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert "我想退货，运费谁出？" in [r["text"] for r in rows]
    assert {r["conversation_id"] for r in rows} == {chats["c1"], chats["c2"], chats["c3"]}

    status, data = api.post("/v1/agent/records/exports", {**body, "format": "xml"}, sue)
    assert status == 400 and data["error"]["code"] == "invalid_value"

    # larger than the inline limit: a background job, an S3 object, a short-lived link
    monkeypatch.setattr(records_export, "INLINE_MAX", 1)
    status, data = api.post("/v1/agent/records/exports", {**body, "format": "json",
                                                          "q": "运费 refund"}, sue)
    assert status == 200                       # one match: still inline
    status, data = api.post("/v1/agent/records/exports", {**body, "format": "json"}, sue)
    assert status == 202 and data["export"]["status"] == "pending", data
    export_id = data["export"]["export_id"]
    drain_queues(deps)
    status, data = api.get(f"/v1/agent/records/exports/{export_id}", sue)
    assert status == 200 and data["export"]["status"] == "done", data
    assert data["export"]["count"] == 3 and data["export"]["complete"] is True
    url = urlparse(data["export"]["url"])
    assert parse_qs(url.query)["X-Amz-Expires"] == ["900"]
    key = url.path.split("/", 2)[2]
    assert key == f"exports/{export_id}.json"
    obj = boto3.client("s3").get_object(Bucket=aws["AttachmentsBucketName"], Key=key)
    got = json.loads(obj["Body"].read().decode("utf-8"))
    assert sorted(r["conversation_id"] for r in got) == sorted(
        [chats["c1"], chats["c2"], chats["c3"]])
    # a redelivered task leaves the finished job alone; another agent cannot see it
    records_export.run(deps, {"export_id": export_id})
    ann = api.agent_login("ann@example.com", "password1")["token"]
    status, data = api.get(f"/v1/agent/records/exports/{export_id}", ann)
    assert status == 404 and data["error"]["code"] == "export_not_found"


def _archive(aws):
    s3 = boto3.client("s3")
    got = s3.list_objects_v2(Bucket=aws["ArchiveBucketName"]).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=aws["ArchiveBucketName"], Key=o["Key"])["Body"].read()
            for o in got}


def test_closed_chats_are_archived_once_and_retention_purges_by_site_and_day(deps, aws):
    deps.archive.delete_prefix("site=")          # the bucket outlives each test's tables
    chats = _setup(deps, aws)
    objects = _archive(aws)
    # the two closed chats, one object each, under site=/dt=; the open one is not archived
    assert len(objects) == 2
    assert all(k.startswith("site=rec/dt=") and k.endswith(".jsonl") for k in objects)
    lines = [json.loads(v.decode("utf-8")) for v in objects.values()]
    assert all(v.count(b"\n") == 1 for v in objects.values())          # one JSON line each
    c1 = next(line for line in lines if line["conversation_id"] == chats["c1"])
    assert c1["rating"] == 2 and c1["tags"] == ["refund"]
    assert "我想退货，运费谁出？" in [m["text"] for m in c1["messages"]]
    # redelivered: nothing written again (If-None-Match), the same objects
    stamps = {o["Key"]: o["LastModified"] for o in boto3.client("s3").list_objects_v2(
        Bucket=aws["ArchiveBucketName"])["Contents"]}
    assert app_module.consume_records(chats["event"], None) == {"batchItemFailures": []}
    assert _archive(aws) == objects
    key = next(iter(objects))
    assert deps.archive.put_once(key, b"other\n") is False
    assert {o["Key"]: o["LastModified"] for o in boto3.client("s3").list_objects_v2(
        Bucket=aws["ArchiveBucketName"])["Contents"]} == stamps

    # retention: a site keeping 30 days loses the day just past it, another site nothing
    from chalicelib.services.records import retention
    day = key.split("/")[1][3:]
    other = "site=keep/dt=" + day + "/x-1.jsonl"
    deps.archive.put_once(other, b"{}\n")
    sites.create_site(deps, "keep", "Keep", {})
    from chalicelib.services import site_admin
    site_admin.put_site(deps, "rec", {"retention_days": 30}, widget_url="https://w.example/w.js")
    from datetime import datetime, timedelta
    purge_on = (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=31)).strftime("%Y-%m-%d")
    assert retention.purge(deps, today=(datetime.strptime(day, "%Y-%m-%d")
                                        + timedelta(days=30)).strftime("%Y-%m-%d"))[
        "deleted"] == {}
    assert retention.purge(deps, today=purge_on)["deleted"] == {"rec": 2}
    assert list(_archive(aws)) == [other]


def test_the_daily_run_seals_past_days_so_no_report_has_to(deps, aws):
    from datetime import datetime, timezone
    from chalicelib.services.reports import consumer, daily
    from chalicelib.services.reports.consumer import _tz_cache
    from tests.helpers import report_events
    # days in UTC, as the test counts them (a UTC+8 site is a day ahead near midnight UTC)
    sites.create_site(deps, "rec", "Records", {"bot_enabled": False, "report_tz": "UTC"})
    _tz_cache.clear()
    day_ms = 86_400_000
    # noon today (UTC): a conversation's events (21 minutes) never straddle midnight
    now = int(time.time() * 1000) // day_ms * day_ms + day_ms // 2
    old = [now - 4 * day_ms, now - 5 * day_ms]                 # sealable (older than 2 days)
    for i, at in enumerate(old + [now - 1000 * 60 * 60]):     # and one chat today
        for event in report_events.conversation(f"d{i}", "a1", at, "sales", "rec", 4):
            consumer.handle(deps, event)
    days = [datetime.fromtimestamp(at / 1000, timezone.utc).strftime("%Y-%m-%d") for at in old]
    today = datetime.fromtimestamp(now / 1000, timezone.utc).strftime("%Y-%m-%d")
    assert deps.reports.summaries("rec", days) == {}
    result = daily.run(deps)
    assert result["sealed"]["rec"] == 2
    sums = deps.reports.summaries("rec", days)
    assert sorted(sums) == sorted(days)
    from chalicelib.domain.report_rollup import split, summary_parts
    main, hours = summary_parts(split({k: v for k, v in deps.reports.days(
        "rec", [days[0]])[days[0]].items() if v and k != "ver"}))
    assert sums[days[0]] == main and main["busy"] == {"a1": 900000}     # hours kept apart
    assert deps.reports.summaries("rec", days[:1], hours=True)[days[0]] == {**main, **hours}
    assert deps.reports.summaries("rec", [today]) == {}        # today stays live
    assert daily.run(deps)["sealed"]["rec"] == 2               # again: nothing to seal

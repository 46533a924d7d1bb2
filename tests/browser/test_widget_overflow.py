"""A visitor whose chat overflows to another team is told, in English and Chinese, that they
still wait with their place kept (web/widget/parley.js), in Chromium against the local
runtime. The wait is simulated: the chats' queue times are moved back in the runtime's
DynamoDB and the `overflow` task is sent to its events queue (what the sweep does)."""
from __future__ import annotations

import json
import uuid

import boto3
import pytest

from chalicelib import config
from tests.browser.console_fixtures import admin_token, console, make_agent, rest  # noqa: F401
from tests.browser.test_widget import Agent, make_site, open_widget, wait_ready, wait_until

pytestmark = pytest.mark.timeout(180)


def shadow(page, selector):
    return page.locator("#parley-widget").locator(selector)


def age(runtime, cid, ms):
    """Move a queued chat's join time and order back by `ms` (the simulated wait)."""
    ddb = boto3.client("dynamodb", endpoint_url=runtime.moto_url, region_name=config.region())
    ddb.update_item(TableName=config.TABLES["conversations"],
                    Key={"conversation_id": {"S": cid}},
                    UpdateExpression="SET queued_at = queued_at - :d, "
                                     "attrs.queued_at = attrs.queued_at - :d",
                    ConditionExpression="#s = :q",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":d": {"N": str(ms)}, ":q": {"S": "queued"}})


def test_an_overflowed_visitor_is_told_in_english_and_chinese(new_page, runtime, console,
                                                              make_agent):
    admin = Agent(runtime)
    src, dst = (f"ov{uuid.uuid4().hex[:8]}" for _ in range(2))
    for team in (dst, src):                  # both pick by hand: nobody takes the chats
        admin.admin("POST", "/teams", {"id": team, "name": team, "manual_assign": True})
    admin.admin("PATCH", f"/teams/{src}", {"overflow": {"after_seconds": 120, "to_team": dst}})
    site = make_site(admin, team=src, bot_enabled=True)
    chats = {}
    for locale in ("en", "zh"):
        page = new_page(f"/demo/site.html?site={site}&locale={locale}")
        chats[locale] = (page, wait_ready(page, transport="ws")["conversation_id"])
        open_widget(page)
        shadow(page, ".p-head .p-human").click()
        shadow(page, ".p-queue").wait_for(timeout=10000)
    for _, cid in chats.values():
        age(runtime, cid, 200_000)
    sqs = boto3.client("sqs", endpoint_url=runtime.moto_url, region_name=config.region())
    url = sqs.get_queue_url(QueueName=config.EVENTS_QUEUE)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"type": "overflow",
                                                           "queue_key": src}))
    en, zh = chats["en"][0], chats["zh"][0]
    en.locator(".p-note", has_text="Moved to another team, keeping your place").wait_for(
        timeout=20000)
    zh.locator(".p-note", has_text="已转到其他团队排队").wait_for(timeout=20000)
    queued = wait_until(lambda: [c for c in admin.call("GET", "/queue")["conversations"]
                                 if c["conversation_id"] in (chats["en"][1], chats["zh"][1])
                                 and c["queue_key"] == dst] or None, "both in the target line")
    assert len(queued) == 2
    # still waiting: the place in line stays shown, no agent named
    shadow(en, ".p-queue").wait_for(timeout=10000)
    assert en.locator(".p-note", has_text="You were transferred to").count() == 0
    assert not en.parley_log.errors and not zh.parley_log.errors
    # the console says why it moved, not a plain "Transferred to"
    sup = console(make_agent(role="supervisor", name="Sue Overflow", capacity=0), online=False)
    sup.locator("#tabs [data-tab=queue]").click()
    sup.locator(f"#conv-list li[data-cid='{chats['en'][1]}']").click()
    sup.locator("#log li[data-seq]", has_text=f"Waited too long in {src}: moved to {dst}").wait_for(
        timeout=15000)
    assert not sup.parley_log.errors, sup.parley_log.errors

"""Email and tickets joined on moto, with nothing faked between them: a customer's mail in
the mail bucket becomes a ticket (the real TicketsMailPort), the agent's public reply goes
out through SES (the real mail_outbound, via the ticket_mail task), and the customer's Gmail
answer to that reply threads back into the same ticket as a requester comment."""
import boto3
import pytest

from chalicelib.domain.actors import Actor
from chalicelib.services import agents, sites
from chalicelib.services.tickets import comments, manage
from chalicelib.services.tickets.mail_port import TicketsMailPort
from tests.helpers.aws import drain_queues
from tests.helpers.mail import gmail_style_reply, sqs_event
from tests.integration.test_mail import FIXTURES, sent_messages


@pytest.fixture
def shop(deps, aws, monkeypatch):
    monkeypatch.setenv("PARLEY_MAIL_BUCKET", aws["MailBucketName"])
    monkeypatch.setenv("PARLEY_ATTACHMENTS_BUCKET", aws["AttachmentsBucketName"])
    monkeypatch.setenv("PARLEY_MAIL_INBOUND_DOMAIN", "inbound.parley.test")
    monkeypatch.delenv("PARLEY_SES_MESSAGE_ID_DOMAIN", raising=False)
    boto3.client("ses").verify_domain_identity(Domain="parley.invalid")
    sites.create_site(deps, "demo", "Demo Shop")
    deps.directory.put("mailbox", "support@demo.parley.test", {"site_key": "demo"})
    deps.extras.pop("tickets_mail", None)          # the real port
    deps.extras.pop("ticket_mailer", None)         # the real SES sender
    a = agents.create_agent(deps, {"email": "sue@example.com", "name": "Sue",
                                   "password": "password1", "role": "supervisor"})
    return Actor(kind="agent", id=a["agent_id"], role="supervisor", name="Sue")


def deliver(aws, raw: bytes, key: str):
    import app as app_module
    boto3.client("s3").put_object(Bucket=aws["MailBucketName"], Key=key, Body=raw)
    assert app_module.receive_mail(sqs_event(aws["MailBucketName"], key), None) == \
        {"batchItemFailures": []}


def test_mail_to_ticket_reply_by_ses_and_the_answer_threads_back(deps, aws, shop):
    raw = (FIXTURES / "gbk_chinese.eml").read_bytes()
    deliver(aws, raw, "inbound/a")
    deliver(aws, raw, "inbound/a-again")                       # S3/SES deliver twice
    from chalicelib.domain.mail.parse import parse_mail
    first = parse_mail(raw, received_at=0).mail
    port = TicketsMailPort(deps)
    tid = port.ticket_for_thread("demo", [first.message_id], None)
    assert tid
    ticket = manage.get(deps, shop, tid)["ticket"]
    assert ticket["subject"] == "订单还没有发货" and ticket["source"] == "email"
    assert ticket["requester"]["email"] == "xiaoming@qq.com"
    listed = manage.list_tickets(deps, shop, {"site_key": "demo", "view": "requester",
                                              "requester": "xiaoming@qq.com"})
    assert [t["ticket_id"] for t in listed["tickets"]] == [tid]      # one ticket, not two

    before = len(sent_messages())
    comments.add(deps, shop, tid, {"body": "已经发货，单号 SF123。", "public": True})
    drain_queues(deps)
    assert len(sent_messages()) == before + 1
    ours = sent_messages()[-1]
    assert "xiaoming@qq.com" in str(ours.destinations)
    full = manage.get(deps, shop, tid)
    assert [c["mail_status"] for c in full["comments"]] == ["sent"]

    sent_id = f"<{ours.id}@email.amazonses.com>"              # the id SES gives the mail
    answer = gmail_style_reply(ours.raw_data, sent_id, "收到了，谢谢！", frm="xiaoming@qq.com")
    deliver(aws, answer, "inbound/b")
    full = manage.get(deps, shop, tid)
    bodies = [(c["author"]["type"], c["body"]) for c in full["comments"]]
    assert bodies[-1] == ("requester", "收到了，谢谢！"), bodies
    assert len(full["comments"]) == 2

"""The email channel on moto: raw mail in S3 -> app.receive_mail -> the tickets port (an
in-memory fake of TicketsMailPort), and ticket replies out through SES, re-parsed."""
import json
from pathlib import Path

import boto3
import pytest

from chalicelib.domain.mail.parse import parse_mail
from chalicelib.domain.messages import ATTACHMENT_KEY_RE
from chalicelib.services import mail_inbound, mail_outbound, sites
from tests.helpers.mail import FakeTicketsPort, gmail_style_reply, s3_event, sqs_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


@pytest.fixture
def mail_env(deps, aws, monkeypatch):
    monkeypatch.setenv("PARLEY_MAIL_BUCKET", aws["MailBucketName"])
    monkeypatch.setenv("PARLEY_ATTACHMENTS_BUCKET", aws["AttachmentsBucketName"])
    monkeypatch.setenv("PARLEY_MAIL_INBOUND_DOMAIN", "inbound.parley.test")
    monkeypatch.delenv("PARLEY_SES_MESSAGE_ID_DOMAIN", raising=False)
    boto3.client("ses").verify_domain_identity(Domain="parley.invalid")
    sites.create_site(deps, "demo", "Demo Shop")
    deps.directory.put("mailbox", "support@demo.parley.test", {"site_key": "demo"})
    port = FakeTicketsPort()
    deps.extras["tickets_mail"] = port
    return port


def deliver(deps, aws, raw: bytes, key: str):
    """What SES's S3 action and the bucket's event do: store the mail, then run the
    Lambda on the queued ObjectCreated event."""
    import app as app_module
    boto3.client("s3").put_object(Bucket=aws["MailBucketName"], Key=key, Body=raw)
    result = app_module.receive_mail(sqs_event(aws["MailBucketName"], key), None)
    assert result == {"batchItemFailures": []}


def sent_messages():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def test_mail_creates_a_ticket_and_replies_thread_back_by_headers_and_by_token(
        deps, aws, mail_env):
    port = mail_env
    deliver(deps, aws, (FIXTURES / "gbk_chinese.eml").read_bytes(), "inbound/first")
    assert [c[0] for c in port.calls] == ["ticket_for_thread", "create_from_email"]
    (tid, ticket), = port.tickets.items()
    first = ticket["mails"][0]
    assert (first.subject, first.from_addr) == ("订单还没有发货", "xiaoming@qq.com")
    assert first.text == "您好，\n\n我的订单还没有发货，麻烦帮忙查一下物流。\n\n谢谢！\n王小明"

    # the agent answers; the customer's Gmail answers that, quoting it
    sent_id = mail_outbound.send_ticket_reply(
        deps, site_key="demo", ticket=port.ticket_dict(tid),
        comment={"body": "已经发货，单号 SF123。", "author_name": "Ann", "attachments": []},
        to_addr=first.from_addr, thread_ids=[first.message_id])
    port.sent(tid, sent_id)
    ours = sent_messages()[-1].raw_data
    reply = gmail_style_reply(ours, sent_id, "收到了，谢谢！", frm="xiaoming@qq.com")
    deliver(deps, aws, reply, "inbound/second")
    assert port.calls[-1][0] == "add_email_reply" and port.calls[-1][2] == tid
    assert ticket["mails"][-1].text == "收到了，谢谢！"
    assert ticket["mails"][-1].thread_ids()[0] == sent_id

    # a client that drops In-Reply-To/References: the reply token in the address threads it
    reply = gmail_style_reply(ours, None, "One more thing.", frm="xiaoming@qq.com",
                              message_id="<token-only-1@qq.com>")
    deliver(deps, aws, reply, "inbound/third")
    assert port.calls[-1][:3] == ("add_email_reply", "demo", tid)
    assert port.lookups[-1] == ([], port.tickets[tid]["token"])

    # SES/S3 delivering the same mail twice adds nothing
    before = len(port.calls)
    deliver(deps, aws, reply, "inbound/third-again")
    assert len(port.calls) == before and len(ticket["mails"]) == 3


@pytest.mark.parametrize("name", ["dsn_bounce.eml", "out_of_office.eml"])
def test_bounces_and_auto_replies_touch_no_ticket_and_send_nothing(deps, aws, mail_env, name):
    sent_before = len(sent_messages())
    deliver(deps, aws, (FIXTURES / name).read_bytes(), f"inbound/{name}")
    assert mail_env.calls == []
    assert len(sent_messages()) == sent_before


def test_our_own_reply_coming_back_is_not_answered(deps, aws, mail_env):
    mail_outbound.send_ticket_reply(
        deps, site_key="demo", ticket={"ticket_id": "t1", "number": 7, "subject": "Hi",
                                       "reply_token": "tok123456", "site_key": "demo"},
        comment={"body": "Hello", "author_name": "Ann"}, to_addr="support@demo.parley.test",
        thread_ids=[])
    deliver(deps, aws, sent_messages()[-1].raw_data.encode(), "inbound/loop")
    assert mail_env.calls == []


def test_attachments_are_stored_under_the_attachment_rules(deps, aws, mail_env):
    deliver(deps, aws, (FIXTURES / "attachment_chinese_filename.eml").read_bytes(),
            "inbound/files")
    assert [c[0] for c in mail_env.calls] == ["ticket_for_thread", "create_from_email"]
    mail = next(iter(mail_env.tickets.values()))["mails"][0]
    assert [a["filename"] for a in mail.attachments] == ["发票 2026-11.pdf", "截图—订单页面.png"]
    s3 = boto3.client("s3")
    for att in mail.attachments:
        assert ATTACHMENT_KEY_RE.match(att["s3_key"])
        body = s3.get_object(Bucket=aws["AttachmentsBucketName"], Key=att["s3_key"])
        assert body["ContentLength"] == att["size"]


def test_a_file_whose_bytes_contradict_its_type_is_not_stored(deps, aws, mail_env):
    raw = (FIXTURES / "attachment_chinese_filename.eml").read_bytes().replace(
        b"Content-Type: image/png", b"Content-Type: application/pdf")
    mail_inbound.process(deps, raw)
    mail = next(iter(mail_env.tickets.values()))["mails"][0]
    assert [a["content_type"] for a in mail.attachments] == ["application/pdf"]


def test_unknown_recipient_and_oversized_mail_are_dropped(deps, aws, mail_env, monkeypatch):
    raw = (FIXTURES / "html_only_script.eml").read_bytes().replace(
        b"demo@inbound.parley.test", b"nosuchsite@inbound.parley.test")
    assert mail_inbound.process(deps, raw) == {"outcome": "dropped",
                                               "reason": "unknown_recipient"}
    monkeypatch.setenv("PARLEY_MAIL_MAX_BYTES", "100")
    deliver(deps, aws, (FIXTURES / "html_only_script.eml").read_bytes(), "inbound/big")
    assert mail_env.calls == []
    assert mail_inbound.handle_s3_records(deps, [s3_event(aws["MailBucketName"], "other/x")[
        "Records"][0]]) == [{"outcome": "ignored", "key": "other/x"}]


def test_html_only_mail_reaches_the_ticket_as_safe_text(deps, aws, mail_env):
    mail_inbound.inject(deps, (FIXTURES / "html_only_script.eml").read_bytes())
    mail = next(iter(mail_env.tickets.values()))["mails"][0]
    assert "alert" not in mail.text and "Tracking: see here (https://track.example/77)" in mail.text


def test_outbound_reply_mime(deps, aws, mail_env):
    deps.sites.put({**deps.sites.get("demo"), "name": "Demo <Shop>"})
    msg_id = mail_outbound.send_ticket_reply(
        deps, site_key="demo",
        ticket={"ticket_id": "t1", "number": 1042, "subject": "Re: 发票 <问题>",
                "reply_token": "Tok_123456", "site_key": "demo"},
        comment={"body": "Line 1 <b>not bold</b>\nLine 2 & more", "author_name": "Ann"},
        to_addr="Jane.Doe@Contoso.com",
        thread_ids=["<a@x.test>", "<b@x.test>"])
    sent = sent_messages()[-1]
    assert msg_id == f"<{sent.id}@email.amazonses.com>"   # the id SES gives the mail
    assert sent.destinations[:1] == ["Jane.Doe@contoso.com"]
    import email
    from email import policy
    msg = email.message_from_string(sent.raw_data, policy=policy.default)
    assert msg["Subject"] == "[#1042] 发票 <问题>"
    assert msg["Reply-To"].addresses[0].addr_spec == "demo+t_Tok_123456@inbound.parley.test"
    assert msg["In-Reply-To"] == "<b@x.test>" and msg["References"] == "<a@x.test> <b@x.test>"
    assert msg["X-Parley-Loop"] == "demo"
    assert msg["Message-ID"].endswith("@parley.invalid>")
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == \
        "Line 1 <b>not bold</b>\nLine 2 & more"
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;not bold&lt;/b&gt;<br>" in html and "<b>" not in html
    parsed = parse_mail(sent.raw_data.encode(), received_at=0,
                        own_domains=mail_outbound.own_domains())
    assert parsed.drop_reason == "loop"
    assert parsed.mail.text == "Line 1 <b>not bold</b>\nLine 2 & more"


def test_outbound_is_sent_once_per_comment_and_carries_its_files(deps, aws, mail_env):
    key = "attachments/t1/0123456789abcdef/invoice.pdf"
    boto3.client("s3").put_object(Bucket=aws["AttachmentsBucketName"], Key=key,
                                  Body=b"%PDF-1.4 tiny")
    args = dict(site_key="demo", ticket={"ticket_id": "t1", "number": 5, "subject": "Files",
                                         "reply_token": None, "site_key": "demo"},
                comment={"comment_id": "c1", "body": "See attached.", "author_name": "Ann",
                         "attachments": [{"s3_key": key, "filename": "invoice.pdf",
                                          "content_type": "application/pdf", "size": 13},
                                         {"s3_key": "attachments/t1/gone0000/x.png",
                                          "filename": "x.png", "content_type": "image/png",
                                          "size": 5}]},
                to_addr="jane@contoso.com", thread_ids=[])
    before = len(sent_messages())
    first = mail_outbound.send_ticket_reply(deps, **args)
    assert mail_outbound.send_ticket_reply(deps, **args) == first
    assert len(sent_messages()) == before + 1
    parsed = parse_mail(sent_messages()[-1].raw_data.encode(), received_at=0)
    assert [(p.filename, p.data) for p in parsed.parts] == [("invoice.pdf", b"%PDF-1.4 tiny")]
    assert parsed.mail.text == "See attached.\n\n[Not attached: x.png]"
    import email
    msg = email.message_from_string(sent_messages()[-1].raw_data)
    assert msg["Reply-To"] == '"Ann (Demo Shop)" <demo@inbound.parley.test>'


def test_outbound_refuses_a_bad_address(deps, aws, mail_env):
    from chalicelib.errors import ValidationError
    with pytest.raises(ValidationError) as err:
        mail_outbound.send_ticket_reply(deps, site_key="demo", ticket={"number": 1},
                                        comment={"body": "x"}, to_addr="not-an-address",
                                        thread_ids=[])
    assert err.value.code == "invalid_email"
    assert json.dumps(err.value.to_dict())


def test_a_sites_own_address_routes_mail_to_it(deps, aws, mail_env):
    from chalicelib.errors import AppError
    from chalicelib.services import site_admin
    out = site_admin.put_site(deps, "demo", {"mail_address": "Help@Acme.example"}, "w.js")
    assert out["site"]["settings"]["mail_address"] == "help@acme.example"
    raw = (FIXTURES / "html_only_script.eml").read_bytes().replace(
        b"demo@inbound.parley.test", b"help@acme.example")
    assert mail_inbound.process(deps, raw)["site_key"] == "demo"
    sites.create_site(deps, "other", "Other")
    for value, code in (("help@acme.example", "mail_address_taken"),
                        ("help+t_abcdef@acme.example", "invalid_email"),
                        ("demo@inbound.parley.test", "invalid_email"),
                        ("not an address", "invalid_email")):
        with pytest.raises(AppError) as err:
            site_admin.put_site(deps, "other", {"mail_address": value}, "w.js")
        assert err.value.code == code
    assert deps.sites.get("other")["settings"].get("mail_address") is None
    # moving the address frees the old one
    site_admin.put_site(deps, "demo", {"mail_address": "support@acme.example"}, "w.js")
    assert deps.directory.get("mailbox", "help@acme.example") is None
    site_admin.put_site(deps, "other", {"mail_address": "help@acme.example"}, "w.js")
    assert deps.directory.get("mailbox", "help@acme.example")["site_key"] == "other"


def test_a_failing_record_is_reported_for_retry_and_runs_again(deps, aws, mail_env):
    import app as app_module

    class Failing(FakeTicketsPort):
        def create_from_email(self, site_key, mail):
            raise RuntimeError("tickets table unavailable")
    deps.extras["tickets_mail"] = Failing()
    raw = (FIXTURES / "html_only_script.eml").read_bytes()
    boto3.client("s3").put_object(Bucket=aws["MailBucketName"], Key="inbound/f", Body=raw)
    event = sqs_event(aws["MailBucketName"], "inbound/f", message_id="rec-1")
    assert app_module.receive_mail(event, None) == {
        "batchItemFailures": [{"itemIdentifier": "rec-1"}]}
    deps.extras["tickets_mail"] = mail_env        # the retry succeeds: the claim was released
    assert app_module.receive_mail(event, None) == {"batchItemFailures": []}
    assert [c[0] for c in mail_env.calls] == ["ticket_for_thread", "create_from_email"]


def test_a_site_key_with_capitals_receives_mail(deps, aws, mail_env):
    sites.create_site(deps, "Shop1", "Shop One")
    raw = (FIXTURES / "html_only_script.eml").read_bytes().replace(
        b"demo@inbound.parley.test", b"Shop1+t_tok12345@Inbound.Parley.Test")
    assert mail_inbound.process(deps, raw)["site_key"] == "Shop1"
    assert mail_env.lookups[-1] == ([], "tok12345")

"""MIME parsing on real-shaped mail (tests/fixtures/mail): the new text exactly, headers,
charsets, attachments, and what is dropped."""
import email
from email import policy
from pathlib import Path

import pytest

from chalicelib.domain.mail.html_text import html_to_text
from chalicelib.domain.mail.parse import parse_mail

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"
OURS = ("demo.parley.test",)
TICKET_MAIL = "<0b1c2d3e-0000-4000-8000-aaaaaaaaaaaa@demo.parley.test>"


def parse(name: str):
    return parse_mail((FIXTURES / name).read_bytes(), received_at=1_795_000_000_000,
                      own_domains=OURS)


def html_part(name: str) -> str:
    msg = email.message_from_bytes((FIXTURES / name).read_bytes(), policy=policy.default)
    return next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()


def test_outlook_reply_quoted_printable_original_message_block_stripped():
    p = parse("outlook_reply.eml")
    m = p.mail
    assert p.drop_reason is None and not m.auto_submitted and not m.is_bounce
    assert m.text == ("Hi team,\n\nThanks \u2013 the replacement arrived today, but the charger "
                      "is missing. Could you send one?\n\nBest regards,\nJane Doe")
    assert "-----Original Message-----" in m.full_text
    assert m.message_id == ("<AM0PR07MB6417B2E1D2C3F4A5B6C7D8E9AF123@"
                            "AM0PR07MB6417.eurprd07.prod.outlook.com>")
    assert m.in_reply_to == TICKET_MAIL and m.references == (TICKET_MAIL,)
    assert m.thread_ids() == [TICKET_MAIL]
    assert (m.from_addr, m.from_name) == ("jane.doe@contoso.com", "Jane Doe")
    assert m.to == ("support+t_AbC123xyz@demo.parley.test",)
    assert m.reply_token == "AbC123xyz"            # the case of the token is kept
    assert m.subject == "RE: [#1042] Replacement order"
    assert m.received_at == 1_795_000_000_000 and m.attachments == ()


def test_outlook_html_drops_the_reply_header_block_and_what_follows():
    m = parse("outlook_reply.eml").mail
    assert m.html_sanitized_text.endswith("Your replacement ships today.")
    assert html_to_text(html_part("outlook_reply.eml"), drop_quotes=True) == m.text


def test_gmail_reply_wrapped_attribution_and_gmail_quote_stripped():
    m = parse("gmail_reply.eml").mail
    assert m.text == "Yes, it's order #1042. The box was sealed.\n\nThanks!\nJane"
    assert m.reply_token == "AbC123xyz"
    assert m.message_id == "<CAKx9Gm3=Yp0p2kQ_L7f1b+V1v3fN0E0wq7Q@mail.gmail.com>"
    assert m.in_reply_to == TICKET_MAIL
    # the HTML alternative alone gives the same new text once gmail_quote is dropped
    assert "Could you confirm the order number?" in m.html_sanitized_text
    assert html_to_text(html_part("gmail_reply.eml"), drop_quotes=True) == m.text


def test_gbk_encoded_chinese_mail_with_rfc2047_gbk_subject():
    m = parse("gbk_chinese.eml").mail
    assert m.subject == "订单还没有发货"
    assert (m.from_name, m.from_addr) == ("王小明", "xiaoming@qq.com")
    assert m.text == "您好，\n\n我的订单还没有发货，麻烦帮忙查一下物流。\n\n谢谢！\n王小明"
    assert "原始邮件" in m.full_text and "原始邮件" not in m.text
    assert m.reply_token is None and m.in_reply_to is None


def test_gb2312_label_with_gbk_only_characters_decodes_as_gb18030():
    m = parse("gb2312_with_gbk_chars.eml").mail
    assert m.subject == "发票抬头错误（陈喆）"
    assert m.from_name == "陈喆"
    assert m.text == ("客服你好：\n\n我是陈喆，朱镕基路店的订单 A-2231 收到了，但是发票抬头写错了，"
                      "应该是“堃誠贸易有限公司”。\n\n请重新开票，谢谢。")
    assert "\ufffd" not in m.full_text
    assert m.in_reply_to == "<7c5e0f8a-1111-4000-8000-bbbbbbbbbbbb@demo.parley.test>"


def test_html_only_mail_becomes_safe_text_without_scripts():
    m = parse("html_only_script.eml").mail
    expected = ('Hello,\n\nMy order #77 has not arrived & the tracking page says "unknown".\n'
                'Tracking: see here (https://track.example/77)\n\nRegards,\nBob <script>')
    assert m.text == expected and m.full_text == expected
    assert m.html_sanitized_text == expected
    for bad in ("document.cookie", "alert", "color:red", "Order\n", "onload"):
        assert bad not in m.full_text


def test_attachments_with_rfc2231_chinese_filenames():
    p = parse("attachment_chinese_filename.eml")
    m = p.mail
    assert m.subject == "发票和截图" and m.from_name == "李娜"
    assert m.text == "附件是发票和截图。"
    assert [(a["filename"], a["content_type"]) for a in m.attachments] == [
        ("发票 2026-11.pdf", "application/pdf"), ("截图—订单页面.png", "image/png")]
    assert [a["size"] for a in m.attachments] == [len(x.data) for x in p.parts]
    assert p.parts[0].data.startswith(b"%PDF-") and p.parts[1].data.startswith(b"\x89PNG")


def test_dsn_bounce_is_dropped():
    p = parse("dsn_bounce.eml")
    assert p.drop_reason == "bounce" and p.mail.is_bounce
    assert p.mail.attachments == ()   # the report's machine parts are not attachments


def test_out_of_office_auto_reply_is_dropped():
    p = parse("out_of_office.eml")
    assert p.drop_reason == "auto_reply" and p.mail.auto_submitted and not p.mail.is_bounce
    assert p.mail.subject == "自动回复: [#1042] Replacement order"


@pytest.mark.parametrize("name", ["outlook_reply.eml", "gmail_reply.eml", "gbk_chinese.eml",
                                  "gb2312_with_gbk_chars.eml", "html_only_script.eml",
                                  "attachment_chinese_filename.eml"])
def test_customer_mail_is_kept(name):
    assert parse(name).drop_reason is None

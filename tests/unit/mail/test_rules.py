"""The mail rules one at a time: quote stripping, HTML to text, auto-reply/bounce/loop
signals, addresses and tokens, charsets."""
import pytest

from chalicelib.domain.mail import addresses, auto
from chalicelib.domain.mail.html_text import html_to_text
from chalicelib.domain.mail.parse import decode_bytes, decode_header_value, parse_mail
from chalicelib.domain.mail.quotes import strip_quoted


def mail(headers: str, body: str = "Hello", ctype: str = "text/plain; charset=utf-8") -> bytes:
    return (f"From: A <a@example.com>\r\nTo: demo@inbound.parley.test\r\n"
            f"Message-ID: <m1@example.com>\r\nSubject: hi\r\n{headers}"
            f"MIME-Version: 1.0\r\nContent-Type: {ctype}\r\n\r\n{body}\r\n").encode()


@pytest.mark.parametrize("text,expected", [
    ("New\n\nOn Tue, 1 Dec 2026, Bo <b@x.io> wrote:\n> old", "New"),
    ("New\nOn Tue, 1 Dec 2026 at 09:00, Bo <b@x.io>\nwrote:\n> old", "New"),
    ("新的内容\n\n在 2026年12月1日 星期二 09:00，Bo <b@x.io> 写道：\n> 旧", "新的内容"),
    ("New\n-----Original Message-----\nFrom: x", "New"),
    ("New\n________________________________\nFrom: Bo\nSent: Tuesday", "New"),
    ("New\nFrom: Bo <b@x.io>\nSent: Tuesday, 1 December 2026\nTo: us", "New"),
    ("新的\n\n发件人: Bo <b@x.io>\n发送时间: 2026年12月1日\n收件人: 我们", "新的"),
    ("New\n-- \nBo, ACME Corp\n+1 555", "New"),
    ("Top\n> quoted\nBottom", "Top\nBottom"),
    ("From: the start of a sentence is fine\nwhen no header block follows", 
     "From: the start of a sentence is fine\nwhen no header block follows"),
    ("Only new text", "Only new text"),
])
def test_strip_quoted(text, expected):
    assert strip_quoted(text) == expected


def test_html_to_text_keeps_breaks_and_links_and_drops_code():
    html = ('<div>One<br>Two</div><p>Three <a href="https://x.io/a?b=1">link</a> '
            '<a href="javascript:alert(1)">bad</a> <a href="mailto:a@b.io">a@b.io</a></p>'
            '<style>p{}</style><script>x()</script><img alt="[logo]" src="cid:1">'
            '<blockquote type="cite">old</blockquote><pre>  a\n  b</pre>')
    assert html_to_text(html) == \
        "One\nTwo\n\nThree link (https://x.io/a?b=1) bad a@b.io\n\n[logo]\n\nold\n\na\nb"
    assert "old" not in html_to_text(html, drop_quotes=True)


def test_html_to_text_survives_broken_markup():
    assert html_to_text("<div><p>a<b>b</div>c</span><script>x") == "ab\n\nc"


@pytest.mark.parametrize("headers,subject,expected", [
    ({"auto-submitted": "auto-replied"}, "hi", True),
    ({"auto-submitted": "no"}, "hi", False),
    ({"precedence": "bulk"}, "hi", True),
    ({"precedence": "list"}, "hi", True),
    ({"x-autoreply": "yes"}, "hi", True),
    ({"x-autorespond": "1"}, "hi", True),
    ({}, "Automatic reply: your ticket", True),
    ({}, "自动回复：您的工单", True),
    ({}, "Out of Office: back Monday", True),
    ({}, "Re: automatic replies are annoying", False),
])
def test_auto_reply_signals(headers, subject, expected):
    assert auto.is_auto_reply(headers, subject) is expected


def test_bounce_signals():
    assert auto.is_bounce({}, ["multipart/report"], "delivery-status", "x@y.io")
    assert not auto.is_bounce({}, ["multipart/report"], "disposition-notification", "x@y.io")
    assert auto.is_bounce({}, ["multipart/mixed", "message/delivery-status"], "", "x@y.io")
    assert auto.is_bounce({}, ["text/plain"], "", "postmaster@mx.example.com")
    assert auto.is_bounce({"return-path": "<>"}, ["text/plain"], "", "x@y.io")
    assert not auto.is_bounce({"return-path": "<x@y.io>"}, ["text/plain"], "", "x@y.io")


def test_our_own_mail_coming_back_is_a_loop():
    p = parse_mail(mail("X-Parley-Loop: demo\r\n"), received_at=0)
    assert p.drop_reason == "loop" and p.mail.auto_submitted
    raw = mail("").replace(b"<m1@example.com>", b"<abc@demo.parley.test>")
    assert parse_mail(raw, received_at=0, own_domains=("demo.parley.test",)).drop_reason == "loop"
    assert parse_mail(raw, received_at=0, own_domains=("other.test",)).drop_reason is None


def test_plus_address_tokens():
    assert addresses.mailbox("support+t_Tok123@x.io") == ("support@x.io", "Tok123")
    assert addresses.mailbox("support+news@x.io") == ("support+news@x.io", None)
    assert addresses.mailbox("support+t_ab@x.io")[1] is None            # too short
    assert addresses.reply_address("support@x.io", "Tok123") == "support+t_Tok123@x.io"
    with pytest.raises(ValueError):
        addresses.reply_address("support@x.io", "bad token")
    assert addresses.mailbox_key("Support+t_Tok123@X.io") == "support@x.io"
    assert addresses.normalize("Bob@EXAMPLE.com") == "Bob@example.com"
    assert addresses.normalize("not an address") == ""


def test_message_ids_and_thread_order():
    raw = mail("In-Reply-To: <c@x>\r\nReferences: <a@x>\r\n <b@x> <c@x>\r\n")
    m = parse_mail(raw, received_at=0).mail
    assert m.references == ("<a@x>", "<b@x>", "<c@x>")
    assert m.thread_ids() == ["<c@x>", "<b@x>", "<a@x>"]


def test_missing_message_id_is_derived_from_the_bytes():
    raw = mail("").replace(b"Message-ID: <m1@example.com>\r\n", b"")
    one = parse_mail(raw, received_at=0).mail.message_id
    assert one == parse_mail(raw, received_at=5).mail.message_id
    assert one.endswith("@missing-message-id.invalid>")


def test_charsets():
    assert decode_bytes("繁體中文".encode("big5"), "big5") == "繁體中文"
    assert decode_bytes("镕".encode("gbk"), "gb2312") == "镕"
    assert decode_bytes("héllo".encode("utf-8"), "us-ascii") == "héllo"   # mislabelled
    assert decode_bytes(b"caf\xe9", "iso-8859-1") == "café"
    assert decode_bytes(b"x", "no-such-charset") == "x"
    assert decode_header_value("=?big5?B?wWOkpA==?=") == "繁中"
    assert decode_header_value("=?utf-8?Q?caf=C3=A9?= ok") == "café ok"


def test_quoted_printable_and_base64_bodies():
    qp = mail("Content-Transfer-Encoding: quoted-printable\r\n", "caf=C3=A9 =\r\nok")
    assert parse_mail(qp, received_at=0).mail.text == "café ok"
    b64 = mail("Content-Transfer-Encoding: base64\r\n", "5L2g5aW9")
    assert parse_mail(b64, received_at=0).mail.text == "你好"


def test_junk_input_gives_an_empty_mail_not_an_error():
    p = parse_mail(b"\x00\xff garbage without headers", received_at=0)
    assert p.mail.from_addr == "" and p.mail.message_id.endswith(".invalid>")

"""The outbound MIME, without SES: subject tag, threading headers, escaped HTML, files, and
that our own parser reads it back (and knows it for ours)."""
from datetime import datetime, timezone
from email import message_from_bytes, policy

from chalicelib.domain.mail import compose
from chalicelib.domain.mail.parse import parse_mail


def build(**over):
    args = dict(from_addr="support@parley.test", from_name='Ann "A" (Shop)',
                to_addr="jane@contoso.com", reply_to="demo+t_Tok123@inbound.parley.test",
                subject="[#7] 你好 <x>", text="a <b>\nc & d", message_id="<m1@parley.test>",
                thread_ids=["<r1@x>", "<r2@x>"], loop_tag="demo",
                date=datetime(2026, 11, 23, tzinfo=timezone.utc))
    args.update(over)
    return compose.ticket_reply(**args)


def test_ticket_subject_strips_reply_prefixes_and_old_tags():
    assert compose.ticket_subject(7, "Re: [#7] RE: 回复：Order") == "[#7] Order"
    assert compose.ticket_subject(8, "Fwd: x\r\nBcc: evil@x") == "[#8] x Bcc: evil@x"
    assert compose.ticket_subject(9, "") == "[#9] (no subject)"


def test_references_keep_the_root_and_the_latest():
    ids = [f"<{i}@x>" for i in range(30)]
    refs = compose.references(ids)
    assert len(refs) == compose.MAX_REFERENCES and refs[0] == "<0@x>" and refs[-1] == "<29@x>"
    assert compose.references(["<a@x>", "<a@x>", ""]) == ["<a@x>"]


def test_the_message_reads_back():
    msg = message_from_bytes(build(), policy=policy.default)
    assert msg["Subject"] == "[#7] 你好 <x>" and msg["X-Parley-Loop"] == "demo"
    assert msg["In-Reply-To"] == "<r2@x>" and msg["References"] == "<r1@x> <r2@x>"
    assert msg["From"].addresses[0].display_name == 'Ann "A" (Shop)'
    html = msg.get_body(("html",)).get_content()
    assert "a &lt;b&gt;<br>" in html and "c &amp; d" in html
    parsed = parse_mail(build(), received_at=0, own_domains=("parley.test",))
    assert parsed.drop_reason == "loop"
    assert parsed.mail.text == "a <b>\nc & d"
    assert parsed.mail.reply_token is None          # Reply-To is not a recipient


def test_files_and_left_out_names():
    raw = build(files=[("发票.pdf", "application/pdf", b"%PDF-1"),
                       ("notes.txt", "text/plain", b"x\r\ny")], left_out=["big.zip"])
    parsed = parse_mail(raw, received_at=0)
    assert [(p.filename, p.data) for p in parsed.parts] == [
        ("发票.pdf", b"%PDF-1"), ("notes.txt", b"x\r\ny")]
    assert parsed.mail.text == "a <b>\nc & d\n\n[Not attached: big.zip]"

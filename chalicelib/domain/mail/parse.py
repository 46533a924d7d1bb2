"""Raw RFC 5322 bytes -> ParsedMail, with Python's `email` package (policy=default).

Bodies are decoded here, not by the policy: the label a mail carries is often narrower than
its bytes (GB2312-labelled mail holding GBK characters; Big5 holding HKSCS), so Chinese
labels decode as their supersets, and a body that still does not decode falls back to UTF-8
and then GB18030 before replacement characters. Headers are decoded from their raw form for
the same reason (RFC 2047 words in any of those charsets, or raw 8-bit bytes).
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.parser import BytesParser

from chalicelib.domain.mail import auto
from chalicelib.domain.mail.addresses import mailbox, message_ids, split_list
from chalicelib.domain.mail.html_text import html_to_text
from chalicelib.domain.mail.model import ParsedMail
from chalicelib.domain.mail.quotes import strip_quoted

SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
             "euc-cn": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030",
             "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
             "ks_c_5601-1987": "cp949", "iso-8859-1": "cp1252", "us-ascii": "utf-8",
             "ascii": "utf-8", "unknown-8bit": "utf-8", "x-unknown": "utf-8"}
FILENAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_FILENAME = 200
RECEIVED_FOR = re.compile(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?", re.I)


@dataclass(frozen=True)
class AttachmentPart:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Parsed:
    mail: ParsedMail
    parts: tuple[AttachmentPart, ...] = field(default_factory=tuple)
    drop_reason: str | None = None   # "bounce" | "auto_reply" | "loop" | None
    #: every address the mail was delivered to: To, Cc, Delivered-To, X-Original-To and the
    #: `for <...>` of Received lines (SES adds one naming the envelope recipient)
    recipients: tuple[str, ...] = ()


# ------------------------------------------------------------------ decoding
def codec_for(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    first = codec_for(charset)
    for name in dict.fromkeys((first, "utf-8", "gb18030")):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode(first, errors="replace")


def decode_header_value(raw: str | None) -> str:
    """An RFC 2047 header value (any charset, or raw 8-bit) as text, unfolded."""
    if not raw:
        return ""
    raw = re.sub(r"\r?\n[ \t]+", " ", str(raw))
    if any("\udc80" <= ch <= "\udcff" for ch in raw):       # raw 8-bit bytes in the header
        raw = decode_bytes(raw.encode("ascii", "surrogateescape"), "utf-8")
    out = []
    try:
        pieces = decode_header(raw)
    except Exception:
        return raw.strip()
    for piece, charset in pieces:
        out.append(decode_bytes(piece, charset) if isinstance(piece, bytes) else piece)
    return "".join(out).strip()


def _headers(msg) -> dict:
    """Lower-cased name -> first raw value (decoded)."""
    out: dict[str, str] = {}
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), decode_header_value(value))
    return out


def _all_raw(msg, name: str) -> list[str]:
    return [decode_header_value(v) for n, v in msg.raw_items() if n.lower() == name.lower()]


def _filename(part) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        return None
    name = decode_header_value(str(name)) if "=?" in str(name) else str(name)
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        name = decode_bytes(name.encode("utf-8", "surrogateescape"), "utf-8")
    name = FILENAME_BAD.sub("_", name).strip(" .") or "attachment"
    return name[-MAX_FILENAME:]


def _body(part) -> str:
    data = part.get_payload(decode=True) or b""
    return decode_bytes(data, part.get_content_charset())


# ------------------------------------------------------------------ the mail
def parse_mail(raw: bytes, *, received_at: int, own_domains: tuple[str, ...] = ()) -> Parsed:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    headers = _headers(msg)
    plain = html = None
    parts: list[AttachmentPart] = []
    types: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        types.append(ctype)
        if part.is_multipart():
            continue
        if ctype in ("message/delivery-status", "message/global-delivery-status",
                     "message/rfc822", "text/rfc822-headers"):
            continue          # a DSN's machine part or a forwarded original: not the body
        filename = _filename(part)
        attached = part.get_content_disposition() == "attachment" or filename is not None
        if ctype == "text/plain" and not attached and plain is None:
            plain = _body(part)
        elif ctype == "text/html" and not attached and html is None:
            html = _body(part)
        elif attached or not ctype.startswith("text/"):
            data = part.get_payload(decode=True) or b""
            if data:
                parts.append(AttachmentPart(filename or "attachment", ctype, data))

    froms = split_list(_all_raw(msg, "From"))
    from_name, from_addr = froms[0] if froms else ("", "")
    subject = headers.get("subject", "")
    to = tuple(a for _, a in split_list(_all_raw(msg, "To")))
    cc = tuple(a for _, a in split_list(_all_raw(msg, "Cc")))
    mid = (message_ids(headers.get("message-id")) or (None,))[0] or \
        f"<{hashlib.sha256(raw).hexdigest()[:40]}@missing-message-id.invalid>"
    in_reply_to = (message_ids(headers.get("in-reply-to")) or (None,))[0]
    references = message_ids(headers.get("references"))

    html_text = html_to_text(html) if html is not None else None
    full_text = plain if plain is not None else (html_text or "")
    if plain is not None and plain.strip():
        text = strip_quoted(plain)
    elif html is not None:
        text = strip_quoted(html_to_text(html, drop_quotes=True))
    else:
        text = ""

    envelope = [a for name in ("Delivered-To", "X-Original-To", "X-Forwarded-To")
                for _, a in split_list(_all_raw(msg, name))]
    envelope += [a for line in _all_raw(msg, "Received")
                 for _, a in split_list(RECEIVED_FOR.findall(line))]
    recipients = tuple(dict.fromkeys(to + cc + tuple(envelope)))
    token = next((t for t in (mailbox(a)[1] for a in recipients) if t), None)

    report_type = msg.get_param("report-type", "", header="content-type") \
        if types and types[0] == "multipart/report" else ""
    bounce = auto.is_bounce(headers, types, str(report_type or ""), from_addr)
    loop = auto.is_loop(headers, mid, own_domains)
    auto_reply = auto.is_auto_reply(headers, subject)
    reason = "bounce" if bounce else "loop" if loop else "auto_reply" if auto_reply else None

    mail = ParsedMail(
        message_id=mid, in_reply_to=in_reply_to, references=references,
        from_addr=from_addr, from_name=from_name, to=to, cc=cc, subject=subject,
        text=text, full_text=full_text.strip(), html_sanitized_text=html_text,
        attachments=tuple({"filename": p.filename, "content_type": p.content_type,
                           "size": p.size, "s3_key": ""} for p in parts),
        reply_token=token, auto_submitted=auto_reply or loop, is_bounce=bounce,
        received_at=int(received_at))
    return Parsed(mail=mail, parts=tuple(parts), drop_reason=reason, recipients=recipients)

"""Message rules: what a client may send, how a stored message is shown to each side."""
from __future__ import annotations

import re

from chalicelib.domain.validation import CLIENT_ID_RE, MAX_TEXT, Field, validate
from chalicelib.errors import ValidationError

ALLOWED_CONTENT_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp",
    "application/pdf", "text/plain", "text/csv", "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ATTACHMENT_KEY_RE = re.compile(r"^attachments/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{8,64}/[^/]{1,200}$")
FILENAME_BAD = re.compile(r"[\x00-\x1f/\\]")

ATTACHMENT_SCHEMA = {
    "key": Field(str, required=True, max_len=400),
    "name": Field(str, required=True, min_len=1, max_len=200),
    "content_type": Field(str, required=True, max_len=100),
    "size": Field(int, required=True, min=1),
}

SEND_SCHEMA = {
    "client_message_id": Field(str, required=True, pattern=CLIENT_ID_RE, min_len=1, max_len=64),
    "text": Field(str, max_len=MAX_TEXT, strip=False),
    "attachment": Field(dict, schema=ATTACHMENT_SCHEMA),
    "note": Field(bool),  # agents only: a private note
}

SYSTEM_EVENTS = ("joined", "left", "transferred", "closed", "reopened", "queued", "assigned",
                 "rated", "handoff", "offline", "timeout")


def parse_send(payload: dict, max_attachment: int, allow_note: bool = False) -> dict:
    body = validate(payload, SEND_SCHEMA)
    text = body.get("text")
    if text is not None and not text.strip():
        text = None
    att = body.get("attachment")
    if text is None and att is None:
        raise ValidationError("A message needs text or an attachment.", code="empty_message")
    if body.get("note") and not allow_note:
        raise ValidationError("Only agents can write private notes.", code="note_not_allowed")
    if body.get("note") and att is not None:
        raise ValidationError("A private note cannot carry an attachment.", code="invalid_note")
    if att is not None:
        check_attachment_meta(att["name"], att["content_type"], att["size"], max_attachment)
        if not ATTACHMENT_KEY_RE.match(att["key"]):
            raise ValidationError("Unknown attachment key.", code="invalid_attachment")
    return {"client_message_id": body["client_message_id"], "text": text,
            "attachment": att, "note": bool(body.get("note"))}


def check_attachment_meta(name: str, content_type: str, size: int, max_bytes: int) -> None:
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise ValidationError(f"Files of type '{content_type}' are not accepted.",
                              code="unsupported_type")
    if size > max_bytes:
        raise ValidationError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
                              code="file_too_large", details={"max": max_bytes})
    if FILENAME_BAD.search(name):
        raise ValidationError("The file name contains invalid characters.",
                              code="invalid_filename")


# The first bytes each accepted type starts with. A declared type the bytes contradict is
# refused (an HTML page or a script uploaded as "image/png" is not stored as a message).
SNIFF_BYTES = 16
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "application/zip": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/msword": _OLE2,
    "application/vnd.ms-excel": _OLE2,
}
_BINARY = tuple(m for ms in MAGIC.values() for m in ms) + (b"RIFF",)


def content_matches(content_type: str, head: bytes) -> bool:
    """Do the file's first bytes fit its declared type? Text types: no NUL byte and no
    binary signature."""
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type in MAGIC:
        return head.startswith(MAGIC[content_type])
    if content_type in ("text/plain", "text/csv"):
        return b"\x00" not in head and not head.startswith(_BINARY)
    return False


def message_type(parsed: dict) -> str:
    if parsed.get("note"):
        return "note"
    return "attachment" if parsed.get("attachment") else "text"


#: message types only agents ever see: an agent's private note, a supervisor's whisper
PRIVATE_TYPES = ("note", "whisper")


def visible_to_visitor(msg: dict) -> bool:
    return msg.get("type") not in PRIVATE_TYPES


def sent_by(msg: dict, actor) -> bool:
    """Is the stored message this actor's own? (A replayed send returns only its own.)"""
    return msg.get("sender_type") == actor.kind and msg.get("sender_id") == actor.id

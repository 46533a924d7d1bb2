"""Attachments: the first bytes must fit the declared type (domain/messages.content_matches)."""
import pytest

from chalicelib.domain.messages import ALLOWED_CONTENT_TYPES, MAGIC, content_matches

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"
HTML = b"<!doctype html><script>alert(1)</script>"
GOOD = {
    "image/png": PNG, "image/jpeg": JPEG, "image/gif": GIF, "image/webp": WEBP,
    "application/pdf": PDF, "application/zip": ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
    "application/msword": OLE, "application/vnd.ms-excel": OLE,
    "text/plain": "你好, plain text\n".encode(), "text/csv": b"a,b\n1,2\n",
}


def test_every_accepted_type_has_a_rule():
    assert set(GOOD) == ALLOWED_CONTENT_TYPES
    assert set(MAGIC) | {"image/webp", "text/plain", "text/csv"} == ALLOWED_CONTENT_TYPES


@pytest.mark.parametrize("ctype", sorted(GOOD))
def test_the_right_bytes_pass(ctype):
    assert content_matches(ctype, GOOD[ctype][:16])


@pytest.mark.parametrize("ctype", sorted(GOOD))
def test_other_bytes_are_refused(ctype):
    for other, head in GOOD.items():
        if head[:4] != GOOD[ctype][:4] and not other.startswith("text/"):
            assert not content_matches(ctype, head[:16]), (ctype, other)
    if not ctype.startswith("text/"):
        assert not content_matches(ctype, HTML[:16])
        assert not content_matches(ctype, b"")


def test_text_is_refused_when_it_is_binary():
    assert not content_matches("text/plain", b"abc\x00def")
    assert not content_matches("text/csv", PNG)
    assert not content_matches("application/x-msdownload", b"MZ\x90\x00")

"""CSV and JSON exports of conversation lists and transcripts (pure: rows in, bytes out).

CSV is UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; every field is
quoted by the csv module (commas, quotes and newlines survive), and a cell that Excel would
run as a formula (starting with = + - @, tab or CR) is prefixed with an apostrophe.
Used by the chat-records exports (chalicelib/services/records/export.py), which select the
rows and run large exports in the background to S3.
"""
from __future__ import annotations

import csv
import io
import json

from chalicelib.domain.messages import visible_to_visitor

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRANSCRIPT_COLUMNS = ("conversation_id", "seq", "at", "sender_type", "sender_name", "type",
                      "text")


def _cell(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) \
        if isinstance(value, (dict, list)) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows, columns) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def to_json(rows) -> bytes:
    return json.dumps(list(rows), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def transcript_rows(messages) -> list[dict]:
    """Stored message rows -> transcript rows (private notes and whispers are left out)."""
    out = []
    for m in messages:
        if not visible_to_visitor(m):
            continue
        text = m.get("text")
        if m.get("type") == "event":
            text = (m.get("event") or {}).get("kind")
        elif m.get("type") == "attachment":
            text = (m.get("attachment") or {}).get("name")
        out.append({"conversation_id": m["conversation_id"], "seq": int(m["seq"]),
                    "at": int(m["created_at"]), "sender_type": m.get("sender_type"),
                    "sender_name": m.get("sender_name"), "type": m.get("type"),
                    "text": text})
    return out

"""CSV/JSON exports: Chinese, commas, quotes and newlines round-trip through Python's csv."""
import csv
import io
import json

from chalicelib.services.reports import export

TRICKY = ["你好，我想退货", 'He said "hi", then left', "line one\nline two\r\nline three",
          "a,b,,c", "混合 mixed, \"引号\"\n换行"]


def test_csv_round_trips_through_pythons_csv_with_a_bom():
    rows = [{"conversation_id": f"c{i}", "seq": i, "at": 1767225600000 + i,
             "sender_type": "visitor", "sender_name": "访客 Vera", "type": "text", "text": t}
            for i, t in enumerate(TRICKY)]
    data = export.to_csv(rows, export.TRANSCRIPT_COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    back = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["text"] for r in back] == TRICKY
    assert [r["sender_name"] for r in back] == ["访客 Vera"] * len(TRICKY)
    assert [int(r["seq"]) for r in back] == list(range(len(TRICKY)))


def test_cells_excel_would_run_as_formulas_are_defused():
    data = export.to_csv([{"text": "=HYPERLINK(\"http://x\")"}, {"text": "-1+2"}], ["text"])
    back = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["text"] for r in back] == ["'=HYPERLINK(\"http://x\")", "'-1+2"]


def test_transcript_rows_leave_out_private_notes_and_json_keeps_chinese():
    stored = [{"conversation_id": "c1", "seq": 1, "created_at": 1, "sender_type": "visitor",
               "type": "text", "text": "你好"},
              {"conversation_id": "c1", "seq": 2, "created_at": 2, "sender_type": "agent",
               "type": "note", "text": "internal"},
              {"conversation_id": "c1", "seq": 3, "created_at": 3, "sender_type": "system",
               "type": "event", "event": {"kind": "closed"}}]
    rows = export.transcript_rows(stored)
    assert [r["text"] for r in rows] == ["你好", "closed"]
    assert json.loads(export.to_json(rows).decode("utf-8"))[0]["text"] == "你好"

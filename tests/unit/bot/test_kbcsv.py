from pathlib import Path

from chalicelib.domain.bot.kbcsv import MAX_QUESTION, export_csv, import_csv
from chalicelib.domain.bot.matcher import KBEntry

SAMPLE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "faq-sample" / "kb.csv"

GOOD = (
    "id,question,similar,answer\n"
    "price,套餐价格是多少?,收费标准|多少钱一个月,个人版每月15元,团队版每人每月30元。\n"
    'en-price,How much does it cost?,pricing|what are your plans,"Personal is $3/month, Team $6."\n'
    "trial,有免费试用吗?,,新用户可免费试用14天。\n"
)


def test_good_file_with_unquoted_commas_in_answer_and_empty_similar():
    res = import_csv(GOOD.encode("utf-8"))
    assert res.ok and res.errors == []
    assert [e.id for e in res.entries] == ["price", "en-price", "trial"]
    assert res.entries[0].similar == ["收费标准", "多少钱一个月"]
    assert res.entries[0].answer == "个人版每月15元,团队版每人每月30元。"
    assert res.entries[1].answer == "Personal is $3/month, Team $6."
    assert res.entries[2].similar == []


def test_bom_and_crlf_tolerated():
    res = import_csv(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert res.ok and len(res.entries) == 3


def test_export_round_trips():
    entries = import_csv(GOOD).entries + [
        KBEntry("q", 'He said "hi", then left', ["a, b", "c"], "line1\nline2")]
    text = export_csv(entries)
    assert text.splitlines()[0] == "id,question,similar,answer,tags,enabled,learned"
    again = import_csv(text.encode("utf-8"))
    assert again.ok
    assert [(e.id, e.question, e.similar, e.answer) for e in again.entries] == \
        [(e.id, e.question, e.similar, e.answer) for e in entries]


def test_sample_kb_imports_and_round_trips():
    if not SAMPLE.exists():
        return
    res = import_csv(SAMPLE.read_bytes())
    assert res.ok and len(res.entries) == 20
    assert import_csv(export_csv(res.entries)).entries == res.entries


def test_bad_rows_report_line_numbers_and_nothing_is_imported():
    bad = (
        "id,question,similar,answer\n"
        "ok1,好问题,,好答案\n"        # line 2 fine
        ",没有id,,答案\n"             # line 3 missing id
        "ok1,重复,,答案\n"            # line 4 duplicate id
        "e1,,,答案\n"                 # line 5 empty question
        "e2,问题,,\n"                 # line 6 empty answer
        "e3,%s,,答案\n"               # line 7 too long
        "e4,only two\n"               # line 8 too few columns
    ) % ("长" * (MAX_QUESTION + 1))
    res = import_csv(bad.encode("utf-8"))
    assert not res.ok
    assert res.entries == []
    got = {(e.line, e.message.split(" ")[0]) for e in res.errors}
    assert (3, "missing") in got
    assert (4, "duplicate") in got
    assert (5, "empty") in got
    assert (6, "empty") in got
    assert (7, "question") in got
    assert (8, "expected") in got
    assert all(e.line != 2 for e in res.errors)
    assert "first on line 2" in [e.message for e in res.errors if e.line == 4][0]


def test_bad_header():
    res = import_csv(b"id,q,a\nx,y,z\n")
    assert not res.ok and res.errors[0].line == 1 and "header" in res.errors[0].message


def test_undecodable_bytes_reports_line():
    data = "id,question,similar,answer\nok,问题,,答案\n".encode("utf-8") + b"bad,\xff\xfe,,x\n"
    res = import_csv(data)
    assert not res.ok and res.entries == []
    assert res.errors[0].line == 3 and "UTF-8" in res.errors[0].message


def test_multiline_quoted_field_line_numbers():
    data = 'id,question,similar,answer\na,q,,"multi\nline"\n,missing,,x\n'
    res = import_csv(data)
    assert [e.line for e in res.errors] == [4]


def test_empty_file():
    res = import_csv(b"")
    assert not res.ok and res.errors[0].line == 1


def test_unterminated_quote_is_a_bad_row_and_nothing_is_imported():
    res = import_csv('id,question,similar,answer\na,Q,,"A\nb,Q2,,B\n')
    assert not res.ok and res.entries == []
    assert res.errors[0].line == 2 and "unterminated" in res.errors[0].message
    res = import_csv('id,question,similar,answer\na,Q,,A\nb,Q,,B\nc,Q,,"C')  # last row, no newline
    assert not res.ok and res.errors[0].line == 4
    # a properly closed multi-line answer and a stray inch mark in an unquoted field are fine
    res = import_csv('id,question,similar,answer\na,Q,,"line1\nline2"\nb,Q,,a 5" screen\n')
    assert res.ok and [e.answer for e in res.entries] == ["line1\nline2", 'a 5" screen']


def test_export_keeps_tags_and_enabled_and_import_accepts_them():
    entries = [KBEntry("a", "Q?", ["x"], "A, with comma", tags=["billing", "vip"], enabled=False),
               KBEntry("b", "Q2", [], "B", tags=[], enabled=True)]
    text = export_csv(entries)
    assert text.splitlines()[0] == "id,question,similar,answer,tags,enabled,learned"
    back = import_csv(text)
    assert back.ok and back.entries == entries
    # optional columns in any order / only one of them; unquoted commas in the answer still work
    res = import_csv("id,question,similar,answer,enabled\na,Q,,x, y,false\n")
    assert res.ok and res.entries[0].answer == "x, y" and res.entries[0].enabled is False
    res = import_csv("id,question,similar,answer,enabled,tags\na,Q,,A,,t1|t2\n")
    assert res.ok and res.entries[0].tags == ["t1", "t2"] and res.entries[0].enabled is True


def test_the_questions_learned_from_chats_round_trip_and_must_be_similar_ones():
    entries = [KBEntry("a", "Q?", ["x", "from a chat"], "A", learned=["from a chat"])]
    back = import_csv(export_csv(entries))
    assert back.ok and back.entries == entries
    res = import_csv("id,question,similar,answer,learned\na,Q,x|y,A,y|not similar\n")
    assert res.ok and res.entries[0].learned == ["y"]
    res = import_csv("id,question,similar,answer,enabled\na,Q,,A,maybe\n")
    assert not res.ok and res.errors[0].line == 2 and "enabled" in res.errors[0].message
    assert not import_csv("id,question,similar,answer,colour\na,Q,,A,red\n").ok
    # the 4-column sample format still imports
    demo = Path(__file__).resolve().parents[3] / "infra" / "local" / "demo_kb.csv"
    assert len(import_csv(demo.read_bytes()).entries) == 20

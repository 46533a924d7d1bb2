"""Contacts CSV without AWS: a round trip keeps Chinese text, lists and custom fields; bad
rows are reported by line and nothing is returned to write."""
import pytest

from chalicelib.domain.contacts import csvio, fields
from chalicelib.errors import ValidationError

DEFS = fields.check_definitions([
    {"key": "plan", "type": "select", "label_en": "Plan", "label_zh": "套餐",
     "options": [{"value": "基础版"}, {"value": "专业版"}]},
    {"key": "topics", "type": "multi_select", "label_en": "Topics", "label_zh": "关注点",
     "options": [{"value": "价格"}, {"value": "接口"}]},
])


def test_round_trip_keeps_chinese_text_lists_and_fields():
    contacts = [{"name": "王芳", "company": "上海某某科技有限公司",
                 "identities": ["email:fang@example.cn", "phone:+8613800138000", "visitor:v1"],
                 "tags": ["重要", "vip"], "notes": "喜欢喝茶,\n下周回电",
                 "fields": {"plan": "专业版", "topics": ["价格", "接口"]}},
                {"name": "=HYPERLINK(\"x\")", "identities": [], "tags": [], "fields": {}}]
    text = csvio.export(contacts, DEFS)
    assert text.startswith("\ufeff") and text.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    assert "'=HYPERLINK" in text                      # a formula is never live in a sheet
    rows = csvio.parse(text, DEFS)
    assert [r["line"] for r in rows] == [2, 4]         # the notes cell spans two lines
    assert rows[0] == {"line": 2, "name": "王芳", "company": "上海某某科技有限公司",
                       "identities": ["email:fang@example.cn", "phone:+8613800138000"],
                       "tags": ["vip", "重要"], "notes": "喜欢喝茶,\n下周回电",
                       "fields": {"plan": "专业版", "topics": ["价格", "接口"]}}
    assert rows[1]["name"] == "=HYPERLINK(\"x\")"


def test_bad_rows_are_reported_by_line_and_nothing_is_returned():
    text = ("name,emails,phones,plan\r\n"
            "好,ok@example.com,,基础版\r\n"
            "坏邮箱,not-an-email,,\r\n"
            "\r\n"
            "坏套餐,,13800138000,黄金版\r\n"
            "重复,OK@example.com,,\r\n")
    with pytest.raises(ValidationError) as err:
        csvio.parse(text, DEFS)
    assert err.value.code == "invalid_csv"
    lines = [e["line"] for e in err.value.details["errors"]]
    assert lines == [3, 5, 6]
    assert "line 2" in err.value.details["errors"][-1]["message"]
    assert "fields.plan" in err.value.details["errors"][1]["message"]


@pytest.mark.parametrize("text", ["", "colour\r\nred\r\n", "emails\r\na@b.cn\r\n"])
def test_a_bad_header_is_line_one(text):
    with pytest.raises(ValidationError) as err:
        csvio.parse(text, DEFS)
    assert err.value.details["errors"][0]["line"] == 1

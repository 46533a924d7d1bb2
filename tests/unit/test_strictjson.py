"""The strict JSON parser/encoder and long passwords, without AWS (issue 18)."""
import json

import pytest

from chalicelib.domain import strictjson
from chalicelib.errors import ValidationError
from chalicelib.security import check_password, hash_password


def code_of(raw):
    with pytest.raises(ValidationError) as exc:
        strictjson.loads(raw)
    assert exc.value.status == 400
    return exc.value.code


@pytest.mark.parametrize("raw, code", [
    ("[" * 20000, "too_deep"),
    ('{"a":' * 33 + "1" + "}" * 33, "too_deep"),
    ("[" * 33 + "]" * 33, "too_deep"),
    ('{"a": NaN}', "invalid_number"),
    ('{"a": [Infinity]}', "invalid_number"),
    ('{"a": -Infinity}', "invalid_number"),
    ('{"a": 1e400}', "invalid_number"),
    ('{"a": 1e-300}', "invalid_number"),
    ('{"a": 9007199254740992}', "invalid_number"),
    ('{"a": ' + "9" * 5000 + "}", "invalid_number"),
    ('{"a": "\\ud800"}', "invalid_text"),
    ('{"\\udfff": 1}', "invalid_text"),
    ('["ok", ["\\ud83d"]]', "invalid_text"),
    (b'{"a": "\xed\xa0\x80"}', "invalid_json"),       # a surrogate in raw UTF-8 bytes
    (b"\xff\xfe{}", "invalid_json"),
    ("{", "invalid_json"),
    ("{'a': 1}", "invalid_json"),
])
def test_refused_with_a_stable_code(raw, code):
    assert code_of(raw) == code


def test_accepted_input_is_unchanged():
    raw = ('{"a": [1, -2.5, 0, 0.0, 9007199254740991, 1e100, "中文😀", "\\ud83d\\ude00", '
           'true, null], "b": ' + "[" * 31 + "]" * 31 + "}")
    assert strictjson.loads(raw) == json.loads(raw)
    assert strictjson.loads(raw.encode("utf-8")) == json.loads(raw)


def test_dumps_never_writes_nan_or_infinity():
    from decimal import Decimal
    out = strictjson.dumps({"a": float("nan"), "b": [float("inf"), 2.5], "c": Decimal("3"),
                            "d": Decimal("NaN"), "e": {"x"}, "t": "中文"})

    def refuse(literal):
        raise AssertionError(literal)
    assert json.loads(out, parse_constant=refuse) == {"a": None, "b": [None, 2.5], "c": 3,
                                                      "d": None, "e": ["x"], "t": "中文"}


@pytest.mark.parametrize("password", ["x" * 73, "密码" * 100, "a" * 72 + "\x00b", "é" * 200])
def test_passwords_beyond_72_bytes_count_in_full(password):
    hashed = hash_password(password, rounds=4)
    assert check_password(password, hashed)
    assert not check_password(password[:-1], hashed)
    assert not check_password(password.encode("utf-8")[:72].decode("utf-8", "ignore"), hashed)


def test_short_passwords_are_plain_bcrypt_as_before():
    import bcrypt
    hashed = hash_password("password1", rounds=4)
    assert bcrypt.checkpw(b"password1", hashed.encode("ascii"))
    assert not check_password("\ud800", hashed)      # unencodable: refused, no exception

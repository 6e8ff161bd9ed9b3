"""The pymongoose JSON helpers (EVENT-LOOP.md 11): json_get, json_get_num,
json_get_bool, json_get_long, json_get_str over mg_json_*. Expected values
were observed with Mongoose 7.23 (cymongoose) and are hard-coded."""
import pytest

import mongoose_rs
from mongoose_rs import json_get, json_get_bool, json_get_long, json_get_num, json_get_str

DOC = '{"a":1,"b":[1,2,{"c":true}],"s":"x\\ty","u":"\\u00e9\\u0041","n":null,"f":false,"e":""}'


def test_json_get_returns_raw_tokens():
    assert json_get(DOC, "$") == DOC
    assert json_get(DOC, "$.a") == "1"
    assert json_get(DOC, "$.b") == '[1,2,{"c":true}]'
    assert json_get(DOC, "$.b[2].c") == "true"
    assert json_get(DOC, "$.s") == '"x\\ty"'  # quotes and escapes kept
    assert json_get(DOC, "$.n") == "null"
    assert json_get(DOC, "$.b[3]") is None
    assert json_get(DOC, "$.zz") is None
    assert json_get(DOC, "a") is None  # a path must start with $
    assert json_get(b'[[1,2],[3,4]]', "$[1][0]") == "3"
    assert json_get(bytearray(b'{"a.b":7}'), "$.a.b") == "7"  # dotted key matched textually


def test_json_get_leniency_and_errors():
    assert json_get('{"a":1', "$.a") == "1"  # found before the input ends
    assert json_get('{"a":}', "$.a") is None
    assert json_get(" 12.5e3 ", "$") == "12.5e3"
    assert json_get("[1,]", "$") == "[1,]"
    assert json_get('{"a":1}garbage', "$.a") == "1"
    assert json_get("[" * 30 + "]" * 30, "$") == "[" * 30 + "]" * 30
    assert json_get("[" * 31 + "]" * 31, "$") is None  # deeper than 30


def test_numbers():
    assert json_get_num(DOC, "$.a") == 1.0
    assert json_get_num("-12.5e1", "$") == -125.0
    assert json_get_num("0.1", "$") == 0.1
    assert json_get_num("01", "$") == 1.0
    assert json_get_num("1e-320", "$") == 1e-308  # Mongoose caps exponents at 308
    assert json_get_num(DOC, "$.s") is None
    assert json_get_num(DOC, "$.zz") is None
    assert json_get_num(DOC, "$.zz", 3.5) == 3.5
    assert json_get_long(DOC, "$.a") == 1
    assert json_get_long("12345678901", "$") == 12345678901
    assert json_get_long("-7.9", "$") == -7
    assert json_get_long("9007199254740993", "$") == 9007199254740992  # via a double
    assert json_get_long("1e400", "$") == -(2**63)  # C's (long) of +inf on x86_64
    assert json_get_long(DOC, "$.s", 42) == 42
    assert json_get_long(DOC, "$.zz") == 0


def test_booleans():
    assert json_get_bool(DOC, "$.b[2].c") is True
    assert json_get_bool(DOC, "$.f") is False
    assert json_get_bool(DOC, "$.n") is None
    assert json_get_bool(DOC, "$.n", True) is True
    assert json_get_bool(DOC, "$.a", False) is False


def test_strings_are_unescaped():
    assert json_get_str(DOC, "$.s") == "x\ty"
    assert json_get_str(DOC, "$.e") == ""
    # \u00XX is one byte (not UTF-8): 0xE9 comes back surrogate-escaped.
    assert json_get_str(DOC, "$.u") == "\udce9A"
    assert json_get_str(DOC, "$.u").encode("utf-8", "surrogateescape") == b"\xe9A"
    assert json_get_str('"a\\u20acb"', "$") == "a"  # decoding stops at \u20ac
    assert json_get_str('"a\\/b"', "$") is None  # \/ is not supported
    assert json_get_str(DOC, "$.a") is None
    assert json_get_str(DOC, "$.zz") is None
    assert json_get_str('"caf\xe9"', "$") == "caf\xe9"  # UTF-8 passes through


@pytest.mark.parametrize("data", [None, "", b"", "   "])
def test_empty_documents(data):
    assert json_get(data, "$") is None
    assert json_get_num(data, "$") is None
    assert json_get_bool(data, "$") is None
    assert json_get_long(data, "$", 9) == 9
    assert json_get_str(data, "$") is None


def test_no_path_is_not_found():
    assert json_get(DOC, None) is None
    assert json_get(DOC, "") is None
    assert json_get_num(DOC, None, 1.5) == 1.5
    assert json_get_str(DOC, None) is None
    assert mongoose_rs.json_get_long(DOC, None, 4) == 4

"""The JSON every route reads: the standard parser's value, or its error, for any input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.core.routing import parse_json

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types throughout (1 and 1.0 and True differ)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and repr(a) == repr(b)


@settings(max_examples=300, derandomize=True)
@given(values, st.booleans())
def test_any_json_document_parses_as_the_standard_parser_does(value: Any, ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii)
    for raw in (text, text.encode()):
        assert _same(parse_json(raw), json.loads(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "a": 2}',
        b"123456789012345678901234567890",
        b"-9223372036854775809",
        b"1e400",
        b"[NaN, Infinity, -Infinity]",
        b'"\\ud800"',
        b"\xef\xbb\xbf{}",
        '{"x": "\u00e9"}'.encode("utf-16"),
        b"[1.0000000000000002, -0.0, 1E2, 5e-324]",
    ],
)
def test_what_the_fast_parser_refuses_or_reads_otherwise_is_the_standard_value(raw: bytes) -> None:
    assert repr(parse_json(raw)) == repr(json.loads(raw))


def _error(parse: Any, raw: bytes) -> BaseException:
    try:
        parse(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return exc
    raise AssertionError(f"{raw!r} parsed")


@pytest.mark.parametrize("raw", [b"", b"{", b'{"a": }', b"[1,]", b"\xff", b"01", b'"\\x"'])
def test_bad_json_raises_the_standard_error(raw: bytes) -> None:
    expected, got = _error(json.loads, raw), _error(parse_json, raw)
    assert (type(got), got.args) == (type(expected), expected.args)


@pytest.mark.parametrize(
    "raw", [b'"\\ud800"', b'{"a": ["x", "\\udfff y"]}', b'{"\\ud800": 1}', b'[NaN, "\\ud83d"]']
)
def test_a_lone_surrogate_is_refused_where_text_is_due(raw: bytes) -> None:
    assert (
        _error(lambda text: parse_json(text, unicode_only=True), raw)
        .args[0]
        .startswith("A string holds a lone surrogate")
    )
    # A pair is one character, and NaN alone is left to what reads the body.
    assert parse_json(b'"\\ud83d\\ude80"', unicode_only=True) == "\U0001f680"
    assert repr(parse_json(b"[NaN]", unicode_only=True)) == "[nan]"

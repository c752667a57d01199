"""Front-end fast paths: JsonLexer is a drop-in for Lark's basic lexer (same tokens, positions,
errors); lower.py's fast constructors build objects equal to the dataclass constructors."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam2rego.parse import JsonLexer, build_parser
from lark import Lark
from lark.exceptions import UnexpectedCharacters
from lark.lexer import BasicLexer, LexerThread

JSON_CHARS = " \t\r\n{}[],:\"\\/tfnulrue0123456789-+.eE#'aAxu\u00e9\ufeff\x00\x1f"

Result = tuple[list[tuple[object, ...]], tuple[object, ...] | None]


@functools.cache
def _parsers() -> tuple[Lark, Lark]:
    return build_parser(), build_parser(lexer="basic")


def _lex(parser: Lark, text: str) -> Result:
    out: list[tuple[object, ...]] = []
    try:
        for t in LexerThread.from_text(parser.parser.lexer, text).lex(None):
            out.append((t.type, t.value, t.start_pos, t.line, t.column, t.end_line, t.end_column, t.end_pos))
    except UnexpectedCharacters as exc:
        return out, (exc.pos_in_stream, exc.line, exc.column, sorted(exc.allowed), str(exc))
    return out, None


def _assert_same(text: str) -> None:
    fast, basic = _parsers()
    assert isinstance(fast.parser.lexer, JsonLexer)
    assert isinstance(basic.parser.lexer, BasicLexer)
    assert _lex(fast, text) == _lex(basic, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t\r ",
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "n": -1.5e3}]\n}\n',
        '{"a":\n\n   @}',
        '["unterminated\n"]',
        "[1, 2] \n\n x",
        "[true, false, null, tru]",
        '"\\u00e9\\"\\\\"',
        "\ufeff{}",
        "[01, +1, .5]",
    ],
)
def test_same_tokens_as_lark_basic_lexer(text: str) -> None:
    _assert_same(text)


@given(st.text(alphabet=JSON_CHARS, max_size=60))
def test_same_tokens_on_json_like_text(text: str) -> None:
    _assert_same(text)


@given(st.text(max_size=80))
def test_same_tokens_on_any_text(text: str) -> None:
    _assert_same(text)


def test_fast_constructors_build_equal_objects() -> None:
    from iam2rego.diagnostics import Span
    from iam2rego.ir import JMember, JString
    from iam2rego.lower import _fast_ctor

    span = _fast_ctor(Span)(1, 2, 3, 4, 5, 6)
    assert span == Span(1, 2, 3, 4, 5, 6) and type(span) is Span
    key = _fast_ctor(JString)("k", span)
    assert key == JString("k", Span(1, 2, 3, 4, 5, 6))
    assert _fast_ctor(JMember)(key, key, span) == JMember(key, key, span)


def test_fast_constructor_falls_back_for_post_init() -> None:
    from dataclasses import dataclass

    from iam2rego.lower import _fast_ctor

    @dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            if self.x < 0:
                raise ValueError("negative")

    assert _fast_ctor(Checked) is Checked


# ---------------------------------------------------------------------------------- fast path


def _lark_ir(text: str) -> object:
    from iam2rego.lower import _ir_parser
    from lark.exceptions import UnexpectedInput

    try:
        return _ir_parser().parse(text)
    except UnexpectedInput:
        return None


def _assert_fast_path_agrees(text: str) -> None:
    """lower.fast_parse accepts only what the Lark parser accepts, with equal nodes and spans."""
    from iam2rego.lower import fast_parse

    fast = fast_parse(text)
    if fast is not None:
        assert fast == _lark_ir(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES, st.sampled_from([None, 0, 1, 2, "\t", " \r\n "]), st.booleans())
def test_fast_path_parses_every_json_document_like_lark(value: object, indent: object, ascii_: bool) -> None:
    import json

    from iam2rego.lower import fast_parse

    text = json.dumps(value, indent=indent, ensure_ascii=ascii_)  # type: ignore[arg-type]
    lark = _lark_ir(text)
    assert lark is not None
    assert fast_parse(text) == lark  # a valid document: the fast path takes it, identically


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        '{"a": 1,}',
        "[1 2]",
        '{"a" 1}',
        '{"a": 1} {"b": 2}',
        "[01]",
        '{"a": 1} // x',
        "\ufeff{}",
        '{"a": [1, {"b": null}], "c": "\\u00e9\\"\\\\"}',
        '\n\n  {\n "k" :\ttrue }\n\n',
        "[]",
        "{}",
        '"x"',
    ],
)
def test_fast_path_agrees_with_lark_on_edge_cases(text: str) -> None:
    _assert_fast_path_agrees(text)


@given(st.text(alphabet=JSON_CHARS, max_size=60))
def test_fast_path_agrees_with_lark_on_json_like_text(text: str) -> None:
    _assert_fast_path_agrees(text)

"""parse.JsonLexer is a drop-in for Lark's basic lexer: same tokens, same positions, same errors."""

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

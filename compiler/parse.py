"""The Lark parser factory: strict RFC 8259 JSON with positions (grammar in ``grammar/iam.lark``).

One LALR parser per transformer, built once per process (a module-level cache, like python-hcl2's
factory). Only this module and :mod:`iam2rego.lower` import lark; everything downstream sees
:mod:`iam2rego.ir`.

Speed (``bench/bench_frontend.py``): the grammar's terminals are scanned by :class:`JsonLexer`, a
drop-in for Lark's ``lexer="basic"`` built from the very same terminal definitions and order, that
skips ignored whitespace inside the token regex instead of matching it as a token of its own, and
keeps the line counter in local variables. It yields the same tokens (type, value, positions) and
raises the same ``UnexpectedCharacters`` as the basic lexer; ``tests/unit/test_lexer.py`` checks
that against Lark's own lexer. The LALR parsing itself is Lark's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.common import LexerConf
from lark.exceptions import UnexpectedCharacters
from lark.lexer import BasicLexer, Lexer, LexerState

GRAMMAR_FILE = "iam.lark"


def grammar_text() -> str:
    return resources.files("iam2rego.grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


class JsonLexer(Lexer):
    """Lark's basic lexer with the whitespace skip folded into the token regex.

    Lark's ``BasicLexer`` builds the terminal regex (same validation, terminal order and
    newline-terminal set as ``lexer="basic"``); this class only changes the scanning loop:

    * one ``re.match`` per token: the pattern is ``(?:IGNORED)*+`` (possessive, so no backtracking
      over long whitespace runs) followed by the alternation of the other terminals, in Lark's
      order. This is exact as long as no non-ignored terminal can start with an ignored one's text
      (true for JSON: no token starts with whitespace); the equivalence test guards it.
    * line/column bookkeeping in locals; newlines are counted in skipped text and in tokens of
      Lark's newline-capable terminals only, exactly as Lark's ``LineCounter`` does.
    """

    __future_interface__ = 2

    def __init__(self, conf: LexerConf) -> None:
        basic = BasicLexer(conf)
        scanner = basic.scanner  # builds basic.callback too
        if basic.callback or conf.callbacks:
            raise ValueError("JsonLexer supports no terminal callbacks (none are needed for JSON)")
        ignore = basic.ignore_types
        kept = [t for t in scanner.terminals if t.name not in ignore]
        skipped = [t for t in scanner.terminals if t.name in ignore]
        flags = conf.g_regex_flags
        skip = "|".join(t.pattern.to_regexp() for t in skipped) or "(?!)"
        alternation = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in kept)
        self._match = re.compile(f"(?:{skip})*+(?:{alternation})", flags).match
        self._skip = re.compile(f"(?:{skip})*+", flags).match
        self._newline_types = frozenset(basic.newline_types - ignore)
        self._allowed = scanner.allowed_types - ignore or {"<END-OF-FILE>"}
        self._terminals_by_name = basic.terminals_by_name

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        source = lexer_state.text
        text: str = source.text
        end: int = source.end
        ctr = lexer_state.line_ctr
        pos: int = ctr.char_pos
        line: int = ctr.line
        line_start: int = ctr.line_start_pos
        match = self._match
        newline_types = self._newline_types
        count = text.count
        rfind = text.rfind
        new_token = Token._future_new
        last: Token | None = lexer_state.last_token
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                break
            type_ = m.lastgroup
            stop = m.end()
            start = m.start(type_)
            if start != pos and count("\n", pos, start):
                line += count("\n", pos, start)
                line_start = rfind("\n", pos, start) + 1
            first_line = line
            column = start - line_start + 1
            if type_ in newline_types and count("\n", start, stop):
                line += count("\n", start, stop)
                line_start = rfind("\n", start, stop) + 1
            last = new_token(
                type_, m.group(type_), start, first_line, column, line, stop - line_start + 1, stop
            )
            yield last
            pos = stop
        self._finish(lexer_state, parser_state, text, pos, end, line, line_start, last)

    def _finish(
        self,
        lexer_state: LexerState,
        parser_state: Any,
        text: str,
        pos: int,
        end: int,
        line: int,
        line_start: int,
        last: Token | None,
    ) -> None:
        """Skip trailing ignored text; anything else left over is Lark's ``UnexpectedCharacters``."""
        m = self._skip(text, pos, end)
        stop = m.end() if m is not None else pos
        if stop != pos and text.count("\n", pos, stop):
            line += text.count("\n", pos, stop)
            line_start = text.rfind("\n", pos, stop) + 1
        ctr = lexer_state.line_ctr
        ctr.char_pos, ctr.line, ctr.line_start_pos = stop, line, line_start
        ctr.column = stop - line_start + 1
        lexer_state.last_token = last
        if stop < end:
            raise UnexpectedCharacters(
                text,
                stop,
                line,
                stop - line_start + 1,
                allowed=self._allowed,
                token_history=last and [last],
                state=parser_state,
                terminals_by_name=self._terminals_by_name,
            )


def build_parser(transformer: Any = None, *, lexer: str | type[Lexer] = JsonLexer) -> Lark:
    """An LALR parser for the grammar; ``transformer`` (inline, LALR only) replaces tree building."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer=lexer,
        maybe_placeholders=False,
        transformer=transformer,
    )


@functools.cache
def json_parser() -> Lark:
    """The shared tree-building parser (diagnostics and tests; lower.py uses its own transformer).

    Positions come from the tokens (the grammar keeps brackets and scalars as tokens), so the
    slower ``propagate_positions`` pass is not needed."""
    return build_parser()


def parse_json(text: str) -> Tree | Token:
    """Parse ``text`` into a Lark tree; raises lark's ``UnexpectedInput`` (lower.py names it)."""
    return json_parser().parse(text)

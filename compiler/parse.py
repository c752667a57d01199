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
import hashlib
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Tree
from lark.common import LexerConf
from lark.exceptions import UnexpectedCharacters
from lark.grammar import Rule
from lark.lexer import BasicLexer, Lexer, LexerState
from lark.parsers.lalr_analysis import Reduce

GRAMMAR_FILE = "iam.lark"


def grammar_text() -> str:
    return resources.files("iam2rego.grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


class JsonLexer(Lexer):
    """Lark's basic lexer with the whitespace skip folded into the token regex.

    Lark's ``BasicLexer`` builds the terminal regex (same validation, terminal order and
    newline-terminal set as ``lexer="basic"``); this class only changes the scanning loop:

    * one anchored regex match per token (``Pattern.scanner``, driven from C): the pattern is ``(?:IGNORED)*+`` (possessive, so no backtracking
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
        self._token = re.compile(f"(?:{skip})*+(?:{alternation})", flags)
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
        newline_types = self._newline_types
        count = text.count
        rfind = text.rfind
        new_str = str.__new__
        last: Token | None = lexer_state.last_token
        # The scanner's match() is anchored where the previous match ended; None at the first
        # position where no token starts (or at the end).
        for m in iter(self._token.scanner(text, pos, end).match, None):  # type: ignore[attr-defined]
            type_ = m.lastgroup
            start, stop = m.span(type_)  # the token ends the match
            if start != pos:
                newlines = count("\n", pos, start)
                if newlines:
                    line += newlines
                    line_start = rfind("\n", pos, start) + 1
            first_line = line
            column = start - line_start + 1
            if type_ in newline_types:
                newlines = count("\n", start, stop)
                if newlines:
                    line += newlines
                    line_start = rfind("\n", start, stop) + 1
            # Token(type_, value, start, first_line, column, line, end column, stop), inlined
            value = text[start:stop]
            last = new_str(Token, value)
            last.type = type_
            last.value = value
            last.start_pos = start
            last.line = first_line
            last.column = column
            last.end_line = line
            last.end_column = stop - line_start + 1
            last.end_pos = stop
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


def cache_file() -> Path | None:
    """Where Lark keeps the analysed grammar between processes (as python-hcl2 caches its LALR
    parser): ``$IAM2REGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/iam2rego``, else ``~/.cache/iam2rego``;
    the name holds Lark's version and a hash of the grammar. ``IAM2REGO_CACHE_DIR=""`` or no home
    directory: no cache. Lark checks the grammar hash stored in the file and rebuilds (and
    rewrites) a stale or unreadable one; a failed write is ignored."""
    root = os.environ.get("IAM2REGO_CACHE_DIR")
    if root is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            root = str(Path(xdg) / "iam2rego") if xdg else str(Path.home() / ".cache" / "iam2rego")
        except RuntimeError:  # no home directory
            return None
    if not root:
        return None
    digest = hashlib.sha256(grammar_text().encode()).hexdigest()[:16]
    return Path(root) / f"lark-{lark.__version__}-{digest}.pickle"


def build_parser(
    transformer: Any = None, *, lexer: str | type[Lexer] = JsonLexer, cache: bool = True
) -> Lark:
    """An LALR parser for the grammar; ``transformer`` (inline, LALR only) replaces tree building.

    ``cache``: load the analysed grammar from :func:`cache_file` (about 6x faster than analysing
    it again, ``bench/bench_frontend.py``), writing it there the first time."""
    path = cache_file() if cache and lexer is JsonLexer else None
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            path = None
    parser = Lark(
        grammar_text(),
        parser="lalr",
        lexer=lexer,
        maybe_placeholders=False,
        keep_all_tokens=True,  # with the grammar's plain rules: transformer methods called bare
        transformer=transformer,
        cache=str(path) if path is not None else False,
    )
    _plain_table_keys(parser)
    return parser


class _IdentityRule(Rule):
    """A ``Rule`` hashed and compared by identity, in C (the table holds one object per rule)."""

    __slots__ = ()
    __hash__ = object.__hash__
    __eq__ = object.__eq__
    __ne__ = object.__ne__


def _plain_table_keys(parser: Lark) -> None:
    """Let the LALR loop's dict lookups and compares run in C instead of Python ``__eq__``/``__hash__``.

    Per token or reduction Lark's ``feed_token`` looks up ``states[state][name]`` and
    ``callbacks[rule]`` and asserts ``arg != end_state``. Rule origins are named with ``Token``
    objects (a ``str`` subclass with a Python ``__eq__``), and ``Rule`` hashes and compares in
    Python. So: one ``Rule`` object per rule in the table, switched to :class:`_IdentityRule`;
    origin names as plain ``str``; the callbacks re-keyed by those objects. No lookup result
    changes (``tests/unit/test_lexer.py`` and the parse tests hold). Speed only: skipped if this
    Lark version is laid out differently.
    """
    lalr = getattr(getattr(getattr(parser, "parser", None), "parser", None), "parser", None)
    table = getattr(lalr, "parse_table", None)
    callbacks = getattr(lalr, "callbacks", None)
    if table is None or not isinstance(callbacks, dict):
        return
    canonical: dict[Any, Any] = {}  # one Rule object per rule, the table's first
    for actions in table.states.values():
        for key, (action, arg) in list(actions.items()):
            if action is Reduce and type(arg) is Rule:
                rule = canonical.setdefault(arg, arg)
                actions[key] = (action, rule)
    rekeyed = {k: v for k, v in callbacks.items() if k not in canonical}
    found = {rule: callbacks[rule] for rule in canonical.values() if rule in callbacks}
    for rule in canonical.values():
        rule.origin.name = str(rule.origin.name)
        rule.__class__ = _IdentityRule
    for rule, callback in found.items():
        rekeyed[rule] = callback  # hashed again, by identity now (dict.update would reuse old hashes)
    lalr.callbacks = rekeyed  # type: ignore[union-attr]


@functools.cache
def json_parser() -> Lark:
    """The shared tree-building parser (diagnostics and tests; lower.py uses its own transformer).

    Positions come from the tokens (the grammar keeps brackets and scalars as tokens), so the
    slower ``propagate_positions`` pass is not needed."""
    return build_parser()


def parse_json(text: str) -> Tree | Token:
    """Parse ``text`` into a Lark tree; raises lark's ``UnexpectedInput`` (lower.py names it)."""
    return json_parser().parse(text)

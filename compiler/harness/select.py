"""``-k EXPR``: pytest-like selection over case names, suite names and tags.

Grammar: ``expr := or; or := and ('or' and)*; and := not ('and' not)*; not := 'not' not | '(' or ')' | WORD``.
A WORD matches when it is a case-insensitive substring of the case name, the suite name or a tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..errors import SelectionError

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")

Matcher = Callable[[Iterable[str]], bool]


def _tokens(expr: str) -> list[str]:
    pos, out = 0, []
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            break
        out.append(m.group(1))
        pos = m.end()
        if not expr[pos:].strip():
            break
    return out


def compile_expression(expr: str) -> Matcher:
    """Compile ``expr``; the returned matcher takes the strings a case is known by."""
    tokens = _tokens(expr)
    if not tokens:
        return lambda _names: True
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise SelectionError(f"-k {expr!r}: unexpected end of expression")
        pos += 1
        return tokens[pos - 1]

    def binary(word: str, operand: Callable[[], Matcher], both: Callable[[bool, bool], bool]) -> Matcher:
        """``operand (word operand)*``, left-associative."""
        left = operand()
        while peek() == word:
            take()
            right = operand()
            left = (lambda a, b: lambda n: both(a(n), b(n)))(left, right)
        return left

    def parse_or() -> Matcher:
        return binary("or", parse_and, lambda a, b: a or b)

    def parse_and() -> Matcher:
        return binary("and", parse_not, lambda a, b: a and b)

    def parse_not() -> Matcher:
        tok = take()
        if tok == "not":
            inner = parse_not()
            return lambda n: not inner(n)
        if tok == "(":
            inner = parse_or()
            if take() != ")":
                raise SelectionError(f"-k {expr!r}: missing ')'")
            return inner
        if tok in (")", "and", "or"):
            raise SelectionError(f"-k {expr!r}: unexpected {tok!r}")
        word = tok.lower()
        return lambda names: any(word in name.lower() for name in names)

    matcher = parse_or()
    if pos != len(tokens):
        raise SelectionError(f"-k {expr!r}: unexpected {tokens[pos]!r}")
    return lambda names: matcher(list(names))

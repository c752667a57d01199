"""The Lark parser factory: strict RFC 8259 JSON with positions (grammar in ``grammar/iam.lark``).

One LALR parser, built once per process (a module-level cache, like python-hcl2's factory). Only this
module and :mod:`iam2rego.lower` import lark; everything downstream sees :mod:`iam2rego.ir`.
"""

from __future__ import annotations

import functools
from importlib import resources

from lark import Lark, Token, Tree

GRAMMAR_FILE = "iam.lark"


@functools.cache
def json_parser() -> Lark:
    """The shared LALR parser (``lexer="basic"``: JSON needs no contextual lexing).

    Positions come from the tokens (the grammar keeps brackets and scalars as tokens), so the
    slower ``propagate_positions`` pass is not needed."""
    grammar = resources.files("iam2rego.grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False)


def parse_json(text: str) -> Tree | Token:
    """Parse ``text`` into a Lark tree; raises lark's ``UnexpectedInput`` (lower.py names it)."""
    return json_parser().parse(text)

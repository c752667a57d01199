"""What the embedded engine (regopy / rego-cpp 1.5.2) refuses before it runs, besides
:mod:`iam2rego.faithful`: numbers it would read as other numbers, and wildcard patterns its
backtracking ``regex.match`` would take exponential time on (issue 25 items 5 and 6).

Measured (``regex.match`` on regopy 1.5.2, text ``a`` × n then ``c``): ``^(a[\\s\\S]*){k}b$`` takes
0.002 s for k = 4, n = 40; 0.48 s for k = 6; 2 s for k = 8; past 20 s for k = 11; k = 3 takes 2 s for
n = 1,000 and k = 4 takes 5 s for n = 300. OPA (RE2) and the Wasm runtime are linear. A star that ends
the pattern or comes before ``:`` costs nothing (the rest matches at once, or only where a ``:`` is),
so only the other stars count: a pattern with more than :data:`MAX_INNER_STARS` of them is refused.

Numbers: regopy reads integers modulo 2**64 (18446744073709551617 as 1, 2**63 as -2**63), prints
1e-07 as "0" and 123456789.5 unlike OPA. Only integers of magnitude up to 2**53 (also written as
``1.0``) read the same on every engine; any other number in the input or data is refused.
"""

from __future__ import annotations

import re
from typing import Any

MAX_INNER_STARS = 2
MAX_EXACT_INTEGER = 2**53

# A run of text that can be one pattern: input and data strings hold patterns inside JSON policy
# documents, so a quote, bracket, brace, comma or white space ends one.
_PIECE_END = re.compile(r'["\[\]{},\s]')
# The codegen's and the library's regex spelling of IAM `*` (codegen/patterns.ANY_RUN, "[^:]*").
_REGEX_STAR = re.compile(r"\[\\s\\S\]\*|\[\^:\]\*")
_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')


def inner_stars(pattern: str) -> int:
    """IAM ``*`` wildcards of ``pattern`` that neither end it nor stand before ``:``."""
    n = 0
    for i, ch in enumerate(pattern):
        if ch == "*" and i + 1 < len(pattern) and pattern[i + 1] != ":":
            n += 1
    return n


def _regex_inner_stars(literal: str) -> int:
    """The same count for a regex literal of a module: its ``[\\s\\S]*``/``[^:]*`` stand for ``*``
    (an end anchor ``$`` ends the pattern)."""
    marked = _REGEX_STAR.sub("\0", literal).replace("*", "").replace("$", "")  # other `*`: not IAM's
    return inner_stars(marked.replace("\0", "*"))


def _walk(value: Any) -> Any:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                yield k
                stack.append(x)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        else:
            yield v


def _number_problem(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, float) and not v.is_integer():
        return True
    return abs(v) > MAX_EXACT_INTEGER


def _shown(s: str) -> str:
    return repr(s if len(s) <= 60 else s[:57] + "...")


def refusal(modules: dict[str, str], inputs: list[Any], data: Any = None) -> str | None:
    """Why regopy would answer wrongly or not in time (one sentence), or None."""
    for where, value in (("input", inputs), ("data", data)):
        for v in _walk(value):
            if _number_problem(v):
                return (
                    f"the {where} number {v!r} is not an integer of magnitude up to 2**53: regopy 1.5.2 reads "
                    "such numbers differently from OPA (18446744073709551617 as 1, 1e-07 as 0)"
                )
            if isinstance(v, str) and "*" in v:
                for piece in _PIECE_END.split(v):
                    if inner_stars(piece) > MAX_INNER_STARS:
                        return _star_refusal(where, piece)
    for path, text in sorted(modules.items()):
        if "*" not in text:
            continue
        for m in _LITERAL.finditer(text):
            if _regex_inner_stars(m.group(0)[1:-1]) > MAX_INNER_STARS or (
                inner_stars(m.group(0)[1:-1]) > MAX_INNER_STARS and "[" not in m.group(0)
            ):
                return _star_refusal(f"module {path}", m.group(0)[1:-1])
    return None


def _star_refusal(where: str, pattern: str) -> str:
    return (
        f"the {where} pattern {_shown(pattern)} has more than {MAX_INNER_STARS} inner `*` wildcards: regopy "
        "1.5.2 matches them by backtracking, in time exponential in their number"
    )

"""IAM wildcard patterns -> anchored RE2 regexes or runtime tokens (SEMANTICS §4.4, §4.5).

IAM has two wildcards, ``*`` (any run, including empty) and ``?`` (one character); everything else
is literal, including OPA glob syntax (``[ ] { } **``) and regex syntax. Resource ``*`` follows the
segment rule: a ``*`` that ends an ARN segment (last character, or followed by ``:``) may cross
``:``; an inner ``*`` stays inside its segment. ``naive`` glob mode lets every ``*`` cross ``:``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..errors import MalformedVariable
from ..globs import ANY_TOKEN, Glob, star_token
from .quote import regex_char
from .writer import Json

SEGMENT, NAIVE = "segment", "naive"
# IAM `*` and `?` match any character, newlines included. RE2's `.` does not match "\n" and the
# embedded engine has no `(?s)` flag, so the class of every character is spelled out.
ANY_RUN, ANY_CHAR = r"[\s\S]*", r"[\s\S]"


@dataclass(frozen=True, slots=True)
class Char:
    """One pattern character. ``escaped``: it came from ``${*}``/``${?}``/``${$}``, so never a wildcard."""

    ch: str
    escaped: bool = False

    @property
    def wildcard(self) -> bool:
        return not self.escaped and self.ch in "*?"


@dataclass(frozen=True, slots=True)
class Var:
    key: str  # lower-case context key
    default: str | None


Piece = Char | Var

_ESCAPES = {"*": "*", "?": "?", "$": "$"}


# The same variable syntax as the runtime matcher (rego/iam2rego/match): a key without spaces, commas,
# quotes, braces or "$", optionally followed by exactly ", '<default>'".
_VAR_BODY = re.compile(r"([^\s,'{}$]+)(?:, '([^']*)')?")


def parse_pattern(text: str, variables: bool) -> list[Piece]:
    """Split a Resource pattern into characters and ``${...}`` variables (only when ``variables``).

    Raises :class:`MalformedVariable` for ``${`` without a closing brace or with an invalid body.
    """
    pieces: list[Piece] = []
    i = 0
    while i < len(text):
        if not (variables and text.startswith("${", i)):
            pieces.append(Char(text[i]))
            i += 1
            continue
        end = text.find("}", i + 2)
        if end < 0:
            raise MalformedVariable(text)
        pieces.append(_variable(text[i + 2 : end], text))
        i = end + 1
    return pieces


def _variable(body: str, text: str) -> Piece:
    if body in _ESCAPES:
        return Char(_ESCAPES[body], escaped=True)
    m = _VAR_BODY.fullmatch(body)
    if m is None:
        raise MalformedVariable(text)
    return Var(m.group(1).lower(), m.group(2))


def has_wildcard(pieces: list[Piece]) -> bool:
    return any(isinstance(p, Char) and p.wildcard for p in pieces)


def has_variable(pieces: list[Piece]) -> bool:
    return any(isinstance(p, Var) for p in pieces)


def literal_text(pieces: list[Piece]) -> str:
    """The text of a pattern without wildcards or variables."""
    return "".join(p.ch for p in pieces if isinstance(p, Char))


def _star_crosses(pieces: list[Piece], i: int, glob_mode: str) -> bool:
    if glob_mode == NAIVE or i == len(pieces) - 1:
        return True
    nxt = pieces[i + 1]
    return isinstance(nxt, Char) and nxt.ch == ":"


def resource_regex(pieces: list[Piece], glob_mode: str, *, var_as_any: bool = False) -> str:
    """Anchored, case-sensitive RE2 for a Resource pattern without variables (``var_as_any``: a
    variable matches any run, so the regex matches a superset of what the pattern can match)."""
    out = ["^"]
    for i, p in enumerate(pieces):
        if isinstance(p, Var) and var_as_any:
            out.append(ANY_RUN)
            continue
        assert isinstance(p, Char), "patterns with variables compile to tokens"
        if p.wildcard and p.ch == "*":
            out.append(ANY_RUN if _star_crosses(pieces, i, glob_mode) else "[^:]*")
        elif p.wildcard:
            out.append(ANY_CHAR)
        else:
            out.append(regex_char(p.ch))
    out.append("$")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class ResourceProbe:
    """What a Resource pattern can match, for a fast pre-filter (the access matrix)."""

    regex: str  # anchored RE2, segment rule; a variable matches any run (a superset)
    prefix: str  # the literal text before the first wildcard or variable
    has_variable: bool
    glob: Glob  # what ``regex`` matches, without backtracking: use this one in Python


def resource_probe(text: str, variables: bool) -> ResourceProbe | None:
    """The :class:`ResourceProbe` of a Resource pattern; None when a variable is malformed (the
    pattern matches nothing, §4.5, as the runtime matcher decides)."""
    try:
        pieces = parse_pattern(text, variables)
    except MalformedVariable:
        return None
    prefix = ""
    for p in pieces:
        if isinstance(p, Var) or p.wildcard:
            break
        prefix += p.ch
    return ResourceProbe(
        resource_regex(pieces, SEGMENT, var_as_any=True),
        prefix,
        has_variable(pieces),
        resource_glob(pieces, SEGMENT, var_as_any=True),
    )


_regex_char = functools.lru_cache(maxsize=None)(regex_char)


def plain_resource_regex(text: str, glob_mode: str) -> str:
    """``resource_regex(parse_pattern(text, False), glob_mode)`` without building the pieces (the
    common case: a pattern without ``${``, where every character is itself)."""
    out = ["^"]
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == "*":
            crosses = glob_mode == NAIVE or i == last or text[i + 1] == ":"
            out.append(ANY_RUN if crosses else "[^:]*")
        elif ch == "?":
            out.append(ANY_CHAR)
        else:
            out.append(_regex_char(ch))
    out.append("$")
    return "".join(out)


def resource_tokens(pieces: list[Piece], glob_mode: str) -> list[dict[str, Json]]:
    """Token list for ``match.resource_tokens_match`` (ARCHITECTURE §3); literal runs are merged."""
    tokens: list[dict[str, Json]] = []
    for i, p in enumerate(pieces):
        if isinstance(p, Var):
            tokens.append({"t": "var", "k": p.key, "d": p.default})
        elif p.wildcard and p.ch == "*":
            tokens.append({"t": "star", "cross": _star_crosses(pieces, i, glob_mode)})
        elif p.wildcard:
            tokens.append({"t": "any"})
        elif tokens and tokens[-1]["t"] == "lit":
            tokens[-1] = {"t": "lit", "v": str(tokens[-1]["v"]) + p.ch}
        else:
            tokens.append({"t": "lit", "v": p.ch})
    return tokens


def action_is_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def action_regex(pattern: str) -> str | None:
    """Anchored RE2 for an Action pattern, matched against the lower-cased request action.

    Both sides are lower-cased (the embedded engine has no ``(?i)``); the service prefix is literal
    and only the name is globbed (§4.4). ``None``: the pattern has no ``service:`` prefix and so
    matches no action (as the runtime matcher decides).
    """
    prefix, _, name = pattern.lower().partition(":")
    if not prefix or ":" not in pattern:
        return None
    head = "".join(regex_char(c) for c in prefix)
    body = "".join(ANY_RUN if c == "*" else ANY_CHAR if c == "?" else regex_char(c) for c in name)
    return "^" + head + ":" + body + "$"


# --------------------------------------------------------------------------- linear-time matching (globs.py)


def resource_glob(pieces: list[Piece], glob_mode: str, *, var_as_any: bool = False) -> Glob:
    """The :class:`Glob` of a Resource pattern: what :func:`resource_regex` matches, in linear time."""
    tokens: list[str | tuple[str]] = []
    for i, p in enumerate(pieces):
        if isinstance(p, Var):
            assert var_as_any, "patterns with variables compile to tokens"
            tokens.append(star_token(True))
        elif p.wildcard and p.ch == "*":
            tokens.append(star_token(_star_crosses(pieces, i, glob_mode)))
        elif p.wildcard:
            tokens.append(ANY_TOKEN)
        else:
            tokens.append(p.ch)
    return Glob(tokens)


def action_glob(pattern: str) -> Glob | None:
    """What :func:`action_regex` matches (against the lower-cased action), in linear time; ``None``
    when the pattern has no ``service:`` prefix (it matches no action)."""
    prefix, _, name = pattern.lower().partition(":")
    if not prefix or ":" not in pattern:
        return None
    name_tokens = [star_token(True) if c == "*" else ANY_TOKEN if c == "?" else c for c in name]
    return Glob([*prefix, ":", *name_tokens])  # the service prefix is literal (§4.4)

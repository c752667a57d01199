"""Lark parse tree -> JSON IR (``ir.J*``); syntax errors are named by :mod:`iam2rego.syntax_errors`.

Every node gets a :class:`~iam2rego.diagnostics.Span` (1-based line/column, 0-based code-point
offsets, end exclusive). String escapes are decoded exactly as RFC 8259 §7 says; invalid escapes and
lone surrogates are reported at their own column.

LIMITS (checked before parsing, so hostile input ends in one clear diagnostic, never a
RecursionError, MemoryError or a long hang):

=================  ==========  ==========================================================
limit              default     why
=================  ==========  ==========================================================
max input size     1 MiB       AWS caps policies at 6,144-20,480 chars (SEMANTICS §4.2
                   (1,048,576  V-SIZE); 1 MiB leaves room for pretty-printed documents and
                   chars)      is configurable (``Limits.max_chars``). Code ``V-LIMIT``.
max nesting depth  64          an IAM document nests at most 6 levels (policy, Statement
                               array, statement, Condition, operator, value array).
                               Code ``V-LIMIT``.
max statements     2,000       checked by validate/top.py: AWS quotas allow at most ~445
                               (20,480 chars / 46-char minimal statement). Code ``V-LIMIT``.
=================  ==========  ==========================================================

Only this module and :mod:`iam2rego.parse` import lark.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import LexerThread

from .diagnostics import Diagnostic, Severity, Span
from .ir import JArray, JBool, JMember, JNull, JNumber, JObject, JString, JValue
from .parse import build_parser
from .syntax_errors import CODE_JSON, classify_syntax_error, error_offset, line_col
from .syntax_errors import diag as _diag
from .syntax_errors import point as _point

_T = TypeVar("_T")

CODE_LIMIT = "V-LIMIT"
CODE_TRAILING = "W-TRAILING-DATA"


@dataclass(frozen=True, slots=True)
class Limits:
    max_chars: int = 1_048_576
    max_depth: int = 64
    max_statements: int = 2_000  # checked in validate/top.py (V-LIMIT)


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- entry point


def lower_text(
    text: str, path: str, *, lenient: bool = False, limits: Limits = DEFAULT_LIMITS
) -> tuple[JValue | None, list[Diagnostic]]:
    """Parse and lower one JSON document. Returns ``(None, diagnostics)`` on any error."""
    problem = _check_limits(text, path, limits)
    if problem is not None:
        return None, [problem]
    value = fast_parse(text)
    if value is None:  # not a plain JSON document: Lark decides, and names any syntax error
        try:
            value = cast(JValue, _ir_parser().parse(text))
        except UnexpectedInput as exc:
            return _recover_or_fail(text, path, exc, lenient)
    return _checked(value, text, path)


def _checked(value: JValue, text: str, path: str) -> tuple[JValue | None, list[Diagnostic]]:
    """``value`` parsed from ``text``, unless a string in it has an invalid escape."""
    diags = _escape_diagnostics(text, path) if "\\" in text else []
    return (None if diags else value), diags


def _recover_or_fail(
    text: str, path: str, exc: UnexpectedInput, lenient: bool
) -> tuple[JValue | None, list[Diagnostic]]:
    """An error right after a complete value is trailing data: fatal, or a warning in lenient mode."""
    diag = classify_syntax_error(text, path, exc)
    pos = error_offset(text, exc)
    kind = dict(diag.data).get("kind")
    prefix: JValue | None = None
    at_token = isinstance(exc, UnexpectedToken) and exc.token.type != "$END"
    if (
        kind == "extra-data"
        or at_token
        or (isinstance(exc, UnexpectedCharacters) and (lenient or kind != "comment"))
    ):
        try:  # LALR's expected-token sets are approximate: a parsable prefix is the reliable test
            prefix = cast(JValue, _ir_parser().parse(text[:pos])) if text[:pos].strip() else None
        except UnexpectedInput:
            prefix = None
    if prefix is None:
        return None, [diag]
    if kind != "extra-data":
        extra = text[pos]
        hint = (
            "remove the extra closing brace"
            if extra == "}"
            else "a policy file holds exactly one JSON object"
        )
        diag = _diag(path, _point(text, pos), "extra data after the policy document", hint, "extra-data")
    if not lenient:
        return None, [diag]
    value, diags = _checked(prefix, text[:pos], path)
    warn = Diagnostic(
        CODE_TRAILING,
        Severity.WARNING,
        "ignored data after the policy document (--lenient-json)",
        path,
        diag.span,
        "remove everything after the document's closing brace",
        (("kind", "extra-data"),),
    )
    return value, [*diags, warn]


# --------------------------------------------------------------------------- limits


_BRACKETS_AND_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def _check_limits(text: str, path: str, limits: Limits) -> Diagnostic | None:
    if len(text) > limits.max_chars:
        return Diagnostic(
            CODE_LIMIT,
            Severity.ERROR,
            f"input is {len(text):,} characters; the limit is {limits.max_chars:,}",
            path,
            Span(1, 1, 1, 2, 0, 1),
            "IAM policies are at most 20,480 characters; is this the right file?",
            (("limit", "max_chars"),),
        )
    if text.count("[") + text.count("{") <= limits.max_depth:
        return None  # cannot nest deeper than the number of openers
    depth = 0
    for m in _BRACKETS_AND_STRINGS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > limits.max_depth:
                line, col = line_col(text, m.start())
                return Diagnostic(
                    CODE_LIMIT,
                    Severity.ERROR,
                    f"nesting deeper than {limits.max_depth} levels",
                    path,
                    Span(line, col, line, col + 1, m.start(), m.start() + 1),
                    "an IAM policy nests at most 6 levels deep",
                    (("limit", "max_depth"),),
                )
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


# --------------------------------------------------------------------------- lowering


def _fast_ctor(cls: type[_T]) -> Callable[..., _T]:
    """A positional constructor for a frozen ``slots`` dataclass that fills the slots directly.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (a name lookup
    per field); a parse builds ~70 spans and nodes per small policy, so this matters. The result is
    an ordinary instance, equal to ``cls(*args)``. Falls back to ``cls`` itself when the class is
    not a plain frozen slots dataclass (a ``__post_init__``, a non-init field, no slot descriptors).
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in fields]
    plain = (
        all(f.init for f in fields)
        and not hasattr(cls, "__post_init__")
        and all(isinstance(cls.__dict__.get(n), types.MemberDescriptorType) for n in names)
    )
    if not plain:
        return cls
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    env.update({f"_set_{n}": cls.__dict__[n].__set__ for n in names})
    sets = "".join(f"    _set_{n}(o, {n})\n" for n in names)
    exec(f"def make({', '.join(names)}):\n    o = _new(_cls)\n{sets}    return o\n", env)
    return env["make"]


_span = _fast_ctor(Span)
_jstring = _fast_ctor(JString)
_jnumber = _fast_ctor(JNumber)
_jbool = _fast_ctor(JBool)
_jnull = _fast_ctor(JNull)
_jmember = _fast_ctor(JMember)
_jobject = _fast_ctor(JObject)
_jarray = _fast_ctor(JArray)


def _tok_span(tok: Token) -> Span:
    return _span(tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)


class _ToIR:
    """Lark's inline LALR transformer: ``ir.J*`` nodes straight from the tokens, no parse tree.

    Terminal methods run when the parser shifts a token, rule methods when it reduces; the parser
    keeps all tokens (see the grammar), so rule children are positional, separators included.
    Escapes are decoded here without reporting; :func:`_escape_diagnostics` names bad ones.
    """

    start = value = operator.itemgetter(0)  # start: value / value: object | array | STRING | ...

    def STRING(self, tok: Token) -> JString:  # Lark calls terminal callbacks by name
        body = tok.value[1:-1]
        if "\\" in body:
            body = _decode(body, None)
        return _jstring(
            body, _span(tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)
        )

    def NUMBER(self, tok: Token) -> JNumber:
        return _jnumber(tok.value, _tok_span(tok))

    def TRUE(self, tok: Token) -> JBool:
        return _jbool(True, _tok_span(tok))

    def FALSE(self, tok: Token) -> JBool:
        return _jbool(False, _tok_span(tok))

    def NULL(self, tok: Token) -> JNull:
        return _jnull(_tok_span(tok))

    def object(self, c: list) -> JObject:  # LBRACE [members] RBRACE
        first = c[0]
        last = c[-1]
        span = _span(first.line, first.column, last.end_line, last.end_column, first.start_pos, last.end_pos)
        return _jobject(tuple(c[1]) if len(c) == 3 else (), span)

    def array(self, c: list) -> JArray:  # LSQB [elements] RSQB
        first = c[0]
        last = c[-1]
        span = _span(first.line, first.column, last.end_line, last.end_column, first.start_pos, last.end_pos)
        return _jarray(tuple(c[1]) if len(c) == 3 else (), span)

    def members(self, c: list) -> list:  # member | members _COMMA member
        if len(c) == 1:
            return c
        items = c[0]
        items.append(c[2])
        return items

    elements = members  # value | elements _COMMA value

    def member(self, c: list) -> JMember:  # STRING _COLON value
        key = c[0]
        value = c[2]
        s = key.span
        e = value.span
        return _jmember(key, value, _span(s.line, s.column, e.end_line, e.end_column, s.offset, e.end_offset))


# --------------------------------------------------------------------------- the fast path

# The grammar's terminals (grammar/iam.lark: STRING, NUMBER, the literals, punctuation), each token
# preceded by the ignored whitespace; group 1 is the token.
_FAST_TOKEN = re.compile(
    r"[ \t\n\r]*+(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
    r'|"[^"\\\x00-\x1f]*(?:\\[^\x00-\x1f][^"\\\x00-\x1f]*)*"'
    r"|true|false|null|[{}\[\],:])"
)
_FAST_TRAILING = re.compile(r"[ \t\n\r]*+")
_LITERALS = {"true": True, "false": False}


class _NotPlain(Exception):
    """The text is not one plain JSON document: the Lark path takes over."""


def fast_parse(text: str) -> JValue | None:
    """The ``ir.J*`` value of ``text`` when it is exactly one JSON document (RFC 8259, the grammar
    of ``grammar/iam.lark``), else None. The same nodes and spans as the Lark parser with
    :class:`_ToIR` (``tests/unit/test_parse.py`` compares them), several times faster: a recursive
    descent over one regex scan, with none of LALR's per-token dispatch. Anything unusual (a
    syntax error, trailing data, a comment) returns None and the Lark parser, which names syntax
    errors, decides."""
    kinds: list[str] = []  # first character of each token
    toks: list[tuple[str, int, int, int, int]] = []  # (text, line, column, start, stop)
    line, line_start, pos = 1, 0, 0
    count = text.count
    for m in iter(_FAST_TOKEN.scanner(text).match, None):  # type: ignore[attr-defined]
        start, stop = m.span(1)
        if start != pos:
            newlines = count("\n", pos, start)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", pos, start) + 1
        tok = m.group(1)
        kinds.append(tok[0])
        toks.append((tok, line, start - line_start + 1, start, stop))
        pos = stop
    trailing = _FAST_TRAILING.match(text, pos)
    if not toks or trailing is None or trailing.end() != len(text):
        return None
    kinds.append("")  # end marker
    try:
        value, end = _fast_value(kinds, toks, 0)
    except _NotPlain:
        return None
    return value if end == len(toks) else None


def _fast_span(tok: tuple[str, int, int, int, int]) -> Span:
    _, line, column, start, stop = tok
    return _span(line, column, line, column + stop - start, start, stop)


def _fast_value(kinds: list[str], toks: list[tuple[str, int, int, int, int]], i: int) -> tuple[JValue, int]:
    kind = kinds[i]
    if kind == "{":
        return _fast_object(kinds, toks, i)
    if kind == "[":
        return _fast_array(kinds, toks, i)
    if kind == '"':
        return _fast_string(toks[i]), i + 1
    if kind == "-" or "0" <= kind <= "9":
        return _jnumber(toks[i][0], _fast_span(toks[i])), i + 1
    if kind in ("t", "f"):
        return _jbool(_LITERALS[toks[i][0]], _fast_span(toks[i])), i + 1
    if kind == "n":
        return _jnull(_fast_span(toks[i])), i + 1
    raise _NotPlain


def _fast_string(tok: tuple[str, int, int, int, int]) -> JString:
    body = tok[0][1:-1]
    if "\\" in body:
        body = _decode(body, None)
    return _jstring(body, _fast_span(tok))


def _closed(open_: tuple[str, int, int, int, int], close: tuple[str, int, int, int, int]) -> Span:
    return _span(open_[1], open_[2], close[1], close[2] + 1, open_[3], close[4])


def _fast_object(kinds: list[str], toks: list[tuple[str, int, int, int, int]], i: int) -> tuple[JObject, int]:
    first = i
    i += 1
    members: list[JMember] = []
    if kinds[i] == "}":
        return _jobject((), _closed(toks[first], toks[i])), i + 1
    while True:
        if kinds[i] != '"' or kinds[i + 1] != ":":
            raise _NotPlain
        key = _fast_string(toks[i])
        value, i = _fast_value(kinds, toks, i + 2)
        s, e = key.span, value.span
        members.append(
            _jmember(key, value, _span(s.line, s.column, e.end_line, e.end_column, s.offset, e.end_offset))
        )
        if kinds[i] == "}":
            return _jobject(tuple(members), _closed(toks[first], toks[i])), i + 1
        if kinds[i] != ",":
            raise _NotPlain
        i += 1


def _fast_array(kinds: list[str], toks: list[tuple[str, int, int, int, int]], i: int) -> tuple[JArray, int]:
    first = i
    i += 1
    items: list[JValue] = []
    if kinds[i] == "]":
        return _jarray((), _closed(toks[first], toks[i])), i + 1
    while True:
        value, i = _fast_value(kinds, toks, i)
        items.append(value)
        if kinds[i] == "]":
            return _jarray(tuple(items), _closed(toks[first], toks[i])), i + 1
        if kinds[i] != ",":
            raise _NotPlain
        i += 1


@functools.cache
def _ir_parser() -> Lark:
    return build_parser(_ToIR())


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)

# report(kind, index in the string body) for "invalid-escape" (2 chars) and "lone-surrogate" (6)
_Report = Callable[[str, int], None]


def _ignore(kind: str, index: int) -> None:
    return None


def _decode(body: str, report: _Report | None) -> str:
    """RFC 8259 §7 unescaping of a string body (between the quotes); problems go to ``report``."""
    bad = report or _ignore
    out: list[str] = []
    pos = 0
    pending_high: tuple[int, int] | None = None  # (code unit, index in body) of an unpaired high surrogate
    for m in _ESCAPE_RE.finditer(body):
        if m.start() != pos and pending_high is not None:
            bad("lone-surrogate", pending_high[1])
            pending_high = None
        out.append(body[pos : m.start()])
        pos = m.end()
        hexdigits, simple = m.group(1), m.group(2)
        if simple is not None:
            if pending_high is not None:
                bad("lone-surrogate", pending_high[1])
                pending_high = None
            if simple in _ESCAPES:
                out.append(_ESCAPES[simple])
            else:
                bad("invalid-escape", m.start())
            continue
        unit = int(hexdigits, 16)
        if 0xD800 <= unit <= 0xDBFF:
            if pending_high is not None:
                bad("lone-surrogate", pending_high[1])
            pending_high = (unit, m.start())
        elif 0xDC00 <= unit <= 0xDFFF:
            if pending_high is None:
                bad("lone-surrogate", m.start())
            else:
                out.append(chr(0x10000 + ((pending_high[0] - 0xD800) << 10) + (unit - 0xDC00)))
                pending_high = None
        else:
            if pending_high is not None:
                bad("lone-surrogate", pending_high[1])
                pending_high = None
            out.append(chr(unit))
    if pending_high is not None:
        bad("lone-surrogate", pending_high[1])
    out.append(body[pos:])
    return "".join(out)


def _escape_diagnostics(text: str, path: str) -> list[Diagnostic]:
    """Invalid escapes and lone surrogates of every string in ``text`` (which parsed), in source order.

    Only documents containing a backslash get here; they are lexed a second time with the
    parser's own lexer, so the tokens are the ones the parse saw."""
    diags: list[Diagnostic] = []
    for tok in LexerThread.from_text(_ir_parser().parser.lexer, text).lex(None):
        if tok.type == "STRING" and "\\" in tok.value:
            _decode(tok.value[1:-1], functools.partial(_report_escape, diags, path, tok))
    return diags


def _at(tok: Token, index_in_body: int, width: int) -> Span:
    # Strings never span lines (raw control characters are rejected by the lexer).
    col = tok.column + 1 + index_in_body  # type: ignore[operator]
    off = tok.start_pos + 1 + index_in_body  # type: ignore[operator]
    return Span(tok.line, col, tok.line, col + width, off, off + width)  # type: ignore[arg-type]


def _report_escape(diags: list[Diagnostic], path: str, tok: Token, kind: str, index: int) -> None:
    if kind == "invalid-escape":
        shown = tok.value[1 + index : 3 + index]
        message = f"invalid escape {shown!r} in string"
        hint = 'valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (four hex digits)'
        span = _at(tok, index, 2)
    else:
        message = "lone surrogate escape in string"
        hint = "a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF escape (a UTF-16 pair)"
        span = _at(tok, index, 6)
    diags.append(Diagnostic(CODE_JSON, Severity.ERROR, message, path, span, hint, (("kind", kind),)))

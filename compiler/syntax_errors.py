"""Naming JSON syntax errors: a Lark ``UnexpectedInput`` -> one ``V-JSON`` diagnostic with a kind.

Kinds ("trailing-comma", "extra-data", "comment", "single-quote", "unterminated-string", ...) are in
each diagnostic's ``data``; the caret points at the offending character. The lowering
(:mod:`iam2rego.lower`) calls :func:`classify_syntax_error`; only this module, ``lower`` and
``parse`` import lark.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic, Severity, Span

CODE_JSON = "V-JSON"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def point(text: str, offset: int) -> Span:
    line, col = line_col(text, offset)
    return Span(line, col, line, col + 1, offset, offset + 1)


_TOKEN_WORDS = {
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "_COMMA": "','",
    "_COLON": "':'",
    "STRING": "a string",
    "NUMBER": "a number",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "$END": "end of input",
}
_VALUE_TOKENS = {"LBRACE", "LSQB", "STRING", "NUMBER", "TRUE", "FALSE", "NULL"}
_BAD_LITERALS = {"True", "False", "None", "TRUE", "FALSE", "NULL", "Null", "NaN", "Infinity", "undefined"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def error_offset(text: str, exc: UnexpectedInput) -> int:
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return int(exc.token.start_pos or 0)
    if isinstance(exc, UnexpectedCharacters):
        return int(exc.pos_in_stream or 0)
    return len(text)


def _describe(expected: set[str] | frozenset[str]) -> str:
    words = sorted({_TOKEN_WORDS.get(e, e) for e in expected if e in _TOKEN_WORDS})
    if set(expected) >= _VALUE_TOKENS:
        words = sorted(
            {w for w in words if w not in {"a string", "a number", "true", "false", "null", "'{'", "'['"}}
        )
        words.insert(0, "a value")
    return ", ".join(words) if words else "something else"


def diag(path: str, span: Span, message: str, hint: str | None, kind: str) -> Diagnostic:
    return Diagnostic(CODE_JSON, Severity.ERROR, message, path, span, hint, (("kind", kind),))


def classify_syntax_error(text: str, path: str, exc: UnexpectedInput) -> Diagnostic:
    """Name a Lark error: trailing comma, extra data, unterminated string, comment, end of input, ..."""
    if isinstance(exc, UnexpectedCharacters):
        return _classify_char(text, path, exc.pos_in_stream or 0)
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return _classify_token(text, path, exc)
    assert isinstance(exc, (UnexpectedToken, UnexpectedEOF))
    return _end_of_input(text, path)


def _end_of_input(text: str, path: str) -> Diagnostic:
    stripped = text.rstrip(" \t\r\n")
    if not stripped:
        return diag(path, point(text, 0), "empty document", "a policy is a JSON object: {...}", "empty")
    span = point(text, len(stripped))
    return diag(
        path,
        span,
        "unexpected end of input",
        "the document ends before every '{' and '[' is closed",
        "end-of-input",
    )


def _prev_nonspace(text: str, offset: int) -> int:
    i = offset - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    return i


def _classify_token(text: str, path: str, exc: UnexpectedToken) -> Diagnostic:
    tok = exc.token
    span = Span(tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)
    expected = set(exc.expected)
    shown = str(tok)[:40]
    if expected == {"$END"}:
        hint = (
            "remove the extra closing brace"
            if shown == "}"
            else "a policy file holds exactly one JSON object"
        )
        return diag(path, span, "extra data after the policy document", hint, "extra-data")
    if tok.type in ("RBRACE", "RSQB"):
        comma = _prev_nonspace(text, int(tok.start_pos or 0))
        if comma >= 0 and text[comma] == ",":
            return diag(
                path,
                point(text, comma),
                "trailing comma",
                f"remove the ',' before {shown!r}",
                "trailing-comma",
            )
    start = int(tok.start_pos or 0)
    if tok.type == "NUMBER" and start > 0 and text[start - 1].isdigit():
        return diag(
            path, point(text, start - 1), "invalid number: leading zero", "write 1, not 01", "bad-number"
        )
    if tok.type == "_COMMA" and comma_follows_comma(text, start):
        return diag(path, span, "unexpected ','", "remove the extra ','", "unexpected-token")
    if "_COMMA" in expected and tok.type in _VALUE_TOKENS:
        return diag(
            path,
            span,
            f"missing ',' before {shown!r}",
            "separate members and elements with ','",
            "missing-comma",
        )
    if (
        "STRING" in expected
        and "_COLON" not in expected
        and tok.type != "STRING"
        and "LBRACE" not in expected
    ):
        return diag(
            path,
            span,
            f"object member names must be strings, found {shown!r}",
            'write "Name": value',
            "bad-key",
        )
    return diag(path, span, f"unexpected {shown!r}; expected {_describe(expected)}", None, "unexpected-token")


def comma_follows_comma(text: str, offset: int) -> bool:
    prev = _prev_nonspace(text, offset)
    return prev >= 0 and text[prev] in ",[{:"


def _classify_char(text: str, path: str, pos: int) -> Diagnostic:
    ch = text[pos]
    span = point(text, pos)
    nxt = text[pos + 1 : pos + 2]
    if ch == "/" and nxt in ("/", "*"):
        return diag(path, span, "comments are not allowed in JSON", "delete the comment", "comment")
    if ch == "#":
        return diag(path, span, "comments are not allowed in JSON", "delete the comment", "comment")
    if ch == '"':
        return _classify_string(text, path, pos)
    if ch == "'":
        return diag(path, span, "strings must use double quotes", "replace ' with \"", "single-quote")
    if ch == "\ufeff":
        return diag(
            path, span, "byte order mark (U+FEFF) is not allowed", "save the file as UTF-8 without BOM", "bom"
        )
    if ch in "+.-0123456789":
        return diag(
            path,
            span,
            "invalid number",
            "JSON numbers look like -12, 0.5 or 1e3 (no '+', no leading '.')",
            "bad-number",
        )
    word = _WORD.match(text, pos)
    if word is not None:
        w = word.group()
        at = Span(span.line, span.column, span.line, span.column + len(w), pos, pos + len(w))
        if w in _BAD_LITERALS:
            return diag(
                path,
                at,
                f"invalid literal {w!r}",
                "JSON literals are true, false and null (lower case); quote anything else",
                "bad-literal",
            )
        return diag(
            path,
            at,
            f"unquoted text {w[:40]!r}",
            'strings and member names must be in double quotes: "..."',
            "unquoted",
        )
    if ch in " \t\r\n" or ch < " ":
        return diag(
            path, span, f"control character U+{ord(ch):04X} outside a string", "remove it", "control-char"
        )
    return diag(path, span, f"unexpected character {ch!r}", None, "unexpected-char")


def _classify_string(text: str, path: str, start: int) -> Diagnostic:
    """The lexer could not match a string starting at ``start``: find out why."""
    i = start + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            if i + 1 < n and text[i + 1] >= " ":
                i += 2
                continue
            i += 1
            continue
        if ch in "\n\r":
            return diag(
                path,
                point(text, start),
                "unterminated string",
                "close the string with '\"' on the same line (write a newline as \\n)",
                "unterminated-string",
            )
        if ch < " ":
            return diag(
                path,
                point(text, i),
                f"control character U+{ord(ch):04X} in string",
                f"write it as \\u{ord(ch):04x}",
                "control-char",
            )
        i += 1
    return diag(
        path, point(text, start), "unterminated string", "close the string with '\"'", "unterminated-string"
    )

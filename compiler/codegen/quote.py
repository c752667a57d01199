"""All escaping of generated text lives here: Rego strings, METADATA YAML scalars, RE2 regexes.

Nothing else in the code generator may put policy text into Rego. Every function is total: any
Python string (newlines, quotes, ``#``, backticks, control characters, lone surrogates, any Unicode)
comes out as a literal that cannot end early, start a comment, or change the meaning of the module.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any

# RE2 metacharacters outside a character class. Escaping any of these with a backslash is a literal.
_RE2_META = frozenset("\\.+*?()|[]{}^$")

_REGO_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _safe_raw(ch: str) -> bool:
    """A character that may appear as itself inside a quoted literal (printable, not a format char)."""
    if ch.isascii():
        return " " <= ch <= "~"
    if 0xD800 <= ord(ch) <= 0xDFFF:  # lone surrogate from a JSON \ud800 escape: not encodable
        return False
    return ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Co", "Cn", "Zl", "Zp")


def _utf16_escapes(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# Printable ASCII without `"` or `\`: the text of such a string is its own literal (the fast path;
# action names and ARNs are nearly always plain, and a large module quotes ~100,000 of them).
_PLAIN = re.compile(r"[ !#-\[\]-~]*")


@functools.lru_cache(maxsize=65536)
def rego_string(value: str) -> str:
    """A Rego double-quoted string literal denoting exactly ``value``."""
    if _PLAIN.fullmatch(value):
        return '"' + value + '"'
    out = []
    for ch in value:
        if ch in _REGO_SHORT:
            out.append(_REGO_SHORT[ch])
        elif _safe_raw(ch):
            out.append(ch)
        else:
            out.append(_utf16_escapes(ch))
    return '"' + "".join(out) + '"'


_MARKERS = re.compile("todo|fixme", re.IGNORECASE)


def json_text(value: Any) -> str:
    """One-line JSON text of a JSON value (the data document of a compiled module): pure ASCII,
    every non-ASCII character, control character and lone surrogate as a ``\\u`` escape (OPA reads
    a lone surrogate as U+FFFD, as in a Rego literal). Object keys keep their order."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


@functools.lru_cache(maxsize=65536)
def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar, safe inside a ``# METADATA`` comment line.

    The result is pure printable ASCII (no newline can end the comment). Words a linter treats as
    markers in comments (TODO, FIXME) are broken with an escape so a Sid cannot trip them.
    """
    if _PLAIN.fullmatch(value) and not _MARKERS.search(value):  # fast path: the text is its scalar
        return '"' + value + '"'
    out = []
    for ch in value:
        if ch in _YAML_SHORT:
            out.append(_YAML_SHORT[ch])
        elif " " <= ch <= "~":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:  # lone surrogate: YAML cannot hold it; OPA reads U+FFFD too
            out.append("\\ufffd")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    text = "".join(out)
    for marker in ("TODO", "FIXME"):
        text = _break_marker(text, marker)
    return '"' + text + '"'


def _break_marker(text: str, marker: str) -> str:
    # Replace the first letter by its \x escape, case-insensitively (same meaning in YAML).
    lowered, i, out = text.lower(), 0, []
    while True:
        j = lowered.find(marker.lower(), i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        out.append(f"\\x{ord(text[j]):02x}" + text[j + 1 : j + len(marker)])
        i = j + len(marker)


def regex_char(ch: str) -> str:
    """One literal character as RE2 syntax. Metacharacters get a backslash; printable characters
    stay themselves (the embedded engine lacks ``\\x{..}``); backticks and control or format
    characters become ``\\x{..}`` so the pattern fits a raw string on one line."""
    if ch in _RE2_META:
        return "\\" + ch
    if ch != "`" and _safe_raw(ch):
        return ch
    return f"\\x{{{ord(ch):x}}}"


def regex_literal(pattern: str) -> str:
    """A Rego raw string holding an RE2 pattern built from :func:`regex_char` pieces."""
    if "`" in pattern or not ((pattern.isascii() and pattern.isprintable()) or all(map(_safe_raw, pattern))):
        raise ValueError(f"regex pattern must be printable, without backticks: {pattern!r}")
    return "`" + pattern + "`"


def identifier(text: str) -> str:
    """A Rego identifier (snake_case, ASCII) derived from ``text``; never a keyword, never empty."""
    out = []
    for ch in text.lower():
        out.append(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_")
    name = "_".join(part for part in "".join(out).split("_") if part) or "policy"
    if name[0].isdigit():
        name = "p_" + name
    if name in REGO_KEYWORDS:
        name += "_"
    return name


REGO_KEYWORDS = frozenset(
    {"as", "default", "else", "every", "false", "if", "import", "in", "not", "null", "package", "some"}
    | {"true", "with", "contains", "input", "data", "set"}
)

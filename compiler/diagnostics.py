"""Spans, diagnostics and their rendering: the one place that formats errors.

Every phase reports problems as :class:`Diagnostic` values. Rendering follows the house format::

    policies/example8.json:23:1: error[V-JSON]: extra data after the policy document
       23 | }
          | ^
       hint: remove the text after the policy document, or pass --lenient-json

Codes (``V-JSON`` here) are registered with their title and help in :mod:`iam2rego.codes`.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import IamError

__all__ = [
    "UNKNOWN_SPAN",
    "Diagnostic",
    "IamError",
    "Severity",
    "Span",
    "gutter_line",
    "has_errors",
    "render",
    "render_all",
    "sort_diagnostics",
    "to_json",
]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A region of one source text. Lines and columns are 1-based; offsets are 0-based code points."""

    line: int
    column: int
    end_line: int
    end_column: int
    offset: int = 0
    end_offset: int = 0

    @staticmethod
    def point(line: int, column: int, offset: int = 0) -> Span:
        return Span(line, column, line, column + 1, offset, offset + 1)

    def location(self) -> str:
        return f"{self.line}:{self.column}"


UNKNOWN_SPAN = Span(1, 1, 1, 1, 0, 0)


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; use info, warning or error") from None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. Tests assert ``code`` and ``span``, not ``message`` prose."""

    code: str
    severity: Severity
    message: str
    path: str
    span: Span = UNKNOWN_SPAN
    hint: str | None = None
    # Stable, machine-readable facts about the finding (e.g. {"action": "dynamodb:ListBackups"}).
    data: tuple[tuple[str, str], ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
            "data": dict(self.data),
        }


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def _printable(line: str) -> str:
    # Control characters would corrupt a terminal; show them escaped, keep columns roughly aligned.
    return "".join(ch if ch == "\t" or (ch >= " " and ch != "\x7f") else "?" for ch in line)


def visible(text: str) -> str:
    """``text`` for one terminal line: control characters, line and paragraph separators and
    invisible format characters (bidi overrides) as escapes, so a name from the input cannot start
    a new line, move the cursor or reorder what the reader sees (ANSI sequences, U+2028, U+202E)."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    return "".join(out)


def gutter_line(number: int | str, text: str, width: int = 6) -> str:
    """One source line in the gutter layout every renderer shares: ``    23 | text``."""
    return f"{number:>{width}} | {text}"


def render(diag: Diagnostic, source: str | None = None) -> str:
    """Render one diagnostic in the house text format, with the source line and a caret run."""
    head = f"{visible(diag.path)}:{diag.span.line}:{diag.span.column}: {diag.severity}[{diag.code}]: {visible(diag.message)}"
    out = [head]
    if source is not None:
        lines = source.splitlines()
        if 1 <= diag.span.line <= len(lines):
            text = lines[diag.span.line - 1]
            if len(text) > 200:  # never dump a minified policy: show a window around the column
                start = max(0, diag.span.column - 80)
                text_shown = text[start : start + 160]
                col = diag.span.column - start
            else:
                text_shown, col = text, diag.span.column
            width = 1
            if diag.span.end_line == diag.span.line:
                width = max(1, min(diag.span.end_column - diag.span.column, len(text_shown) - col + 1))
            out.append(gutter_line(diag.span.line, _printable(text_shown)))
            pad = "".join("\t" if ch == "\t" else " " for ch in text_shown[: col - 1])
            out.append(gutter_line("", pad + "^" * width, width=max(6, len(str(diag.span.line)))))
    if diag.hint:
        out.append(f"   hint: {visible(diag.hint)}")
    return "\n".join(out)


def render_all(diags: Iterable[Diagnostic], sources: dict[str, str] | None = None) -> str:
    sources = sources or {}
    return "\n".join(render(d, sources.get(d.path)) for d in sort_diagnostics(diags))


def to_json(diags: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in sort_diagnostics(diags)], indent=2, sort_keys=True)

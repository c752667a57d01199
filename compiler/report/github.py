"""GitHub Actions workflow commands: ``::error file=...,line=...,col=...,title=CODE::message``."""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Diagnostic, Severity, sort_diagnostics

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _line(d: Diagnostic) -> str:
    props = [
        f"file={_escape_property(d.path)}",
        f"line={d.span.line}",
        f"col={d.span.column}",
        f"endLine={d.span.end_line}",
        f"endColumn={d.span.end_column}",
        f"title={_escape_property(d.code)}",
    ]
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return f"::{_COMMAND[d.severity]} {','.join(props)}::{_escape_data(message)}"


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    return "".join(_line(d) + "\n" for d in sort_diagnostics(diagnostics))

"""House text format (diagnostics.render): ``path:line:col: severity[CODE]: message`` + caret + hint."""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Diagnostic, render_all


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    text = render_all(diagnostics, sources)
    return text + "\n" if text else ""

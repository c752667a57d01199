"""Diagnostic formatters, one per module, all with ``render(diagnostics, sources) -> str``.

``sources`` maps a diagnostic's ``path`` to the source text (for carets and SARIF snippets).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from ..diagnostics import Diagnostic

FORMATS = ("text", "json", "sarif", "github")

Renderer = Callable[[Sequence[Diagnostic], dict[str, str]], str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; use one of {', '.join(FORMATS)}")
    module = import_module(f".{name}", __name__)
    render: Renderer = module.render
    return render

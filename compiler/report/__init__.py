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


def format_spec(formats: Sequence[str]) -> Callable[[str], tuple[str, str | None]]:
    """argparse ``type`` for ``--format FMT[=FILE]`` (repeatable): ``(format, file or None)``."""
    import argparse

    def parse(text: str) -> tuple[str, str | None]:
        fmt, sep, path = text.partition("=")
        if fmt not in formats:
            raise argparse.ArgumentTypeError(f"unknown format {fmt!r}; use one of {', '.join(formats)}")
        if sep and not path:
            raise argparse.ArgumentTypeError(f"{text!r}: give a file after '='")
        return fmt, path or None

    return parse

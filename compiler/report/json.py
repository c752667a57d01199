"""JSON: a sorted array of diagnostic objects (``Diagnostic.to_json``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Diagnostic, to_json


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    return to_json(diagnostics) + "\n"

"""The front end's entry: read a policy file, parse and lower it (JSON IR), validate it (policy IR).

``read_source`` (bounded, :mod:`iam2rego.bounded`) -> ``lower_text`` (Lark parse + lowering,
:mod:`iam2rego.lower`) -> ``validate_document`` (:mod:`iam2rego.validate`). Callers use it through
:mod:`iam2rego.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, Unpack

from .diagnostics import Diagnostic, Severity, Span, sort_diagnostics
from .ir import JArray, JObject, JValue, Policy, PolicyKind
from .lower import DEFAULT_LIMITS, Limits, lower_text
from .validate import CHARSET_KINDS, ValidateOptions, validate_document
from .validate.chars import check_chars

__all__ = ["default_name", "load_policy", "object_span_at", "parse_policy", "read_source"]


def parse_policy(
    text: str,
    path: str,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    *,
    lenient_json: bool = False,
    name: str | None = None,
    enforce_size: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Policy | None, list[Diagnostic]]:
    """Parse and validate one policy document. Never raises for bad input: problems are diagnostics."""
    kind = PolicyKind(kind) if isinstance(kind, str) else kind
    opts = ValidateOptions(kind, lenient_json, enforce_size, limits)
    diags: list[Diagnostic] = []
    if kind in CHARSET_KINDS:
        diags += check_chars(text, path)
    root, json_diags = lower_text(text, path, lenient=lenient_json, limits=limits)
    diags += json_diags
    if root is None:
        return None, sort_diagnostics(diags)
    policy, more = validate_document(text, root, path, opts, name if name is not None else default_name(path))
    diags += more
    if any(d.severity is Severity.ERROR for d in diags):
        policy = None
    return policy, sort_diagnostics(diags)


class ParseOptions(TypedDict, total=False):
    """The keyword options of :func:`parse_policy`, which :func:`load_policy` passes on."""

    lenient_json: bool
    name: str | None
    enforce_size: bool
    limits: Limits


def load_policy(
    path: str, kind: PolicyKind | str = PolicyKind.IDENTITY, **options: Unpack[ParseOptions]
) -> tuple[Policy | None, list[Diagnostic]]:
    """Read ``path`` (``-`` = stdin) and parse it (:func:`parse_policy`'s options). IO and decoding
    problems are ``IO001`` diagnostics."""
    text, diags = read_source(path)
    if text is None:
        return None, diags
    return parse_policy(text, path, kind, **options)


def read_source(path: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text (UTF-8), or ``None`` and an ``IO001``/``IO-LIMIT`` diagnostic (bounded read:
    devices, FIFOs and oversized files are refused before reading, see :mod:`iam2rego.bounded`)."""
    from . import bounded

    try:
        return bounded.read_text(path, "policy", bounded.POLICY), []
    except bounded.InputError as exc:
        return None, [exc.diagnostic]


def default_name(path: str) -> str:
    return "stdin" if path == "-" else Path(path).stem


def object_span_at(text: str, line: int, column: int) -> Span | None:
    """The span of the JSON object that opens at ``line:column`` (a statement's ``source`` in reasons),
    found in the JSON IR; None when no object opens there or the text does not parse."""
    root, _ = lower_text(text, "<source>", lenient=True)
    stack: list[JValue] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, JObject):
            if (node.span.line, node.span.column) == (line, column):
                return node.span
            stack.extend(m.value for m in node.members)
        elif isinstance(node, JArray):
            stack.extend(node.items)
    return None

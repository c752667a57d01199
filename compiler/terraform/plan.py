"""Reading plan JSON and gate configuration files; every problem becomes a Diagnostic (exit 2)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .. import bounded, strictjson
from ..diagnostics import Diagnostic, Severity, Span

PLAN_ERROR = "TF-PLAN"
BINARY_PLAN_MAGIC = b"PK\x03\x04"
STRICT_HINT = (
    "`terraform show -json` never writes this; JSON readers disagree on it (which of two equal keys "
    "counts, whether NaN is a number), so the gate refuses the plan instead of guessing"
)


@dataclass(frozen=True)
class Loaded:
    value: object
    text: str


def _span(line: int, col: int) -> Span:
    return Span(line, col, line, col + 1)


def _recode(d: Diagnostic, code: str) -> Diagnostic:
    """Read and syntax errors keep this reader's code; bounds keep ``IO-LIMIT``."""
    if d.code != bounded.IO_ERROR:
        return d
    return Diagnostic(code, d.severity, d.message, d.path, d.span, d.hint)


def load_plan(path: str) -> tuple[Loaded | None, list[Diagnostic]]:
    """Parse a plan file as strict JSON (:mod:`iam2rego.strictjson`: a duplicate key, NaN/Infinity or
    a number beyond doubles is a located TF-PLAN error); the gate pack judges its shape (IAM2REGO-PLAN-*)."""
    try:
        data = bounded.read_bytes(path, "plan", bounded.PLAN)
        if data.startswith(BINARY_PLAN_MAGIC):  # `terraform plan -out` writes a zip archive
            msg = (
                f"{path} is a binary Terraform plan, not JSON: run `terraform show -json {path} > plan.json`"
            )
            return None, [Diagnostic(PLAN_ERROR, Severity.ERROR, msg, path, _span(1, 1))]
        text = bounded.decode_utf8(data, path, "plan")
    except bounded.InputError as exc:
        return None, [_recode(exc.diagnostic, PLAN_ERROR)]
    depth = bounded.json_depth_error(text, path, "plan", bounded.PLAN.max_depth)
    if depth is not None:
        return None, [depth.diagnostic]
    try:
        return Loaded(strictjson.loads(text), text), []
    except strictjson.StrictJSONError as exc:
        what = "valid" if exc.syntax else "strict"
        msg = f"the plan is not {what} JSON: {exc.msg}"
        hint = None if exc.syntax else STRICT_HINT
        return None, [Diagnostic(PLAN_ERROR, Severity.ERROR, msg, path, _span(exc.lineno, exc.colno), hint)]


def load_config(path: str) -> tuple[dict | None, list[Diagnostic]]:
    """A YAML or JSON gate configuration valid against gate.schema.json (see :mod:`.config`)."""
    from .config import load_config as load

    return load(path)


def address_span(text: str, address: str | None) -> Span | None:
    """Line and column of a resource's ``"address"`` entry in the plan text (pretty or one-line)."""
    if not address:
        return None
    m = re.search(r'"address":\s*' + re.escape(json.dumps(address)), text)
    if m is None:
        return None
    offset, end = m.start(), m.end()
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, col, line, col + (end - offset), offset, end)

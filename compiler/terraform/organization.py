"""The guardrail file's ``organization:`` block: SCP and RCP files read into the data document.

The block describes what lives outside the plan (SEMANTICS §13.1, rego/iam2rego/gate/README.md):
the account's OU path from the root, the management account, and the SCPs (``scps:``) and RCPs
(``rcps:``) attached at each level, by target id. An entry is a file name (relative to the guardrails
file) holding a policy document or ``aws organizations describe-policy`` output, or an inline
``{name, document}``. ``iam2rego gate`` replaces each file name by the inline form
(``{"name", "document": <the policy text>, "source": <file>}``) after reading the file through the
same front end as ``iam2rego check``; the conftest pack reads only the inline form (plain conftest
cannot read files, so a file name there is an IAM2REGO-CONFIG-INVALID denial naming it).

Every problem (unreadable file, not JSON, wrong policy type, a policy IAM would reject) is a
``TF-CONFIG`` diagnostic at the entry's position in the guardrails file; the caller exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import api, bounded
from ..diagnostics import Diagnostic, Severity, Span
from ..ir import PolicyKind

CONFIG_ERROR = "TF-CONFIG"  # terraform/config.py's (imported there lazily: YAML stays out of `check`)
ROOT_KEY = "iam2rego_gate"

KINDS = {
    "scps": (PolicyKind.SCP, "SERVICE_CONTROL_POLICY"),
    "rcps": (PolicyKind.RCP, "RESOURCE_CONTROL_POLICY"),
}
WHAT = "organization policy file"
MAX_PROBLEMS = 3


def _document(path: Path, type_name: str) -> tuple[str, str | None, str | None]:
    """(policy text, name from describe-policy or None, problem or None) of one file."""
    text = bounded.read_text(str(path), WHAT, bounded.POLICY)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return text, None, f"not valid JSON ({exc.msg} at {exc.lineno}:{exc.colno})"
    pol = value.get("Policy") if isinstance(value, dict) else None
    if not isinstance(pol, dict):
        return text, None, None  # a policy document (the front end judges it)
    content = pol.get("Content")
    if not isinstance(content, str):
        return text, None, 'describe-policy output without a "Content" string'
    summary = pol.get("PolicySummary")
    if not isinstance(summary, dict):
        summary = {}
    found = summary.get("Type")
    if found is not None and found != type_name:
        return content, None, f"a {found} (expected {type_name})"
    name = summary.get("Name") or summary.get("Id")
    return content, str(name) if name else None, None


def _frontend_problem(text: str, label: str, kind: PolicyKind) -> str | None:
    _, diags = api.parse_policy(text, label, kind)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if not errors:
        return None
    quoted = "; ".join(
        f"{d.code} at {d.span.line}:{d.span.column}: {d.message}" for d in errors[:MAX_PROBLEMS]
    )
    return f"IAM would reject the policy ({quoted})"


def inline_organization(cfg: dict, guardrails_path: str, text: str | None = None) -> list[Diagnostic]:
    """Replace every file entry of ``organization.scps``/``.rcps`` in ``cfg`` (in place) by its document.

    ``text``: the guardrails file's text (for positions; read again when not given).
    """
    org = cfg.get(ROOT_KEY, {}).get("organization")
    if not isinstance(org, dict):
        return []
    base = Path(guardrails_path).parent
    problems: list[tuple[tuple[Any, ...], str]] = []
    for key, (kind, type_name) in KINDS.items():
        for target, entries in (org.get(key) or {}).items():
            for i, entry in enumerate(entries):
                if not isinstance(entry, str):
                    continue
                ptr = (ROOT_KEY, "organization", key, target, i)
                path = base / entry
                try:
                    doc, name, why = _document(path, type_name)
                except bounded.InputError as exc:
                    problems.append((ptr, f"{entry}: {exc.diagnostic.message}"))
                    continue
                why = why or _frontend_problem(doc, entry, kind)
                if why:
                    problems.append((ptr, f"{entry}: {why}"))
                    continue
                entries[i] = {"name": name or Path(entry).stem, "document": doc, "source": entry}
    if not problems:
        return []
    if text is None:
        text = bounded.read_text(guardrails_path, "guardrails file", bounded.GUARDRAILS)
    from .config import parse  # YAML with positions: only when a file needs locating

    _, marks, _ = parse(text, guardrails_path)
    out = []
    for ptr, message in problems:
        span = marks.at(ptr) if marks is not None else Span(1, 1, 1, 2)
        out.append(
            Diagnostic(
                CONFIG_ERROR,
                Severity.ERROR,
                f"organization.{'.'.join(map(str, ptr[2:4]))}[{ptr[4]}]: {message}",
                guardrails_path,
                span,
            )
        )
    return out

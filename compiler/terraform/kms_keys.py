"""``kms_keys:`` of the guardrails file: key policies of KMS keys the plan does not manage.

``kms_keys: {KEY_ARN: FILE}`` names, for a customer managed key a table of the plan uses but the plan
does not create, a file holding its key policy: ``aws kms get-key-policy`` output
(``{"Policy": "<json text>", "PolicyName": "default"}``) or the policy JSON itself. ``iam2rego gate``
reads each file (relative to the guardrails file) and hands the pack the document inline,
``{"policy": <text>, "source": FILE}``: the pack (rego/iam2rego/gate/kms.rego) reads no files, so
under plain conftest the data file carries ``{policy: ...}`` inline (SEMANTICS §13.2). The policy
text goes to the pack as text; the pack validates it as a resource policy (fails closed).
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import bounded
from ..diagnostics import Diagnostic, Severity, Span

CONFIG_ERROR = "TF-CONFIG"


def _span_of(text: str, needle: str) -> Span:
    """Line and column of the first occurrence of ``needle`` in the guardrails text (else 1:1)."""
    offset = text.find(needle)
    if offset < 0:
        return Span(1, 1, 1, 2)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, col, line, col + len(needle), offset, offset + len(needle))


def key_policy_text(path: Path) -> tuple[str | None, str | None]:
    """(policy JSON text, None) or (None, why) for one ``kms_keys`` file."""
    try:
        text = bounded.read_text(str(path), "key policy file", bounded.POLICY)
    except bounded.InputError as exc:
        return None, exc.diagnostic.message
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
    if isinstance(value, dict) and isinstance(value.get("Policy"), str):
        return value["Policy"], None  # aws kms get-key-policy
    if isinstance(value, dict) and "Statement" in value:
        return text, None
    return None, f'{path}: expected `aws kms get-key-policy` output ({{"Policy": "..."}}) or a key policy'


def read_kms_keys(gate: dict, guardrails: str) -> tuple[dict, list[Diagnostic]]:
    """``gate`` with every ``kms_keys`` file replaced by ``{"policy", "source"}``, or the problems."""
    keys = gate.get("kms_keys")
    if not isinstance(keys, dict) or not any(isinstance(v, str) for v in keys.values()):
        return gate, []
    try:
        source_text = Path(guardrails).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        source_text = ""
    base = Path(guardrails).parent
    out: dict = {}
    problems: list[Diagnostic] = []
    for arn, value in keys.items():
        if not isinstance(value, str):
            out[arn] = value
            continue
        path = base / value
        text, why = key_policy_text(path)
        if text is None:
            problems.append(
                Diagnostic(
                    CONFIG_ERROR,
                    Severity.ERROR,
                    f"kms_keys: the key policy of {arn} cannot be read: {why}",
                    guardrails,
                    _span_of(source_text, value),
                    "give a file with `aws kms get-key-policy --key-id ARN` output or the policy JSON",
                )
            )
            continue
        out[arn] = {"policy": text, "source": f"{value} (kms_keys)"}
    return {**gate, "kms_keys": out}, problems

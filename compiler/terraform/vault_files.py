"""The guardrail file's `vaults:` block: each `policy: FILE` read into the data document the pack reads.

A vault outside the plan (a backup plan rule names it) is described by its access policy, as
`aws backup get-backup-vault-access-policy` prints it (``{"Policy": "<json>"}``) or as the policy
document itself; the path is relative to the guardrail file. Under plain conftest the data file
carries the document inline (`document:`) instead. A file that cannot be read or is not a policy is a
located TF-CONFIG error (exit 2), never a vault without a policy.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import bounded
from ..diagnostics import Diagnostic, Severity, Span

CONFIG_ERROR = "IAM2REGO-CONFIG-INVALID"


def _problem(path: str, message: str) -> Diagnostic:
    return Diagnostic(CONFIG_ERROR, Severity.ERROR, message, path, Span(1, 1, 1, 2))


def read_vault_policies(gate: dict, guardrails_path: str) -> tuple[dict, list[Diagnostic]]:
    """``gate`` with every `vaults.NAME.policy` file read into `vaults.NAME.document`."""
    vaults = gate.get("vaults")
    if not isinstance(vaults, dict):
        return gate, []
    base = Path(guardrails_path).parent
    out: dict = {}
    problems: list[Diagnostic] = []
    for name, spec in vaults.items():
        if not isinstance(spec, dict) or "policy" not in spec:
            out[name] = spec
            continue
        file = base / str(spec["policy"])
        where = f"vaults.{name}.policy"
        try:
            text = bounded.read_text(str(file), "vault policy", bounded.POLICY)
            value = json.loads(text)
        except bounded.InputError as exc:
            problems.append(_problem(guardrails_path, f"{where}: {exc.diagnostic.message}"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(
                _problem(guardrails_path, f"{where}: {file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}")
            )
            continue
        if isinstance(value, dict) and isinstance(value.get("Policy"), str):
            try:
                value = json.loads(value["Policy"])
            except json.JSONDecodeError as exc:
                problems.append(
                    _problem(guardrails_path, f"{where}: {file}: `Policy` is not JSON: {exc.msg}")
                )
                continue
        if not isinstance(value, dict) or "Statement" not in value:
            problems.append(
                _problem(
                    guardrails_path,
                    f"{where}: {file} is neither a policy document nor get-backup-vault-access-policy output",
                )
            )
            continue
        out[name] = {**{k: v for k, v in spec.items() if k != "policy"}, "document": value}
    return {**gate, "vaults": out}, problems

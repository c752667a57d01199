"""Helpers shared by the robustness tests: the whole pipeline on one text, and batched OPA checks."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from iam2rego import ir
from iam2rego.api import parse_policy
from iam2rego.checks import check_policy
from iam2rego.codegen import CompileOptions, compile_principals, library_files
from iam2rego.diagnostics import Diagnostic, Severity

K = ir.PolicyKind


def policy_set(policy: ir.Policy) -> ir.PolicySet:
    """Put one policy in the slot its kind belongs to."""
    slot = {
        K.IDENTITY: {"identity": (policy,)},
        K.BOUNDARY: {"boundary": policy},
        K.SESSION: {"session": policy},
        K.SCP: {"scp_levels": ((policy,),)},
        K.RCP: {"rcp_levels": ((policy,),)},
        K.RESOURCE: {"resource_policies": (("arn:aws:dynamodb:us-east-1:123456789012:table/Music", policy),)},
    }[policy.kind]
    return ir.PolicySet(**slot)  # type: ignore[arg-type]


@dataclass
class Outcome:
    policy: ir.Policy | None
    diagnostics: list[Diagnostic]
    files: dict[str, str]


def assert_located(diags: Iterable[Diagnostic], text: str) -> None:
    """Every diagnostic is ours, and every error points into the text (1-based line:col)."""
    lines = text.split("\n")
    for d in diags:
        assert isinstance(d, Diagnostic), d
        assert d.code and d.message, d
        if d.severity is not Severity.ERROR:
            continue
        assert d.span is not None, d
        assert 1 <= d.span.line <= len(lines) + 1, (d, len(lines))
        assert d.span.column >= 1, d


def pipeline(text: str, path: str, kind: ir.PolicyKind, *, lenient: bool = False) -> Outcome:
    """Front end, checks and code generation, as the CLI runs them; never raises for bad input."""
    policy, diags = parse_policy(text, path, kind, lenient_json=lenient)
    assert_located(diags, text)
    if policy is None:
        assert any(d.severity is Severity.ERROR for d in diags), "a rejected policy must say why"
        return Outcome(None, diags, {})
    findings = check_policy(policy)
    assert_located(findings, text)
    module = compile_principals(ir.Principals(caller=policy_set(policy)), CompileOptions(package=policy.name))
    assert module.files and all(isinstance(t, str) and t.endswith("\n") for t in module.files.values())
    return Outcome(policy, diags + findings, dict(module.files))


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def write_library(root: Path) -> Path:
    lib = root / "lib"
    write_tree(lib, library_files())
    return lib


def opa(opa_bin: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([opa_bin, *args], capture_output=True, text=True, timeout=timeout, check=False)


def check_modules(
    opa_bin: str, lib: Path, work: Path, modules: list[tuple[str, dict[str, str]]]
) -> list[str]:
    """Write the modules (label, files) under ``work`` and run ONE ``opa fmt --fail --list`` (parses
    every module and proves it canonical) and ONE ``opa check --strict`` with the library.

    Returns the problems, each naming the label of the module (the generating input) it came from.
    """
    owner: dict[str, str] = {}
    mods = work / "mods"
    for label, files in modules:
        write_tree(mods, files)
        for rel in files:
            owner[str(mods / rel)] = label
    problems: list[str] = []
    fmt = opa(opa_bin, "fmt", "--fail", "--list", str(mods))
    if fmt.returncode != 0:
        bad = [line for line in fmt.stdout.splitlines() if line.strip()]
        problems += [f"not opa-fmt canonical or unparsable: {owner.get(p, p)}" for p in bad]
        problems += [fmt.stderr[-3000:]] if fmt.stderr.strip() else []
    chk = opa(opa_bin, "check", "--strict", "--format", "json", str(lib), str(mods))
    if chk.returncode != 0:
        problems.append(_named_errors(chk.stdout or chk.stderr, owner))
    return problems


def _named_errors(out: str, owner: dict[str, str]) -> str:
    try:
        errors = json.loads(out).get("errors") or []
    except (json.JSONDecodeError, AttributeError):
        return out[-3000:]
    lines = []
    for e in errors[:10]:
        file = (e.get("location") or {}).get("file", "")
        lines.append(f"{owner.get(file, file)}: {e.get('code')}: {e.get('message')}")
    return "opa check --strict failed:\n" + "\n".join(lines)


def rule_names(opa_bin: str, rego_path: Path) -> list[str]:
    """Names of every rule the module defines, from ``opa parse --format json`` (not from our text)."""
    proc = opa(opa_bin, "parse", "--format", "json", str(rego_path))
    assert proc.returncode == 0, proc.stderr
    ast = json.loads(proc.stdout)
    names = []
    for rule in ast.get("rules") or []:
        ref = rule["head"].get("ref") or [{"value": rule["head"].get("name")}]
        names.append(".".join(str(part["value"]) for part in ref))
    return names

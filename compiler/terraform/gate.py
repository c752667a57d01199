"""Gate orchestration: a Terraform plan and the guardrails -> the gate pack on an engine -> findings.

``gate_plan`` is what ``iam2rego gate`` runs; ``evaluate`` runs the pack once on a loaded plan;
terraform/findings.py locates its findings in the .tf source (terraform/locate.py) for reporting.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from .. import answers, api
from ..diagnostics import Diagnostic, Severity, Span
from ..errors import EngineError
from .canary import Canary, plan_account
from .findings import GateFinding, Policy, build, diagnostics, failed
from .kms_keys import read_kms_keys
from .locate import SourceIndex, find_source_dir
from .organization import inline_organization
from .pack import ENTRYPOINT, pack_files
from .plan import load_config, load_plan
from .policies import frontend_verdicts
from .vault_files import read_vault_policies

ACCOUNT_ERROR = "IAM2REGO-ACCOUNT-AMBIGUOUS"
BASELINE_REFUSED = "TF-CONFIG"
CLI_DATA = "iam2rego_cli"  # facts `iam2rego gate` adds for the pack (never the user's iam2rego_gate)


def gate_config(
    guardrails: str | None, account_id: str | None = None, unverifiable: str | None = None
) -> tuple[dict | None, list[Diagnostic]]:
    """The data document the pack reads (``{"iam2rego_gate": {...}}``), or None and the problems."""
    cfg: dict = {"iam2rego_gate": {}}
    if guardrails:
        loaded, diags = load_config(guardrails)
        if loaded is None:
            return None, diags
        diags = inline_organization(loaded, guardrails)
        if diags:
            return None, diags
        cfg = loaded
    gate = dict(cfg["iam2rego_gate"])
    if guardrails:
        gate, problems = read_vault_policies(gate, guardrails)
        if problems:
            return None, problems
        gate, problems = read_kms_keys(gate, guardrails)
        if problems:
            return None, problems
    if account_id:
        gate["account_id"] = account_id
    if unverifiable:
        gate["unverifiable"] = unverifiable
    return {"iam2rego_gate": gate}, []


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def evaluate(plan: object, data: dict, engine_name: str, **engine_opts: object) -> dict:
    """Run the pack once; returns {"deny": [...], "warn": [...], "account": {...}} (lists sorted by message).

    ``engine_opts`` go to the engine registry (``opa_image``, ``opa_path``, ``timeout``); every engine
    runs the same pack, so the findings do not depend on the engine. A wrong-shaped answer is an
    EngineError (iam2rego.answers).

    Every policy string of the plan first goes through the front end of ``iam2rego check``
    (:mod:`.policies`): what IAM would reject reaches the pack as ``iam2rego_cli.frontend`` and is
    IAM2REGO-UNVERIFIABLE there.

    The same engine call evaluates a canary (:mod:`.canary`: a plan whose findings are known, a
    second input at a random place); its answer is checked before the plan's is read, and an engine
    that fails it is an EngineError (exit 2).
    """
    if CLI_DATA not in data:
        data = {**data, CLI_DATA: {"frontend": frontend_verdicts(plan)}}
    today = datetime.now(UTC).date().isoformat()  # exceptions' `expires` (the pack has no clock here)
    data = {**data, CLI_DATA: {"today": today, **data[CLI_DATA]}}
    gate_cfg = _object(data.get("iam2rego_gate"))
    bird = Canary(gate_cfg.get("account_id") or plan_account(plan), gate_cfg=gate_cfg)
    cli = _object(data.get(CLI_DATA))
    data = {**data, CLI_DATA: {**cli, "frontend": {**_object(cli.get("frontend")), **bird.frontend()}}}
    opts = {k: v for k, v in engine_opts.items() if v is not None}
    engine = api.get_engine(engine_name, quiet=False, **opts)
    first = secrets.randbelow(2)  # the canary's place in the batch: 0 or 1
    inputs = [cast(dict, plan)]
    inputs.insert(first, bird.plan())
    results = engine.evaluate(pack_files(), ENTRYPOINT, inputs, data)
    if not isinstance(results, list) or len(results) != 2:
        raise EngineError(engine.name, f"{ENTRYPOINT} returned {type(results).__name__} for 2 inputs")
    bird.check(engine.name, results[first], gate_cfg, results[1 - first])  # before any answer is trusted
    [result] = answers.require("gate", [results[1 - first]], engine.name, ENTRYPOINT)
    assert isinstance(result, dict)  # checked by answers.require
    out: dict = {k: sorted(result[k], key=lambda f: f["msg"]) for k in ("deny", "warn")}
    out["account"] = result.get("account")
    out["principals"] = sorted(p for p in result.get("principals") or [] if isinstance(p, str))
    out["statements"] = result.get("statements") if isinstance(result.get("statements"), dict) else {}
    return out


def account_errors(report: dict, path: str, account_flag: str | None) -> list[Diagnostic]:
    """The pack's account problems (no account, several, or one that disagrees) as exit-2 errors."""
    account = report.get("account")
    if not isinstance(account, dict):
        return [Diagnostic(ACCOUNT_ERROR, Severity.ERROR, "the gate pack did not decide the account", path)]
    hint = None if account_flag else "pass --account-id ACCOUNT (the account the plan deploys to)"
    return [
        Diagnostic(ACCOUNT_ERROR, Severity.ERROR, problem, path, Span(1, 1, 1, 2), hint)
        for problem in account.get("problems") or []
    ]


def _kind(guardrail: object) -> object:
    return guardrail.get("kind") if isinstance(guardrail, dict) else None


@dataclass
class GateResult:
    """What one gate run produced: the pack's report, its findings and the sources they point into.

    ``located`` are the findings for reporting (terraform/findings.py: .tf location, fingerprint,
    suppression, baseline); ``findings`` the same as diagnostics; ``sources`` the plan and .tf texts.
    """

    report: dict = field(default_factory=lambda: {"deny": [], "warn": []})
    findings: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    # unreadable plan or guardrails, or no single account (exit 2); rendered with ``sources``
    problems: list[Diagnostic] = field(default_factory=list)
    located: list[GateFinding] = field(default_factory=list)
    data: dict = field(default_factory=lambda: {"iam2rego_gate": {}})
    warnings: list[str] = field(default_factory=list)  # .tf files that could not be read

    @property
    def denied(self) -> bool:
        """An active (not suppressed, not baselined) deny finding."""
        return failed(self.located, "deny")


def gate_plan(
    plan_path: str,
    *,
    guardrails: str | None = None,
    account_id: str | None = None,
    unverifiable: str | None = None,
    engine: str = "auto",
    source_dir: str | None = None,
    baseline: dict[str, dict] | None = None,
    **engine_opts: object,
) -> GateResult:
    """Read the plan and guardrails, run the pack, and locate its findings (.tf line, else the plan).

    Raises ``EngineError`` when the engine is unavailable or fails: never a pass.
    """
    loaded, diags = load_plan(plan_path)
    data, cdiags = gate_config(guardrails, account_id, unverifiable)
    if loaded is None or data is None:
        return GateResult(problems=diags + cdiags)
    policy = Policy.from_config(data["iam2rego_gate"])
    if baseline is not None and policy.baseline == "deny":
        why = "the guardrails file forbids baselines (suppressions.baseline: deny); --baseline is refused"
        where = guardrails or plan_path
        return GateResult(
            problems=[Diagnostic(BASELINE_REFUSED, Severity.ERROR, why, where, Span(1, 1, 1, 2))]
        )
    no_new_access = [g for g in data["iam2rego_gate"].get("guardrails") or [] if _kind(g) == "no-new-access"]
    if no_new_access:  # computed here (the access delta), not by the pack; the pack fails closed without this
        data = {**data, "iam2rego_cli": {**data.get("iam2rego_cli", {}), "no_new_access": True}}
    report = evaluate(loaded.value, data, engine, **engine_opts)
    sources = {plan_path: loaded.text}
    errors = account_errors(report, plan_path, account_id)
    if errors:
        return GateResult(report=report, sources=sources, problems=errors, data=data)
    if no_new_access and isinstance(loaded.value, dict):
        from ..access.guardrail import new_access_findings

        opts = {k: v for k, v in engine_opts.items() if v is not None}
        found = new_access_findings(
            loaded.value,
            plan_path,
            data["iam2rego_gate"],
            report["account"].get("account_id"),
            api.get_engine(engine, quiet=True, **opts),
        )
        for f in found:
            report["deny" if f["severity"] == "deny" else "warn"].append(f)
        for key in ("deny", "warn"):
            report[key].sort(key=lambda f: f["msg"])
    index = SourceIndex(loaded.value, plan_path, find_source_dir(plan_path, source_dir), loaded.text)
    if guardrails:  # configuration problems are located in it
        with contextlib.suppress(OSError, UnicodeDecodeError):
            sources[guardrails] = Path(guardrails).read_text(encoding="utf-8")
    from .config import config_locator  # YAML: not imported by `iam2rego check` (test_cli_imports)

    locate_config = config_locator(guardrails) if guardrails else None
    located = build(report, index, baseline, policy, locate_config)
    return GateResult(
        report=report,
        findings=diagnostics(located),
        sources={**sources, **index.texts},
        located=located,
        data=data,
        warnings=list(index.problems),
    )

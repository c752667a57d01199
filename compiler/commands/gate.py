"""``iam2rego gate``: run the conftest gate pack on a Terraform plan through an engine (terraform/gate.py)."""

from __future__ import annotations

import argparse
import json
import sys

from .. import codes
from ..errors import ExitCode
from ..report import renderer
from ..terraform import findings as gate_findings
from ..terraform.gate import GateResult, gate_plan
from .options import (
    add_engine_options,
    add_format_options,
    bad_timeout,
    claim_outputs,
    output_formats,
    route_outputs,
    write_reports,
)

HELP = "gate a Terraform plan (terraform show -json) with built-in and user guardrails"

FORMATS = ("text", "json", "junit", "sarif", "github")
# Built-in checks of the gate pack (codes.py): JUnit lists each one per principal.
BUILTIN_CODES = tuple(
    c.id
    for c in codes.CODES.values()
    if "gate pack" in c.where and c.id not in ("IAM2REGO-GUARDRAIL", "IAM2REGO-EXCEPTION-APPLIED")
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "plan",
        metavar="PLAN.json",
        nargs="+",
        help="output of `terraform show -json PLANFILE`; several plans (pre-commit) are gated one by one "
        "with text or github output on stdout",
    )
    parser.add_argument("--guardrails", metavar="FILE", help="YAML/JSON file with an `iam2rego_gate` mapping")
    parser.add_argument(
        "--account-id",
        help="account of resources created by the plan (default: what the plan says; exit 2 when it "
        "says nothing, names several accounts or disagrees)",
    )
    add_format_options(parser, FORMATS, example="sarif=gate.sarif")
    parser.add_argument(
        "--fail-on",
        choices=gate_findings.FAIL_ON,
        default="deny",
        help="exit 1 on active deny findings (default), on deny or warn, or never",
    )
    parser.add_argument("--baseline", metavar="FILE", help="findings in this baseline do not fail the gate")
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="write every finding to FILE as the new baseline (for --baseline)",
    )
    parser.add_argument(
        "--source-dir",
        metavar="DIR",
        help="the Terraform root module, to locate findings in .tf files (default: the plan's "
        "directory, else the current one, when it holds .tf files)",
    )
    add_engine_options(parser)
    parser.add_argument("--unverifiable", choices=("deny", "warn"), help="severity of unverifiable policies")


def _json(result: GateResult) -> str:
    doc: dict = {k: result.report[k] for k in ("deny", "warn")}
    doc["findings"] = [
        {
            "code": g.code,
            "severity": g.severity,
            "message": g.message,
            "path": g.location.path,
            "line": g.location.span.line,
            "column": g.location.span.column,
            "json_pointer": g.location.pointer,
            "fingerprint": g.fingerprint,
            "suppression": None
            if g.suppression is None
            else {"kind": g.suppression.kind, "justification": g.suppression.justification},
            "baselined": g.baselined,
            "notes": list(g.notes),
        }
        for g in result.located
    ]
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _render(fmt: str, result: GateResult, with_baseline: bool) -> str:
    if fmt == "json":
        return _json(result)
    if fmt == "sarif":
        from ..report import gate_sarif

        return gate_sarif.render(result.located, with_baseline=with_baseline)
    if fmt == "junit":
        from ..report import gate_junit  # XML: only for --format junit

        cfg = result.data.get("iam2rego_gate") or {}
        guardrails = [str(g["id"]) for g in cfg.get("guardrails") or [] if isinstance(g, dict) and "id" in g]
        return gate_junit.render(
            result.located,
            guardrails=guardrails,
            principals=result.report.get("principals") or [],
            builtin_codes=BUILTIN_CODES,
        )
    if fmt == "text":
        hidden = sum(1 for g in result.located if g.baselined)
        text = (
            renderer("text")(result.findings, result.sources)
            if result.findings
            else "iam2rego gate: no findings\n"
        )
        if hidden:
            text += f"iam2rego gate: {hidden} finding(s) in the baseline (listed as notes, not failing)\n"
        return text
    return renderer(fmt)(result.findings, result.sources)


def run(args: argparse.Namespace) -> int:
    if bad_timeout("gate", args):
        return ExitCode.USAGE
    formats = output_formats("gate", args)
    if formats is None:
        return ExitCode.USAGE
    if not claim_outputs("gate", formats, args.output, [("--write-baseline", args.write_baseline)]):
        return ExitCode.USAGE
    baseline: dict[str, dict] | None = None
    if args.baseline:
        try:
            baseline = gate_findings.read_baseline(args.baseline)
        except gate_findings.BaselineError as exc:
            print(f"iam2rego gate: {exc}", file=sys.stderr)
            return ExitCode.USAGE
    if len(args.plan) > 1:
        if args.output or args.write_baseline or any(p or f not in ("text", "github") for f, p in formats):
            print(
                "iam2rego gate: with several plans only text or github output on stdout is possible",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        return max(_gate_one(args, plan, formats, baseline) for plan in list(args.plan))
    return _gate_one(args, args.plan[0], formats, baseline)


def _gate_one(
    args: argparse.Namespace,
    plan: str,
    formats: list[tuple[str, str | None]],
    baseline: dict[str, dict] | None,
) -> int:
    try:
        result = gate_plan(
            plan,
            guardrails=args.guardrails,
            account_id=args.account_id,
            unverifiable=args.unverifiable,
            engine=args.engine,
            source_dir=args.source_dir,
            baseline=baseline,
            opa_image=args.opa_image,
            opa_path=args.opa_path,
            timeout=args.timeout,
        )
    except Exception as exc:  # engine unavailable or failed (or any surprise): never a pass
        print(f"iam2rego gate: engine error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if result.problems:
        sys.stderr.write(renderer("text")(result.problems, result.sources))
        return ExitCode.USAGE
    for warning in result.warnings:
        print(f"iam2rego gate: warning: {warning}", file=sys.stderr)
    stdout, files = route_outputs(
        formats, args.output, lambda fmt: _render(fmt, result, baseline is not None)
    )
    if args.write_baseline:
        files[args.write_baseline] = gate_findings.baseline_text(
            result.located, result.report.get("statements")
        )
    if not write_reports("gate", files):
        return ExitCode.USAGE
    sys.stdout.write(stdout)
    return ExitCode.FINDINGS if gate_findings.failed(result.located, args.fail_on) else ExitCode.OK

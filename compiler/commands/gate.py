"""``iam2rego gate``: run the conftest gate pack on a Terraform plan through an engine (terraform/gate.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .. import api
from ..diagnostics import Diagnostic
from ..errors import ExitCode
from ..report import renderer
from ..terraform.gate import gate_plan

HELP = "gate a Terraform plan (terraform show -json) with built-in and user guardrails"

FORMATS = ("text", "json", "junit", "sarif", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN.json", help="output of `terraform show -json PLANFILE`")
    parser.add_argument("--guardrails", metavar="FILE", help="YAML/JSON file with an `iam2rego_gate` mapping")
    parser.add_argument(
        "--account-id",
        help="account of resources created by the plan (default: what the plan says; exit 2 when it "
        "says nothing, names several accounts or disagrees)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--engine", choices=api.ENGINE_CHOICES, default="auto")
    parser.add_argument(
        "--opa-image",
        default=None,
        help="Docker image for --engine docker (default: $IAM2REGO_OPA_IMAGE or the pinned OPA image)",
    )
    parser.add_argument(
        "--opa-path", default=None, help="opa binary for --engine opa (default: tools/bin/opa, PATH)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds allowed for the engine (default 300)",
    )
    parser.add_argument("--unverifiable", choices=("deny", "warn"), help="severity of unverifiable policies")


def _render(fmt: str, diags: Sequence[Diagnostic], sources: dict[str, str], report: dict) -> str:
    if fmt == "json":
        return json.dumps({k: report[k] for k in ("deny", "warn")}, indent=2, sort_keys=True) + "\n"
    if fmt == "junit":
        from ..report import gate_junit  # XML: only for --format junit

        return gate_junit.render(diags, sources)
    if fmt == "text" and not diags:
        return "iam2rego gate: no findings\n"
    return renderer(fmt)(diags, sources)


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        print("iam2rego gate: --timeout must be positive", file=sys.stderr)
        return ExitCode.USAGE
    try:
        result = gate_plan(
            args.plan,
            guardrails=args.guardrails,
            account_id=args.account_id,
            unverifiable=args.unverifiable,
            engine=args.engine,
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
    sys.stdout.write(_render(args.format, result.findings, result.sources, result.report))
    return ExitCode.FINDINGS if result.denied else ExitCode.OK

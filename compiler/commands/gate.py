"""``iam2rego gate``: run the conftest gate pack on a Terraform plan through an engine."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import cast

from .. import answers
from ..diagnostics import Diagnostic, Severity, Span, sort_diagnostics
from ..report import gate_junit, renderer
from ..terraform.pack import ENTRYPOINT, pack_files
from ..terraform.plan import address_span, load_config, load_plan

HELP = "gate a Terraform plan (terraform show -json) with built-in and user guardrails"

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
ACCOUNT_ERROR = "IAM2REGO-ACCOUNT-AMBIGUOUS"
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
    parser.add_argument("--engine", choices=("auto", "docker", "opa", "embedded"), default="auto")
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


def _config(args: argparse.Namespace) -> tuple[dict | None, list[Diagnostic]]:
    cfg: dict = {"iam2rego_gate": {}}
    if args.guardrails:
        loaded, diags = load_config(args.guardrails)
        if loaded is None:
            return None, diags
        cfg = loaded
    gate = dict(cfg["iam2rego_gate"])
    if args.account_id:
        gate["account_id"] = args.account_id
    if args.unverifiable:
        gate["unverifiable"] = args.unverifiable
    return {"iam2rego_gate": gate}, []


def evaluate(plan: object, data: dict, engine_name: str, **engine_opts: object) -> dict:
    """Run the pack once; returns {"deny": [...], "warn": [...], "account": {...}} (lists sorted by message).

    ``engine_opts`` go to the engine registry (``opa_image``, ``opa_path``, ``timeout``); every engine
    runs the same pack, so the findings do not depend on the engine.
    """
    from ..harness.engines import get_engine

    opts = {k: v for k, v in engine_opts.items() if v is not None}
    engine = get_engine(engine_name, quiet=True, **opts)
    [result] = answers.require(
        "gate", engine.evaluate(pack_files(), ENTRYPOINT, [cast(dict, plan)], data), engine.name, ENTRYPOINT
    )
    assert isinstance(result, dict)  # checked by answers.require
    out: dict = {k: sorted(result[k], key=lambda f: f["msg"]) for k in ("deny", "warn")}
    out["account"] = result.get("account")
    return out


def to_diagnostics(report: dict, path: str, text: str) -> list[Diagnostic]:
    out = []
    for key, severity in (("deny", Severity.ERROR), ("warn", Severity.WARNING)):
        for f in report[key]:
            principal = f.get("principal") or {}
            statement = f.get("statement") or {}
            anchor = principal.get("address") or str(statement.get("policy") or "").split(" via ")[-1]
            span = address_span(text, anchor)
            data = tuple(
                (k, v if isinstance(v, str) else json.dumps(v, sort_keys=True))
                for k, v in sorted(f.items())
                if k != "msg"
            )
            kwargs = {"span": span} if span else {}
            out.append(Diagnostic(f["code"], severity, f["msg"], path, hint=None, data=data, **kwargs))
    return sort_diagnostics(out)


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


def _render(fmt: str, diags: Sequence[Diagnostic], sources: dict[str, str], report: dict) -> str:
    if fmt == "json":
        return json.dumps({k: report[k] for k in ("deny", "warn")}, indent=2, sort_keys=True) + "\n"
    if fmt == "junit":
        return gate_junit.render(diags, sources)
    if fmt == "text" and not diags:
        return "iam2rego gate: no findings\n"
    return renderer(fmt)(diags, sources)


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        print("iam2rego gate: --timeout must be positive", file=sys.stderr)
        return EXIT_USAGE
    loaded, diags = load_plan(args.plan)
    data, cdiags = _config(args)
    problems = diags + cdiags
    if loaded is None or data is None:
        sys.stderr.write(renderer("text")(problems, {}))
        return EXIT_USAGE
    try:
        report = evaluate(
            loaded.value,
            data,
            args.engine,
            opa_image=args.opa_image,
            opa_path=args.opa_path,
            timeout=args.timeout,
        )
    except Exception as exc:  # engine unavailable or failed: never a pass
        print(f"iam2rego gate: engine error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    errors = account_errors(report, args.plan, args.account_id)
    if errors:
        sys.stderr.write(renderer("text")(errors, {args.plan: loaded.text}))
        return EXIT_USAGE
    out = to_diagnostics(report, args.plan, loaded.text)
    sys.stdout.write(_render(args.format, out, {args.plan: loaded.text}, report))
    return EXIT_FINDINGS if report["deny"] else EXIT_OK

"""``iam2rego check``: validate policies and run the checks; report in text, JSON, SARIF or GitHub form."""

from __future__ import annotations

import argparse
import sys

from .. import api, codes
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from ..errors import ExitCode
from ..report import FORMATS, renderer
from .options import (
    add_format_options,
    add_mode_option,
    claim_outputs,
    output_formats,
    route_outputs,
    write_reports,
)

HELP = "validate IAM policy files (V-* errors) and lint them (W-* warnings)"
EPILOG = "codes (docs/CODES.md):\n" + "\n".join(
    f"  {c.id:<24} {c.title}" for fam in ("IO", "V", "W") for c in codes.family(fam)
)

STDIN_LABEL = "<stdin>"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="policy JSON files; '-' reads stdin")
    parser.add_argument(
        "--kind",
        choices=[k.value for k in api.PolicyKind],
        default=api.PolicyKind.IDENTITY.value,
        help="policy type, decides Principal rules and size quotas (default: identity)",
    )
    add_format_options(parser, FORMATS, example="sarif=check.sarif")
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        default="error",
        help="exit 1 when a finding has at least this severity (default: error)",
    )
    parser.add_argument(
        "--lenient-json", action="store_true", help="ignore text after the policy document (W-TRAILING-DATA)"
    )
    parser.add_argument("--enforce-size", action="store_true", help="make AWS size quotas (V-SIZE) errors")
    add_mode_option(parser)


def _check_one(path: str, args: argparse.Namespace, sources: dict[str, str]) -> tuple[list[Diagnostic], bool]:
    """Findings for one file, and whether it could be read at all."""
    text, io_diags = api.read_source(path)
    label = STDIN_LABEL if path == "-" else path
    if text is None:
        return [
            Diagnostic(d.code, d.severity, d.message, label, d.span, d.hint, d.data) for d in io_diags
        ], False
    sources[label] = text
    policy, diags = api.parse_policy(
        text,
        label,
        api.PolicyKind(args.kind),
        lenient_json=args.lenient_json,
        name=api.default_name(path),
        enforce_size=args.enforce_size,
    )
    if policy is not None:
        diags = diags + api.check(policy, mode=args.mode)
    return diags, True


def _summary(files: int, diags: list[Diagnostic]) -> str:
    counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
    parts = [f"{counts[Severity.ERROR]} error(s)", f"{counts[Severity.WARNING]} warning(s)"]
    if counts[Severity.INFO]:
        parts.append(f"{counts[Severity.INFO]} info")
    return f"iam2rego check: {files} file(s), {', '.join(parts)}"


def run(args: argparse.Namespace) -> int:
    sources: dict[str, str] = {}
    findings: list[Diagnostic] = []
    io_failed = False
    if args.files.count("-") > 1:
        print("iam2rego check: '-' (stdin) may be given only once", file=sys.stderr)
        return ExitCode.USAGE
    formats = output_formats("check", args)
    if formats is None or not claim_outputs("check", formats, args.output):
        return ExitCode.USAGE
    for path in args.files:
        diags, readable = _check_one(path, args, sources)
        findings += diags
        io_failed = io_failed or not readable
    findings = sort_diagnostics(findings)
    out, files = route_outputs(formats, args.output, lambda fmt: renderer(fmt)(findings, sources))
    if not write_reports("check", files):  # all reports or none
        return ExitCode.USAGE
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    print(_summary(len(args.files), findings), file=sys.stderr)
    if io_failed:
        return ExitCode.USAGE
    threshold = Severity.parse(args.fail_on)
    return ExitCode.FINDINGS if any(d.severity >= threshold for d in findings) else ExitCode.OK

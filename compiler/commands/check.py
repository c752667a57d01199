"""``iam2rego check``: validate policies and run the checks; report in text, JSON, SARIF or GitHub form."""

from __future__ import annotations

import argparse
import sys

from ..checks import check_policy
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from ..ir import PolicyKind
from ..report import FORMATS, renderer
from ..validate import default_name, parse_policy, read_source

HELP = "validate IAM policy files (V-* errors) and lint them (W-* warnings)"

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STDIN_LABEL = "<stdin>"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="policy JSON files; '-' reads stdin")
    parser.add_argument(
        "--kind",
        choices=[k.value for k in PolicyKind],
        default=PolicyKind.IDENTITY.value,
        help="policy type, decides Principal rules and size quotas (default: identity)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
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


def _check_one(path: str, args: argparse.Namespace, sources: dict[str, str]) -> tuple[list[Diagnostic], bool]:
    """Findings for one file, and whether it could be read at all."""
    text, io_diags = read_source(path)
    label = STDIN_LABEL if path == "-" else path
    if text is None:
        return [
            Diagnostic(d.code, d.severity, d.message, label, d.span, d.hint, d.data) for d in io_diags
        ], False
    sources[label] = text
    policy, diags = parse_policy(
        text,
        label,
        PolicyKind(args.kind),
        lenient_json=args.lenient_json,
        name=default_name(path),
        enforce_size=args.enforce_size,
    )
    if policy is not None:
        diags = diags + check_policy(policy)
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
        return EXIT_USAGE
    for path in args.files:
        diags, readable = _check_one(path, args, sources)
        findings += diags
        io_failed = io_failed or not readable
    findings = sort_diagnostics(findings)
    out = renderer(args.format)(findings, sources)
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    print(_summary(len(args.files), findings), file=sys.stderr)
    if io_failed:
        return EXIT_USAGE
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(d.severity >= threshold for d in findings) else EXIT_OK

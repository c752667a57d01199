"""``iam2rego check``: validate policies and run the checks; report in text, JSON, SARIF or GitHub form."""

from __future__ import annotations

import argparse
import sys

from .. import api, codes
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from ..errors import ExitCode
from ..report import FORMATS, format_spec, renderer

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
    parser.add_argument(
        "--format",
        action="append",
        type=format_spec(FORMATS),
        metavar="FORMAT[=FILE]",
        help=f"output format ({', '.join(FORMATS)}); repeat for several, FORMAT=FILE writes that one to FILE "
        "(e.g. --format text --format sarif=check.sarif); default text",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the format without =FILE here, not stdout"
    )
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
        diags = diags + api.check(policy)
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
    formats = args.format or [("text", None)]
    if sum(1 for _, path in formats if path is None) > 1:
        print(
            "iam2rego check: only one --format can go to stdout (or --output); give the others =FILE",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    for path in args.files:
        diags, readable = _check_one(path, args, sources)
        findings += diags
        io_failed = io_failed or not readable
    findings = sort_diagnostics(findings)
    out, files = "", {}
    for fmt, path in formats:
        text = renderer(fmt)(findings, sources)
        if path or args.output:
            files[path or args.output] = text
        else:
            out = text
    if files:
        from ..outputs import write_files  # all reports or none

        try:
            write_files(files)
        except OSError as exc:
            print(
                f"iam2rego check: cannot write {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr
            )
            return ExitCode.USAGE
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    print(_summary(len(args.files), findings), file=sys.stderr)
    if io_failed:
        return ExitCode.USAGE
    threshold = Severity.parse(args.fail_on)
    return ExitCode.FINDINGS if any(d.severity >= threshold for d in findings) else ExitCode.OK

"""``iam2rego compile``: policy JSON -> a compiled Rego module plus the runtime library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import api
from ..diagnostics import render_all
from ..errors import ExitCode, LibraryMissing, UsageError
from ..outputs import write_bundle, write_tree
from .options import add_mode_option

HELP = "compile IAM policies into a Rego module (plus the runtime library) or an OPA bundle"


def add_policy_arguments(p: argparse.ArgumentParser, *, files_required: bool = True) -> None:
    """The policy-set flags shared by compile, eval and explain."""
    p.add_argument("files", nargs="+" if files_required else "*", metavar="FILE", help="identity policies")
    p.add_argument("--boundary", metavar="F", help="permissions boundary")
    p.add_argument("--session", metavar="F", help="session policy")
    p.add_argument(
        "--scp",
        metavar="F[,F...]",
        action="append",
        default=[],
        help="SCPs of one organisation level (repeat per level, root first)",
    )
    p.add_argument("--rcp", metavar="F[,F...]", action="append", default=[], help="RCPs of one level")
    p.add_argument(
        "--resource-policy",
        metavar="[TABLE_ARN=]F",
        action="append",
        default=[],
        help="resource-based policy of a table (covers its indexes and streams), bound to TABLE_ARN; "
        "without TABLE_ARN, to the one table its Resource elements name (repeatable)",
    )
    p.add_argument(
        "--role-policy",
        metavar="F",
        action="append",
        default=[],
        help="identity policy of the role AWS Backup assumes (repeatable)",
    )
    p.add_argument("--role-boundary", metavar="F", help="permissions boundary of that role")
    add_mode_option(p)
    p.add_argument("--resource-glob", choices=("segment", "naive"), default="segment")
    p.add_argument("--awsbackup-restore-dataplane", action="store_true")
    p.add_argument("--kms-set", metavar="A[,A...]", help="KMS actions required with a customer managed key")
    p.add_argument("--service-ip", metavar="IP")
    p.add_argument("--svc-calledvia", action="store_true")
    p.add_argument("--package", metavar="NAME", help="package suffix (default: the first file's stem)")
    p.add_argument("--lenient-json", action="store_true", help="ignore trailing data after the document")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_policy_arguments(p)
    p.add_argument("-o", "--output", metavar="DIR", help="write the module and the library under DIR")
    p.add_argument("--bundle", metavar="OUT.tar.gz", help="write an OPA bundle")


def _split(values: list[str]) -> list[list[str]]:
    return [[f for f in v.split(",") if f] for v in values]


def _bound(values: list[str]) -> list[tuple[str, str]]:
    """``TABLE_ARN=FILE`` -> (TABLE_ARN, FILE); a plain ``FILE`` -> ("", FILE). Several unbound
    files are refused: each policy belongs to one table."""
    out = []
    for v in values:
        table, sep, path = v.partition("=")
        out.append((table, path) if sep and table.startswith("arn:") else ("", v))
    if sum(1 for table, _ in out if not table) > 1:
        raise UsageError(
            "--resource-policy: bind each policy to its table: --resource-policy <table ARN>=<file>"
        )
    return out


def principals_spec(args: argparse.Namespace) -> api.PrincipalsSpec:
    """The policy files named on the command line, as the front door's policy-set spec."""

    def one(path: str | None) -> api.PolicySource | None:
        return api.PolicySource.file(path) if path else None

    def many(paths: list[str]) -> tuple[api.PolicySource, ...]:
        return tuple(api.PolicySource.file(p) for p in paths)

    caller = api.PolicySetSpec(
        identity=many(args.files),
        boundary=one(args.boundary),
        session=one(args.session),
        scp_levels=tuple(many(level) for level in _split(args.scp)),
        rcp_levels=tuple(many(level) for level in _split(args.rcp)),
        resource_policies=tuple(
            (table, api.PolicySource.file(path)) for table, path in _bound(args.resource_policy) if table
        ),
        resource_policy=one(next((path for table, path in _bound(args.resource_policy) if not table), None)),
    )
    role = None
    if args.role_policy or args.role_boundary:
        role = api.PolicySetSpec(identity=many(args.role_policy), boundary=one(args.role_boundary))
    return api.PrincipalsSpec(caller, role, lenient_json=args.lenient_json)


def options_from(args: argparse.Namespace) -> api.CompileOptions:
    package = args.package or (Path(args.files[0]).stem if args.files else "policy")
    kms = tuple(a for a in args.kms_set.split(",") if a) if args.kms_set else None
    return api.CompileOptions(
        package=package,
        mode=args.mode,
        resource_glob=args.resource_glob,
        awsbackup_restore_dataplane=args.awsbackup_restore_dataplane,
        kms_set=kms,
        service_ip=args.service_ip,
        svc_calledvia=args.svc_calledvia,
    )


def compile_from_args(args: argparse.Namespace) -> tuple[api.CompiledModule | None, api.LoadedPrincipals]:
    loaded = api.load_principals(principals_spec(args))
    principals = loaded.principals
    if principals is None:
        return None, loaded
    return api.compile(principals, options_from(args)), loaded


def print_diagnostics(loaded: api.LoadedPrincipals) -> None:
    if loaded.diagnostics:
        print(render_all(loaded.diagnostics, loaded.sources), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not args.output and not args.bundle:
        print("iam2rego compile: give -o DIR and/or --bundle OUT.tar.gz", file=sys.stderr)
        return ExitCode.USAGE
    module, st = compile_from_args(args)
    print_diagnostics(st)
    if module is None:
        return ExitCode.USAGE
    try:
        files = {**api.library_files(), **module.files}
        if args.output:
            write_tree(args.output, files)
        if args.bundle:
            write_bundle(args.bundle, files, ["iam2rego"])
    except (OSError, LibraryMissing) as exc:
        print(f"iam2rego compile: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    where = " and ".join(x for x in (args.output, args.bundle) if x)
    print(f"compiled {module.package} ({len(files)} files) -> {where}", file=sys.stderr)
    return ExitCode.OK

"""``iam2rego compile``: policy JSON -> a compiled Rego module plus the runtime library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import ir
from ..codegen import CompiledModule, CompileOptions, LibraryMissing, compile_principals, library_files
from ..diagnostics import Diagnostic, Severity, render_all
from ..outputs import write_bundle, write_tree
from ..validate import parse_policy, read_source

HELP = "compile IAM policies into a Rego module (plus the runtime library) or an OPA bundle"
EXIT_OK, EXIT_USAGE = 0, 2


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
    p.add_argument("--resource-policy", metavar="F", help="resource-based policy of the resource")
    p.add_argument(
        "--role-policy",
        metavar="F",
        action="append",
        default=[],
        help="identity policy of the role AWS Backup assumes (repeatable)",
    )
    p.add_argument("--role-boundary", metavar="F", help="permissions boundary of that role")
    p.add_argument("--mode", choices=("docs", "sar-strict"), default="docs")
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


class Loaded:
    """Policies read for one invocation: the principals, diagnostics and source texts."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self.sources: dict[str, str] = {}

    def load(self, path: str, kind: ir.PolicyKind, lenient: bool) -> ir.Policy | None:
        text, io_diags = read_source(path)  # one bounded read (iam2rego.bounded), also kept for excerpts
        if text is None:
            self.diags += io_diags
            return None
        self.sources[path] = text
        policy, diags = parse_policy(text, path, kind, lenient_json=lenient)
        self.diags += diags
        return policy

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diags)


def _split(values: list[str]) -> list[list[str]]:
    return [[f for f in v.split(",") if f] for v in values]


def load_principals(args: argparse.Namespace) -> tuple[ir.Principals | None, Loaded]:
    K, lenient, st = ir.PolicyKind, args.lenient_json, Loaded()

    def one(path: str | None, kind: ir.PolicyKind) -> ir.Policy | None:
        return st.load(path, kind, lenient) if path else None

    def many(paths: list[str], kind: ir.PolicyKind) -> tuple[ir.Policy | None, ...]:
        return tuple(st.load(p, kind, lenient) for p in paths)

    caller = dict(
        identity=many(args.files, K.IDENTITY),
        boundary=one(args.boundary, K.BOUNDARY),
        session=one(args.session, K.SESSION),
        scp_levels=tuple(many(level, K.SCP) for level in _split(args.scp)),
        rcp_levels=tuple(many(level, K.RCP) for level in _split(args.rcp)),
        resource_policy=one(args.resource_policy, K.RESOURCE),
    )
    role = None
    if args.role_policy or args.role_boundary:
        role = dict(identity=many(args.role_policy, K.IDENTITY), boundary=one(args.role_boundary, K.BOUNDARY))
    if st.failed:
        return None, st
    caller_set = ir.PolicySet(**caller)  # type: ignore[arg-type]  # no None left once nothing failed
    role_set = ir.PolicySet(**role) if role else None  # type: ignore[arg-type]
    return ir.Principals(caller=caller_set, role=role_set), st


def options_from(args: argparse.Namespace) -> CompileOptions:
    package = args.package or (Path(args.files[0]).stem if args.files else "policy")
    kms = tuple(a for a in args.kms_set.split(",") if a) if args.kms_set else None
    return CompileOptions(
        package=package,
        mode=args.mode,
        resource_glob=args.resource_glob,
        awsbackup_restore_dataplane=args.awsbackup_restore_dataplane,
        kms_set=kms,
        service_ip=args.service_ip,
        svc_calledvia=args.svc_calledvia,
    )


def compile_from_args(args: argparse.Namespace) -> tuple[CompiledModule | None, Loaded]:
    principals, st = load_principals(args)
    if principals is None:
        return None, st
    return compile_principals(principals, options_from(args)), st


def print_diagnostics(st: Loaded) -> None:
    if st.diags:
        print(render_all(st.diags, st.sources), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not args.output and not args.bundle:
        print("iam2rego compile: give -o DIR and/or --bundle OUT.tar.gz", file=sys.stderr)
        return EXIT_USAGE
    module, st = compile_from_args(args)
    print_diagnostics(st)
    if module is None:
        return EXIT_USAGE
    try:
        files = {**library_files(), **module.files}
        if args.output:
            write_tree(args.output, files)
        if args.bundle:
            write_bundle(args.bundle, files, ["iam2rego"])
    except (OSError, LibraryMissing) as exc:
        print(f"iam2rego compile: {exc}", file=sys.stderr)
        return EXIT_USAGE
    where = " and ".join(x for x in (args.output, args.bundle) if x)
    print(f"compiled {module.package} ({len(files)} files) -> {where}", file=sys.stderr)
    return EXIT_OK

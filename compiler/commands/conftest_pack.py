"""``iam2rego conftest-pack``: write the gate pack (gate + library + managed policies) for conftest."""

from __future__ import annotations

import argparse
import sys

from ..errors import ExitCode
from ..outputs import write_bundle
from ..terraform.pack import NAMESPACE, PackRefused, pack_files, write_pack

HELP = "write a ready conftest policy directory (or OPA bundle) for gating Terraform plans"

# The bundle owns these data roots: the library and gate (iam2rego) and conftest's default `main`.
BUNDLE_ROOTS = ["iam2rego", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="DIR", help="directory to (re)create: new, empty, or a previous pack"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace -o DIR even if it is not empty and not a previous pack"
    )
    parser.add_argument(
        "--bundle",
        metavar="OUT.tar.gz",
        help="also (or instead) write an OPA bundle: `conftest test --policy OUT.tar.gz`, `opa run -b OUT.tar.gz`",
    )


def run(args: argparse.Namespace) -> int:
    if not args.output and not args.bundle:
        print("iam2rego conftest-pack: give -o DIR and/or --bundle OUT.tar.gz", file=sys.stderr)
        return ExitCode.USAGE
    files = pack_files()
    written = []
    try:
        if args.output:
            written.append(str(write_pack(args.output, files, force=args.force)))
        if args.bundle:
            written.append(str(write_bundle(args.bundle, files, BUNDLE_ROOTS)))
    except PackRefused as exc:
        print(f"iam2rego conftest-pack: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except OSError as exc:
        print(f"iam2rego conftest-pack: cannot write {exc.filename or ''}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    target = written[0]
    print(f"wrote {' and '.join(written)}; run: conftest test -p {target} plan.json")
    print(f"  (or: conftest test --namespace {NAMESPACE} -p {target} plan.json)")
    return ExitCode.OK

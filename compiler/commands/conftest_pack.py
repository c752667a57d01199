"""``iam2rego conftest-pack``: write the gate pack (gate + library + managed policies) for conftest."""

from __future__ import annotations

import argparse
import sys

from ..terraform.pack import NAMESPACE, pack_files, write_pack

HELP = "write a ready conftest policy directory for gating Terraform plans"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to (re)create")


def run(args: argparse.Namespace) -> int:
    try:
        target = write_pack(args.output, pack_files())
    except OSError as exc:
        print(f"iam2rego conftest-pack: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {target}; run: conftest test --namespace {NAMESPACE} -p {target} plan.json")
    return 0

"""``iam2rego test``: run YAML scenario suites on an engine and report."""

from __future__ import annotations

import argparse
import sys

from .. import deadline
from ..api import get_engine
from ..errors import EngineError, ExitCode
from .options import add_engine_options, bad_timeout

HELP = "run YAML scenario suites (files or directories) on an OPA engine and report pass/fail"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="SUITE_OR_DIR", help="suite files or directories to search"
    )
    add_engine_options(parser)
    parser.add_argument(
        "-k",
        dest="select",
        default=None,
        metavar="EXPR",
        help="only cases whose name, suite or tags match EXPR (substrings with and/or/not)",
    )
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    parser.add_argument("--json", dest="json_out", metavar="FILE", help="also write a JSON report")
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="let suites name policy files outside their directory and the current directory",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every command's module is imported to build the CLI, and the
    # harness (YAML, jsonschema) would slow down `iam2rego check` (tests/unit/test_cli_imports.py).
    from ..harness.report import console, to_json, to_junit
    from ..harness.runner import progress_bar, run_suites
    from ..harness.select import SelectionError, compile_expression
    from ..outputs import OutputRefused, check_targets, write_atomic

    if bad_timeout("test", args):
        return ExitCode.USAGE
    try:
        compile_expression(args.select or "")
    except SelectionError as exc:
        print(f"iam2rego test: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        engine = get_engine(
            args.engine, opa_image=args.opa_image, opa_path=args.opa_path, timeout=args.timeout
        )
        if args.engine != "auto":
            problem = engine.unavailable_reason()
            if problem:
                raise EngineError(engine.name, problem)
    except EngineError as exc:
        print(f"iam2rego test: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    reports = [(p, render) for p, render in ((args.junit, to_junit), (args.json_out, to_json)) if p]
    try:  # a directory, a link to a file, or --junit and --json on one file: refused before running
        check_targets([(w, p) for w, p in (("--junit", args.junit), ("--json", args.json_out)) if p])
    except OutputRefused as exc:
        print(f"iam2rego test: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    for path, _ in reports:  # before running anything: a report that cannot be written is a usage error
        problem = unwritable(path)
        if problem:
            print(f"iam2rego test: cannot write {path}: {problem}", file=sys.stderr)
            return ExitCode.USAGE
    result = run_suites(
        args.paths, engine, select=args.select, progress=progress_bar(), allow_outside=args.allow_outside
    )
    deadline.commit()  # past --timeout: no report is written (and none is cut short)
    sys.stdout.write(console(result, verbose=args.verbose))
    for path, render in reports:
        try:
            write_atomic(path, render(result))
        except OSError as exc:
            print(f"iam2rego test: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return ExitCode.USAGE
    return result.exit_code


def unwritable(path: str) -> str | None:
    """Why a report file cannot be created at ``path`` (None: it can, as far as permissions tell)."""
    import os
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        return "it is a directory"
    parent = target.parent
    while not parent.exists():  # write_atomic creates missing parents
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the directory {parent} is not writable"
    return None

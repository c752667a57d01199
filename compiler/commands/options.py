"""Option blocks and report routing shared by the commands: flags and plumbing only, no analysis.

``add_engine_options`` (eval, test, gate, access), ``add_mode_option`` (compile, eval, explain, check),
``add_format_options`` + ``output_formats`` +
``route_outputs`` + ``write_reports`` (check, gate: ``--format FMT[=FILE]`` repeatable, ``-o FILE``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..api import DEFAULT_MODE, ENGINE_CHOICES, MODES
from ..report import format_spec

Formats = list[tuple[str, str | None]]


def add_engine_options(p: argparse.ArgumentParser, *, timeout: bool = True) -> None:
    """``--engine``, ``--opa-image``, ``--opa-path`` and (unless ``timeout=False``) ``--timeout S``."""
    p.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        default="auto",
        help="where to evaluate: auto (docker, then opa, then embedded), docker, opa, embedded, "
        "wasm (opa build -t wasm once, then in-process)",
    )
    p.add_argument(
        "--opa-image",
        default=None,
        help="Docker image for --engine docker (default: $IAM2REGO_OPA_IMAGE or the pinned OPA image)",
    )
    p.add_argument(
        "--opa-path",
        default=None,
        help="opa binary for --engine opa and wasm (default: tools/bin/opa of iam2rego's own source tree, "
        "then the absolute PATH entries; never the current directory)",
    )
    if timeout:
        p.add_argument(
            "--timeout",
            type=float,
            default=300.0,
            metavar="S",
            help="seconds allowed for the whole command, every engine call included; past it: exit 2, "
            "no report written (default 300)",
        )


def add_mode_option(p: argparse.ArgumentParser) -> None:
    """``--mode {docs,sar-strict}``: the evaluation mode (SEMANTICS §3.1), default docs."""
    p.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help="evaluation mode (SEMANTICS §3.1): docs checks RestoreTableFromBackup on the backup ARN only "
        "(default); sar-strict also on the restore's target table",
    )


def bad_timeout(prog: str, args: argparse.Namespace) -> bool:
    """Report (on stderr) and return True when ``--timeout`` is not positive."""
    if args.timeout <= 0:
        print(f"iam2rego {prog}: --timeout must be positive", file=sys.stderr)
        return True
    return False


def add_format_options(p: argparse.ArgumentParser, formats: Sequence[str], *, example: str) -> None:
    """``--format FORMAT[=FILE]`` (repeatable) and ``-o/--output FILE`` for the format without ``=FILE``."""
    p.add_argument(
        "--format",
        action="append",
        type=format_spec(formats),
        metavar="FORMAT[=FILE]",
        help=f"output format ({', '.join(formats)}); repeat for several, FORMAT=FILE writes that one to FILE "
        f"(e.g. --format text --format {example}); default text",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the format without =FILE here, not stdout")


def output_formats(prog: str, args: argparse.Namespace) -> Formats | None:
    """The requested formats (default text); None, reported on stderr, when two go to stdout."""
    formats: Formats = args.format or [("text", None)]
    if sum(1 for _, path in formats if path is None) > 1:
        print(
            f"iam2rego {prog}: only one --format can go to stdout (or --output); give the others =FILE",
            file=sys.stderr,
        )
        return None
    return formats


def claim_outputs(
    prog: str, formats: Formats, output: str | None, extra: Sequence[tuple[str, str | None]] = ()
) -> bool:
    """Check every output target before any work (outputs.check_targets): False, reported on stderr,
    when one is not writable as a report (a directory, a link to a file) or two share one target."""
    from ..outputs import OutputRefused, check_targets

    targets = [(fmt, path or output) for fmt, path in formats] + [(w, p) for w, p in extra if p]
    try:
        check_targets(targets)
    except OutputRefused as exc:
        print(f"iam2rego {prog}: {exc}", file=sys.stderr)
        return False
    return True


def route_outputs(
    formats: Formats, output: str | None, render: Callable[[str], str]
) -> tuple[str, dict[str, str]]:
    """Render every format: (stdout text, {file: text}); a format without ``=FILE`` goes to ``output``.

    Two formats on one target raise ``OutputRefused`` (exit 2); commands call ``claim_outputs`` first."""
    from ..outputs import check_targets

    check_targets([(fmt, path or output) for fmt, path in formats])
    stdout, files = "", {}
    for fmt, path in formats:
        text = render(fmt)
        target = path or output
        if target:
            files[target] = text
        else:
            stdout = text
    return stdout, files


def write_reports(prog: str, files: dict[str, str]) -> bool:
    """Write all files or none (``outputs.write_files``); False, reported on stderr, when that failed."""
    if not files:
        return True
    from .. import deadline
    from ..outputs import OutputRefused, write_files

    deadline.commit()  # past --timeout: nothing is written; else the writing is not cut short
    try:
        write_files(files)
    except OutputRefused as exc:
        print(f"iam2rego {prog}: {exc}", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"iam2rego {prog}: cannot write {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True

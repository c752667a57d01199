"""``iam2rego eval``: decide one request (or a JSON-lines batch) with compiled policies on an engine.

Targets are a directory written by ``iam2rego compile -o`` or policy JSON files (compiled on the
fly with the same flags as ``compile``). An input with an ``operation`` member is a composite
operation (``operation`` entry point), otherwise a single request (``decision``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .. import answers, bounded
from ..codegen import LibraryMissing, library_files
from ..harness.engines import EngineError
from .compile import add_policy_arguments, compile_from_args, print_diagnostics

HELP = "decide a request or a JSON-lines batch of requests with compiled policies"
EXIT_OK, EXIT_USAGE = 0, 2
_PACKAGE = re.compile(r"^package\s+(iam2rego\.policies\.[A-Za-z0-9_.]+)\s*$", re.M)


class UsageError(Exception):
    pass


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_policy_arguments(p)
    p.add_argument("--engine", choices=("auto", "docker", "opa", "embedded"), default="auto")
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds allowed for the engine (default 300)",
    )
    p.add_argument(
        "--opa-path", default=None, help="opa binary for --engine opa (default: tools/bin/opa, PATH)"
    )
    p.add_argument("--opa-image", default=None, help="Docker image for --engine docker")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--input", metavar="JSON|FILE", help="one request or operation (JSON text, a file, or - for stdin)"
    )
    src.add_argument(
        "--batch", metavar="FILE.jsonl", help="one request or operation per line (a file, or - for stdin)"
    )


def read_inputs(args: argparse.Namespace) -> list[dict]:
    """The requests: every read is bounded (size, file type, UTF-8, nesting; iam2rego.bounded)."""
    try:
        if args.batch:
            label = "<stdin>" if args.batch == "-" else args.batch
            text = bounded.read_text(args.batch, "batch", bounded.BATCH)
            # Only \n ends a line: str.splitlines() would also split inside a request at U+2028 etc.
            lines = text.split("\n")
            return [_parse(line, label, n) for n, line in enumerate(lines, 1) if line.strip()]
        text, label = args.input, "--input"
        if text == "-":
            text, label = bounded.read_text("-", "request", bounded.REQUEST), "<stdin>"
        elif not text.lstrip().startswith("{"):
            text, label = bounded.read_text(text, "request", bounded.REQUEST), text
        return [_parse(text, label, 1)]
    except bounded.InputError as exc:
        raise UsageError(str(exc)) from None


def _parse(text: str, where: str, line: int) -> dict:
    try:
        value = bounded.load_json(text, where, "request", bounded.REQUEST)
    except bounded.InputError as exc:  # locate in the whole file (a batch line is line ``line``)
        d = exc.diagnostic
        raise UsageError(
            f"{where}:{line + d.span.line - 1}:{d.span.column}: error[{d.code}]: {d.message}"
        ) from None
    if not isinstance(value, dict):
        raise UsageError(f"{where}:{line}:1: a request must be a JSON object")
    return value


def load_modules(args: argparse.Namespace) -> tuple[dict[str, str], str] | None:
    """(modules, package) from a compiled directory, or compiled now from policy files."""
    if len(args.files) == 1 and Path(args.files[0]).is_dir():
        root = Path(args.files[0])
        modules = {
            p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.rego"))
        }
        packages = sorted({m.group(1) for text in modules.values() for m in _PACKAGE.finditer(text)})
        if len(packages) != 1:
            raise UsageError(
                f"{root}: expected one compiled iam2rego.policies package, found {len(packages)}"
            )
        return modules, packages[0]
    module, st = compile_from_args(args)
    print_diagnostics(st)
    if module is None:
        return None
    return {**library_files(), **module.files}, module.package


def evaluate(args: argparse.Namespace, inputs: list[dict]) -> list[object] | None:
    loaded = load_modules(args)
    if loaded is None:
        return None
    modules, package = loaded
    from ..harness.engines import get_engine

    engine = get_engine(args.engine, timeout=args.timeout, opa_path=args.opa_path, opa_image=args.opa_image)
    requests = [i for i in inputs if "operation" not in i]
    operations = [i for i in inputs if "operation" in i]
    by_input: dict[int, object] = {}
    for entry, group in (("decision", requests), ("operation", operations)):
        if group:
            entrypoint = f"data.{package}.{entry}"
            out = answers.require(entry, engine.evaluate(modules, entrypoint, group), engine.name, entrypoint)
            by_input.update({id(i): o for i, o in zip(group, out, strict=True)})
    return [by_input[id(i)] for i in inputs]


def json_line(value: object) -> str:
    """One JSON line; U+2028/U+2029 escaped (raw they end a line in JavaScript and some log tools)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        print("iam2rego eval: --timeout must be positive", file=sys.stderr)
        return EXIT_USAGE
    try:
        inputs = read_inputs(args)
        results = evaluate(args, inputs)
    except (UsageError, LibraryMissing, OSError) as exc:
        print(f"iam2rego eval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:  # engine failures and wrong-shaped answers: exit 2 (ARCHITECTURE §7)
        print(f"iam2rego eval: engine error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if results is None:
        return EXIT_USAGE
    for result in results:
        print(json_line(result))
    return EXIT_OK

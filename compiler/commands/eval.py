"""``iam2rego eval``: decide one request (or a JSON-lines batch) with compiled policies on an engine.

Targets are a directory written by ``iam2rego compile -o`` or policy JSON files (compiled on the
fly with the same flags as ``compile``). An input with an ``operation`` member is a composite
operation (``operation`` entry point), otherwise a single request (``decision``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import api, bounded
from ..errors import ExitCode, UsageError
from .compile import add_policy_arguments, compile_from_args, print_diagnostics
from .options import add_engine_options

HELP = "decide a request or a JSON-lines batch of requests with compiled policies"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_policy_arguments(p)
    add_engine_options(p)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--input", metavar="JSON|FILE", help="one request or operation (JSON text, a file, or - for stdin)"
    )
    src.add_argument(
        "--batch", metavar="FILE.jsonl", help="one request or operation per line (a file, or - for stdin)"
    )
    p.add_argument(
        "--open",
        "--any-context",
        dest="open",
        action="store_true",
        help="ask for every request context: allowed, denied or conditional (with the condition); "
        "the input's context keys and --pin/--fixed keys are fixed, every other key is open",
    )
    p.add_argument(
        "--pin", metavar="KEY=VALUE", action="append", default=[], help="fix a context key (with --open)"
    )
    p.add_argument(
        "--fixed",
        metavar="KEY",
        action="append",
        default=[],
        help="a context key (or prefix*) that is fixed and absent unless pinned (with --open)",
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


def load_module(args: argparse.Namespace) -> tuple[api.CompiledModule, bool] | None:
    """(module, whether it still needs the library): a compiled directory, or compiled now from files."""
    if len(args.files) == 1 and Path(args.files[0]).is_dir():
        return api.load_compiled(args.files[0]), False
    module, loaded = compile_from_args(args)
    print_diagnostics(loaded)
    return (module, True) if module is not None else None


def _documents(paths: list[str], sources: dict[str, str], lenient: bool) -> list[dict]:
    from ..analysis import policy_doc

    docs = []
    for path in paths:
        text = sources[path]
        if lenient:  # --lenient-json: the first JSON value, as the front end read it
            text = json.dumps(json.JSONDecoder().raw_decode(text.lstrip())[0])
        docs.append(policy_doc(Path(path).stem, text, path))
    return docs


def open_inputs(args: argparse.Namespace, inputs: list[dict]) -> list[dict] | None:
    """Analysis inputs (--open): the policy files as data, validated by the front end first."""
    from ..analysis import parse_pins, policy_set, question
    from .compile import _split, principals_spec

    if len(args.files) == 1 and Path(args.files[0]).is_dir():
        raise UsageError("--open reads policy files, not a compiled directory")
    loaded = api.load_principals(principals_spec(args))
    print_diagnostics(loaded)
    if loaded.failed:
        return None

    def docs(paths: list[str]) -> list[dict]:
        return _documents(paths, loaded.sources, args.lenient_json)

    def one(path: str | None) -> dict | None:
        return docs([path])[0] if path else None

    caller = policy_set(
        docs(args.files),
        boundary=one(args.boundary),
        session=one(args.session),
        scp=[docs(level) for level in _split(args.scp)],
        rcp=[docs(level) for level in _split(args.rcp)],
        resource_policy=one(args.resource_policy),
    )
    policies = {"caller": caller}
    if args.role_policy or args.role_boundary:
        policies["role"] = policy_set(docs(args.role_policy), boundary=one(args.role_boundary))
    try:
        pins = parse_pins(args.pin)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    kms = [a for a in args.kms_set.split(",") if a] if args.kms_set else None
    options = {
        "mode": args.mode,
        "resource_glob": args.resource_glob,
        "awsbackup_restore_dataplane": args.awsbackup_restore_dataplane,
        "kms_set": kms,
        "service_ip": args.service_ip,
        "svc_calledvia": args.svc_calledvia,
    }
    return [question(policies, i, pins=pins, fixed=args.fixed, options=options) for i in inputs]


def evaluate(args: argparse.Namespace, inputs: list[dict]) -> list[object] | None:
    """One checked answer per input; None when the policies did not compile (diagnostics printed)."""
    if getattr(args, "open", False):
        questions = open_inputs(args, inputs)
        if questions is None:
            return None
        from ..analysis import analyze

        engine_opts = {"timeout": args.timeout, "opa_path": args.opa_path, "opa_image": args.opa_image}
        return list(analyze(questions, engine=args.engine, **engine_opts))
    if args.pin or args.fixed:
        raise UsageError("--pin and --fixed need --open")
    loaded = load_module(args)
    if loaded is None:
        return None
    module, with_library = loaded
    return api.decide(
        module,
        inputs,
        engine=args.engine,
        with_library=with_library,
        timeout=args.timeout,
        opa_path=args.opa_path,
        opa_image=args.opa_image,
    )


def json_line(value: object) -> str:
    """One JSON line; U+2028/U+2029 escaped (raw they end a line in JavaScript and some log tools)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    results = evaluate(args, read_inputs(args))
    if results is None:
        return ExitCode.USAGE
    for result in results:
        print(json_line(result))
    return ExitCode.OK

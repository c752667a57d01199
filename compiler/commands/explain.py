"""``iam2rego explain``: the decision for one request, with the deciding statements and their source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..codegen import LibraryMissing
from . import eval as eval_cmd

HELP = "explain the decision for one request: the deciding statements and their source lines"
EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    eval_cmd.add_arguments(p)


def source_excerpt(source: str) -> list[str]:
    """``path:line:col`` -> the location and the policy line with a caret (the diagnostics layout)."""
    path, _, rest = source.rpartition(":")
    path, _, line_text = path.rpartition(":")
    try:
        line, col = int(line_text), int(rest)
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (ValueError, OSError, UnicodeDecodeError):
        return [f"  {source}"]
    if not 1 <= line <= len(lines):
        return [f"  {source}"]
    text = lines[line - 1]
    gutter = f"{line:>6}"
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
    return [f"  {source}", f"{gutter} | {text}", f"{' ' * len(gutter)} | {pad}^"]


def render(result: object) -> str:
    if not isinstance(result, dict):
        return "no decision (undefined): is the input a request with action and resource?"
    if "checks" in result:  # composite operation
        out = [f"operation: {'ALLOWED' if result.get('allowed') else 'DENIED'} ({result.get('decision')})"]
        for check in result.get("checks", []):
            out.append(f"- {check.get('id')}: {check.get('decision')} ({check.get('reason')})")
            out += ["  " + line for r in check.get("reasons", []) for line in _reason(r)]
        return "\n".join(out)
    out = [f"decision: {result.get('decision')} (reason: {result.get('reason')})"]
    for r in result.get("reasons", []):
        out += _reason(r)
    return "\n".join(out)


def _reason(r: dict) -> list[str]:
    sid = r.get("sid")
    head = f"{r.get('effect')} by {r.get('policy')} statement {r.get('statement_index')}"
    return [head + (f" (Sid {sid!r})" if sid else ""), *source_excerpt(str(r.get("source", "")))]


def run(args: argparse.Namespace) -> int:
    try:
        inputs = eval_cmd.read_inputs(args)
        results = eval_cmd.evaluate(args, inputs)
    except (eval_cmd.UsageError, LibraryMissing, OSError) as exc:
        print(f"iam2rego explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if results is None:
        return EXIT_USAGE
    print("\n\n".join(render(r) for r in results))
    return EXIT_OK

"""``iam2rego explain``: the decision for one request, with the deciding statements and their source."""

from __future__ import annotations

import argparse

from .. import api, bounded
from ..diagnostics import gutter_line
from ..errors import ExitCode
from . import eval as eval_cmd

HELP = "explain the decision for one request: the deciding statements and their source lines"


def add_arguments(p: argparse.ArgumentParser) -> None:
    eval_cmd.add_arguments(p)


MAX_EXCERPT_LINES = 15


def source_excerpt(source: str) -> list[str]:
    """``path:line:col`` -> the location and the statement's lines (the diagnostics gutter layout)."""
    path, _, rest = source.rpartition(":")
    path, _, line_text = path.rpartition(":")
    text = bounded.text_or_none(path, "policy", bounded.POLICY)
    try:
        line, col = int(line_text), int(rest)
    except ValueError:
        return [f"  {source}"]
    if text is None or not bounded.looks_like_json_object(text):
        return [f"  {source}"]
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return [f"  {source}"]
    span = api.object_span_at(text, line, col)  # the statement as the JSON IR located it
    end = span.end_line if span is not None else line
    shown = range(line, min(end, line + MAX_EXCERPT_LINES - 1) + 1)
    out = [f"  {source}"]
    out += [gutter_line(n, lines[n - 1]) for n in shown]
    if end > shown[-1]:
        out.append(gutter_line("", f"... ({end - shown[-1]} more lines)"))
    return out


def render(result: object) -> str:
    if isinstance(result, dict) and "answer" in result:  # --open: the analysis answer
        from ..analysis import render as render_answer

        return render_answer(result)
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
    if not result.get("reasons"):
        out.append("no statement decided it: nothing allows this request, so it is implicitly denied")
    return "\n".join(out)


def _reason(r: dict) -> list[str]:
    sid = r.get("sid")
    head = f"{r.get('effect')} by {r.get('policy')} statement {r.get('statement_index')}"
    return [head + (f" (Sid {sid!r})" if sid else ""), *source_excerpt(str(r.get("source", "")))]


def run(args: argparse.Namespace) -> int:
    results = eval_cmd.evaluate(args, eval_cmd.read_inputs(args))
    if results is None:
        return ExitCode.USAGE
    print("\n\n".join(render(r) for r in results))
    return ExitCode.OK

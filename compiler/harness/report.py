"""Scenario run reports: console text, JUnit XML, JSON. Files are written by ``outputs.write_atomic``."""

from __future__ import annotations

import json
import re

from .. import bounded
from ..diagnostics import gutter_line
from ..report import junit
from .runner import CaseResult, RunResult

_SOURCE = re.compile(r" at (?P<path>[^\s]+?):(?P<line>\d+):(?P<col>\d+)$")


def _source_line(path: str, line: int, sources: dict[str, str] | None) -> str | None:
    text = (sources or {}).get(path)
    if text is None:
        text = bounded.text_or_none(path, "policy", bounded.POLICY)
        if text is None or not bounded.looks_like_json_object(text):
            return None
    lines = text.splitlines()
    return lines[line - 1].strip()[:160] if 1 <= line <= len(lines) else None


def _explain(line: str, sources: dict[str, str] | None) -> list[str]:
    out = [line]
    m = _SOURCE.search(line)
    if m:
        src = _source_line(m.group("path"), int(m.group("line")), sources)
        if src:
            indent = " " * (len(line) - len(line.lstrip()) + 4)
            out.append(indent + gutter_line(m.group("line"), src, width=5))
    return out


def console(run: RunResult, *, verbose: bool = False, sources: dict[str, str] | None = None) -> str:
    sources = run.sources if sources is None else sources
    lines: list[str] = []
    for err in run.errors:
        kind = "invalid suite" if err.kind == "invalid" else "engine error"
        lines.append(f"ERROR ({kind}) {err.suite}")
        lines += ["    " + t for t in err.message.splitlines()]
    for r in run.results:
        if r.passed and not verbose:
            continue
        status = "PASS" if r.passed else "FAIL"
        lines.append(f"{status} {r.suite}:{r.line} {r.name}  expected {r.expected}, got {r.actual}")
        if not r.passed:
            lines += [f"    - {p}" for p in r.problems]
            for ex in r.explanation:
                lines += ["      " + t for t in _explain(ex, sources)]
    suites = len({r.suite for r in run.results})
    lines.append(
        f"engine {run.engine}: {suites} suite(s), {len(run.results)} case(s), {run.deselected} deselected, "
        f"{len(run.errors)} error(s), {run.seconds:.2f} s"
    )
    lines.append(f"scenarios: {run.passed} passed, {run.failed} failed")
    return "\n".join(lines) + "\n"


def to_json(run: RunResult) -> str:
    doc = {
        "engine": run.engine,
        "passed": run.passed,
        "failed": run.failed,
        "errors": [{"suite": e.suite, "kind": e.kind, "message": e.message} for e in run.errors],
        "deselected": run.deselected,
        "seconds": round(run.seconds, 3),
        "exit_code": run.exit_code,
        "cases": [r.to_json() for r in run.results],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _case(r: CaseResult, engine: str) -> junit.Case:
    failure = None
    if not r.passed:
        failure = junit.Problem(
            f"expected {r.expected}, got {r.actual}", "\n".join([*r.problems, *r.explanation])
        )
    return junit.Case(
        classname=r.suite,
        name=r.name,
        time=r.seconds,
        file=r.suite,
        line=r.line,
        failure=failure,
        properties=(("engine", engine), ("tags", ",".join(r.tags))),
    )


def to_junit(run: RunResult) -> str:
    """One ``<testsuite>`` per scenario suite, then one per suite that could not run (an ``<error>``)."""
    by_suite: dict[str, list[CaseResult]] = {}
    for r in run.results:
        by_suite.setdefault(r.suite, []).append(r)
    suites = [
        junit.Suite(label, [_case(r, run.engine) for r in results], time=sum(r.seconds for r in results))
        for label, results in by_suite.items()
    ]
    for err in run.errors:
        message = err.message.splitlines()[0] if err.message else err.kind
        case = junit.Case(err.suite, f"{err.kind} error", error=junit.Problem(message, err.message))
        suites.append(junit.Suite(err.suite, [case], time=0.0))
    return junit.to_xml(suites, time=run.seconds)

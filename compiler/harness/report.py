"""Scenario run reports: console text, JUnit XML, JSON. Files are written by ``outputs.write_atomic``."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from .. import bounded
from ..diagnostics import gutter_line
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


def _failure_text(r: CaseResult) -> str:
    return "\n".join([*r.problems, *r.explanation])


def to_junit(run: RunResult) -> str:
    root = ET.Element(
        "testsuites",
        name="iam2rego",
        tests=str(len(run.results) + len(run.errors)),
        failures=str(run.failed),
        errors=str(len(run.errors)),
        time=f"{run.seconds:.3f}",
    )
    by_suite: dict[str, list[CaseResult]] = {}
    for r in run.results:
        by_suite.setdefault(r.suite, []).append(r)
    for label, results in by_suite.items():
        ts = ET.SubElement(
            root,
            "testsuite",
            name=label,
            tests=str(len(results)),
            failures=str(sum(not r.passed for r in results)),
            errors="0",
            time=f"{sum(r.seconds for r in results):.3f}",
        )
        for r in results:
            tc = ET.SubElement(
                ts,
                "testcase",
                classname=label,
                name=r.name,
                time=f"{r.seconds:.6f}",
                file=label,
                line=str(r.line),
            )
            if not r.passed:
                failure = ET.SubElement(tc, "failure", message=f"expected {r.expected}, got {r.actual}")
                failure.text = _failure_text(r)
            ET.SubElement(tc, "properties")
            props = tc.find("properties")
            assert props is not None
            ET.SubElement(props, "property", name="engine", value=run.engine)
            ET.SubElement(props, "property", name="tags", value=",".join(r.tags))
    for err in run.errors:
        ts = ET.SubElement(root, "testsuite", name=err.suite, tests="1", failures="0", errors="1", time="0")
        tc = ET.SubElement(ts, "testcase", classname=err.suite, name=f"{err.kind} error")
        e = ET.SubElement(tc, "error", message=err.message.splitlines()[0] if err.message else err.kind)
        e.text = err.message
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""The one JUnit XML writer (``iam2rego test --junit`` and ``iam2rego gate --format junit``).

Callers describe their run as :class:`Suite` and :class:`Case` values; :func:`to_xml` owns the
document: element order (``properties``, ``failure``/``error``, ``system-out``), the totals on
``<testsuites>`` and each ``<testsuite>``, escaping (ElementTree) and the removal of characters XML 1.0
cannot carry (NUL, other C0 controls, lone surrogates, U+FFFE/U+FFFF), so a hostile name, message
or policy string never makes the report unreadable.

Not a diagnostics formatter (``report.renderer``): JUnit reports runs, not diagnostics.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

# Characters outside the XML 1.0 ``Char`` production; each becomes U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD (escaping is ElementTree's)."""
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class Problem:
    """A ``<failure>`` or ``<error>``: ``message`` attribute, optional ``type``, body ``text``."""

    message: str
    text: str = ""
    type: str | None = None


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    time: float | None = None
    file: str | None = None
    line: int | None = None
    failure: Problem | None = None
    error: Problem | None = None
    skipped: str | None = None  # ``<skipped message=...>``: the case's only findings are suppressed
    properties: Sequence[tuple[str, str]] = ()
    system_out: str | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    cases: Sequence[Case] = field(default_factory=tuple)
    time: float | None = None


def _element(parent: ET.Element, tag: str, attrs: dict[str, str | None]) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items() if v is not None})


def _problem(parent: ET.Element, tag: str, problem: Problem) -> None:
    el = _element(parent, tag, {"message": problem.message, "type": problem.type})
    if problem.text:
        el.text = xml_text(problem.text)


def _case(parent: ET.Element, case: Case) -> None:
    tc = _element(
        parent,
        "testcase",
        {
            "classname": case.classname,
            "name": case.name,
            "time": None if case.time is None else f"{case.time:.6f}",
            "file": case.file,
            "line": None if case.line is None else str(case.line),
        },
    )
    if case.properties:
        props = ET.SubElement(tc, "properties")
        for name, value in case.properties:
            _element(props, "property", {"name": name, "value": value})
    if case.failure is not None:
        _problem(tc, "failure", case.failure)
    if case.error is not None:
        _problem(tc, "error", case.error)
    if case.skipped is not None and case.failure is None and case.error is None:
        _element(tc, "skipped", {"message": case.skipped})
    if case.system_out:
        ET.SubElement(tc, "system-out").text = xml_text(case.system_out)


def _counts(cases: Sequence[Case]) -> dict[str, str]:
    return {
        "tests": str(len(cases)),
        "failures": str(sum(c.failure is not None for c in cases)),
        "errors": str(sum(c.error is not None for c in cases)),
        "skipped": str(sum(c.skipped is not None and c.failure is None and c.error is None for c in cases)),
    }


def _seconds(t: float | None) -> str | None:
    return None if t is None else f"{t:.3f}"


def to_xml(suites: Sequence[Suite], *, name: str = "iam2rego", time: float | None = None) -> str:
    """The JUnit document: ``<testsuites>`` with the totals, one ``<testsuite>`` per suite, in order."""
    cases = [c for s in suites for c in s.cases]
    root = ET.Element("testsuites", {"name": xml_text(name), **_counts(cases)})
    if time is not None:
        root.set("time", f"{time:.3f}")
    for suite in suites:
        ts = _element(
            root, "testsuite", {"name": suite.name, **_counts(suite.cases), "time": _seconds(suite.time)}
        )
        for case in suite.cases:
            _case(ts, case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

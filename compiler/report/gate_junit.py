"""JUnit XML for gate findings: one test case per finding (errors fail, warnings are skipped)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from ..diagnostics import Diagnostic, Severity


def _case(d: Diagnostic) -> str:
    name = quoteattr(f"{d.code} {d.message[:120]}")
    body = escape(d.message)
    if d.severity >= Severity.ERROR:
        inner = f"<failure type={quoteattr(d.code)} message={quoteattr(d.message)}>{body}</failure>"
    else:
        inner = f"<skipped message={quoteattr(d.message)}/>"
    return f"    <testcase classname={quoteattr(d.path)} name={name}>{inner}</testcase>"


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    failures = sum(1 for d in diagnostics if d.severity >= Severity.ERROR)
    skipped = len(diagnostics) - failures
    cases = [_case(d) for d in diagnostics]
    if not cases:
        cases = ['    <testcase classname="iam2rego.gate" name="no findings"/>']
    total = max(len(diagnostics), 1)
    head = (
        f'<testsuite name="iam2rego.gate" tests="{total}" failures="{failures}" '
        f'errors="0" skipped="{skipped}">'
    )
    return (
        "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                "<testsuites>",
                "  " + head,
                *cases,
                "  </testsuite>",
                "</testsuites>",
            ]
        )
        + "\n"
    )

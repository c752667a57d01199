"""JUnit XML for the gate: one test case per guardrail × principal and per built-in check × principal.

Passing combinations are listed too (a clean plan shows what was checked). Test case names are
unique: ``classname`` = ``iam2rego.gate.guardrail.<id>`` or ``iam2rego.gate.builtin.<CODE>``,
``name`` = the principal's address (``plan`` for plan-level checks). An active deny is a
``<failure>`` (all its messages); warnings, suppressed and baselined findings are listed in
``<system-out>`` and as ``<properties>``; nothing is a skip. ``file``/``line`` attributes carry the
first finding's location (the ``.tf`` line when found).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..terraform.findings import GateFinding

PLAN = "plan"
# Built-in checks evaluated once per plan, not per principal.
PLAN_LEVEL = (
    "IAM2REGO-PLAN-MALFORMED",
    "IAM2REGO-PLAN-FORMAT",
    "IAM2REGO-CONFIG-INVALID",
    "IAM2REGO-ACCOUNT-AMBIGUOUS",
)
NOT_CHECKS = ("IAM2REGO-GUARDRAIL", "IAM2REGO-EXCEPTION-APPLIED")


def _key(g: GateFinding, guardrails: set[str]) -> tuple[str, str]:
    if g.code == "IAM2REGO-GUARDRAIL" or g.guardrail in guardrails:
        cls = f"iam2rego.gate.guardrail.{g.guardrail}"
    else:
        cls = f"iam2rego.gate.builtin.{g.code}"
    return cls, g.principal or PLAN


def _status(g: GateFinding) -> str:
    if g.suppression is not None:
        return f"suppressed ({g.suppression.justification or 'no reason given'})"
    if g.baselined:
        return "in baseline"
    return "warning" if g.severity == "warn" else "failure"


def _case(cls: str, name: str, found: list[GateFinding]) -> str:
    attrs = f"classname={quoteattr(cls)} name={quoteattr(name)}"
    if found:
        loc = found[0].location
        attrs += f" file={quoteattr(loc.path)} line={quoteattr(str(loc.span.line))}"
    failing = [g for g in found if g.active and g.severity == "deny"]
    others = [g for g in found if g not in failing]
    inner = []
    if others:
        props = "".join(
            f"<property name={quoteattr(_status(g))} value={quoteattr(g.message)}/>" for g in others
        )
        inner.append(f"<properties>{props}</properties>")
    if failing:
        first = failing[0]
        body = "\n".join(
            f"{g.location.path}:{g.location.span.line}:{g.location.span.column}: {g.message}" for g in failing
        )
        inner.append(
            f"<failure type={quoteattr(first.code)} message={quoteattr(first.message)}>{escape(body)}</failure>"
        )
    if others:
        text = "\n".join(
            f"{_status(g)}: {g.location.path}:{g.location.span.line}: {g.message}" for g in others
        )
        inner.append(f"<system-out>{escape(text)}</system-out>")
    if not inner:
        return f"    <testcase {attrs}/>"
    return f"    <testcase {attrs}>{''.join(inner)}</testcase>"


def render(
    findings: Sequence[GateFinding],
    *,
    guardrails: Iterable[str] = (),
    principals: Iterable[str] = (),
    builtin_codes: Iterable[str] = (),
) -> str:
    guardrail_ids = set(guardrails)
    principal_list = sorted(set(principals))
    cases: dict[tuple[str, str], list[GateFinding]] = {}
    for gid in sorted(guardrail_ids):
        for p in principal_list:
            cases[(f"iam2rego.gate.guardrail.{gid}", p)] = []
    for code in sorted(set(builtin_codes) - set(NOT_CHECKS)):
        for p in [PLAN] if code in PLAN_LEVEL else principal_list:
            cases[(f"iam2rego.gate.builtin.{code}", p)] = []
    for g in findings:
        cases.setdefault(_key(g, guardrail_ids), []).append(g)
    failures = sum(1 for found in cases.values() if any(g.active and g.severity == "deny" for g in found))
    head = (
        f'<testsuite name="iam2rego.gate" tests="{len(cases)}" failures="{failures}" errors="0" skipped="0">'
    )
    body = [_case(cls, name, cases[(cls, name)]) for cls, name in sorted(cases)]
    return (
        "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                "<testsuites>",
                "  " + head,
                *body,
                "  </testsuite>",
                "</testsuites>",
            ]
        )
        + "\n"
    )

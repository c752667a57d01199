"""JUnit XML for the gate: one test case per guardrail × principal and per built-in check × principal.

Passing combinations are listed too (a clean plan shows what was checked). Test case names are
unique: ``classname`` = ``iam2rego.gate.guardrail.<id>`` or ``iam2rego.gate.builtin.<CODE>``,
``name`` = the principal's address (``plan`` for plan-level checks). An active deny is a
``<failure>`` (all its messages); warnings, suppressed and baselined findings are listed in
``<system-out>`` and as ``<properties>``; a case without a failure that holds a suppressed (excepted,
skipped inline) or baselined deny is ``<skipped>`` with the suppressions' reasons. ``file``/``line``
attributes carry the first finding's location (the ``.tf`` line when found).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..terraform.findings import GateFinding
from . import junit

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
    status = "warning" if g.severity == "warn" else "failure"
    return f"{status} ({'; '.join(g.notes)})" if g.notes else status


def _case(cls: str, name: str, found: list[GateFinding]) -> junit.Case:
    failing = [g for g in found if g.active and g.severity == "deny"]
    others = [g for g in found if g not in failing]
    failure = None
    if failing:
        body = "\n".join(
            f"{g.location.path}:{g.location.span.line}:{g.location.span.column}: {g.message}" for g in failing
        )
        failure = junit.Problem(failing[0].message, body, type=failing[0].code)
    loc = found[0].location if found else None
    quiet = [g for g in found if not g.active and g.severity == "deny"]
    skipped = "; ".join(f"{g.code} {_status(g)}" for g in quiet) if quiet and not failing else None
    return junit.Case(
        skipped=skipped,
        classname=cls,
        name=name,
        file=loc.path if loc else None,
        line=loc.span.line if loc else None,
        failure=failure,
        properties=[(_status(g), g.message) for g in others],
        system_out="\n".join(
            f"{_status(g)}: {g.location.path}:{g.location.span.line}: {g.message}" for g in others
        )
        or None,
    )


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
    suite = junit.Suite(
        "iam2rego.gate", [_case(cls, name, cases[(cls, name)]) for cls, name in sorted(cases)]
    )
    return junit.to_xml([suite])

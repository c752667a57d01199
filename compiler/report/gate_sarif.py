"""SARIF 2.1.0 for gate findings: declared rules, .tf locations, fingerprints, suppressions.

Every ``ruleId`` a result uses is declared in ``tool.driver.rules`` with a name, short and full
description, help text and a ``helpUri`` into the documentation; results carry
``partialFingerprints`` (stable across runs: terraform/findings.fingerprint), the ``.tf`` location
or the plan with a JSON pointer (``logicalLocations`` holds the plan address), exceptions and inline
skips as ``suppressions`` with their reason (a refused skip or an expired exception is no suppression:
the result stays active and ``properties.suppressionNotes`` says why), ``baselineState`` when a
baseline was given, and the pack's structured fields as a ``properties`` object (no JSON-in-strings).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..terraform.findings import GateFinding
from .rules import rule_descriptor
from .sarif import sarif_log

_LEVEL = {"deny": "error", "warn": "warning"}
FINGERPRINT_KEY = "iam2regoFinding/v1"


def _location(g: GateFinding) -> dict:
    loc = g.location
    region = {
        "startLine": loc.span.line,
        "startColumn": loc.span.column,
        "endLine": loc.span.end_line,
        "endColumn": max(loc.span.end_column, loc.span.column + 1),
    }
    physical: dict = {"artifactLocation": {"uri": loc.path}, "region": region}
    out: dict = {"physicalLocation": physical}
    address = g.principal
    statement = g.finding.get("statement")
    if isinstance(statement, dict) and isinstance(statement.get("policy"), str):
        address = statement["policy"]
    if address:
        out["logicalLocations"] = [{"fullyQualifiedName": address, "kind": "resource"}]
    if loc.pointer is not None:
        out["properties"] = {"jsonPointer": loc.pointer}
    return out


def _result(g: GateFinding, rule_index: dict[str, int], with_baseline: bool) -> dict:
    properties = {k: v for k, v in sorted(g.finding.items()) if k != "msg" and v is not None}
    result: dict = {
        "ruleId": g.code,
        "ruleIndex": rule_index[g.code],
        "level": _LEVEL[g.severity],
        "message": {"text": "".join([g.message, *(f" ({n})" for n in g.notes if n not in g.message)])},
        "locations": [_location(g)],
        "partialFingerprints": {FINGERPRINT_KEY: g.fingerprint},
        "properties": properties,
    }
    if g.suppression is not None:
        result["suppressions"] = [
            {"kind": g.suppression.kind, "status": "accepted", "justification": g.suppression.justification}
        ]
    if g.notes:  # a suppression that did not apply (refused inline skip, expired exception, changed answer)
        properties["suppressionNotes"] = list(g.notes)
    if with_baseline:
        result["baselineState"] = "unchanged" if g.baselined else "new"
    return result


def render(findings: Sequence[GateFinding], *, with_baseline: bool = False) -> str:
    codes = sorted({g.code for g in findings})
    rule_index = {code: i for i, code in enumerate(codes)}
    return sarif_log(
        [rule_descriptor(code) for code in codes],
        [_result(g, rule_index, with_baseline) for g in findings],
        automationDetails={"id": "iam2rego/gate/"},
    )

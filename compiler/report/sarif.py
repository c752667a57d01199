"""SARIF 2.1.0 (one run, one rule per code; GitHub code scanning and most CI viewers read it)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import __version__, codes
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from .rules import rule_descriptor

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/iam2rego/iam2rego"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules(emitted: set[str]) -> list[dict[str, object]]:
    """Every front-end code, plus any other code a result uses (so no ruleId is undeclared)."""
    known = {c.id for fam in ("IO", "V", "W") for c in codes.family(fam)}
    return [rule_descriptor(code) for code in sorted(known | emitted)]


def _result(d: Diagnostic, rule_index: dict[str, int]) -> dict[str, object]:
    message = d.message + (f" (hint: {d.hint})" if d.hint else "")
    result: dict[str, object] = {
        "ruleId": d.code,
        "level": _LEVEL[d.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": d.path},
                    "region": {
                        "startLine": d.span.line,
                        "startColumn": d.span.column,
                        "endLine": d.span.end_line,
                        "endColumn": max(d.span.end_column, d.span.column),
                    },
                }
            }
        ],
    }
    result["ruleIndex"] = rule_index[d.code]
    if d.data:
        result["properties"] = {k: _value(v) for k, v in d.data}
    return result


def _value(text: str) -> object:
    """Diagnostic data values are text; JSON-looking ones become objects again (no "null" strings)."""
    if text[:1] in "[{" or text in ("null", "true", "false"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def sarif_log(rules: list[dict[str, object]], results: list[dict], **run: object) -> str:
    """The one SARIF 2.1.0 envelope (check and gate): a single run by iam2rego with its declared rules."""
    driver = {"name": "iam2rego", "version": __version__, "informationUri": INFORMATION_URI, "rules": rules}
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", **run, "results": results}],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def render(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    rules = _rules({d.code for d in diagnostics})
    rule_index = {str(r["id"]): i for i, r in enumerate(rules)}
    return sarif_log(rules, [_result(d, rule_index) for d in sort_diagnostics(diagnostics)])

"""SARIF ``reportingDescriptor`` for a finding code, from the one registry (:mod:`iam2rego.codes`).

Name, short description (the code's title), full description, help (what to do) and ``helpUri`` (its
section of docs/CODES.md). An unregistered code still gets a descriptor (``codes.lookup``), so no
emitted ``ruleId`` is ever undeclared.
"""

from __future__ import annotations

import re

from .. import codes
from ..diagnostics import Severity

DOCS = "https://github.com/iam2rego/iam2rego/blob/main/"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _name(code: str) -> str:
    words = re.split(r"[-_]", code.removeprefix("IAM2REGO-").removeprefix("V-").removeprefix("W-"))
    return "".join(w.capitalize() for w in words if w) or code


def rule_descriptor(code: str) -> dict:
    entry = codes.lookup(code)
    uri = codes.Code(code, entry.severity, entry.title, entry.help, entry.where).doc_url(DOCS)
    full = f"{entry.title} (reported by the {entry.where}; default severity {entry.severity})."
    help_text = entry.help or entry.title
    return {
        "id": code,
        "name": _name(code),
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": full},
        "help": {"text": f"{help_text}. Documentation: {uri}", "markdown": f"{help_text}. [{code}]({uri})"},
        "helpUri": uri,
        "defaultConfiguration": {"level": _LEVEL[entry.severity]},
    }

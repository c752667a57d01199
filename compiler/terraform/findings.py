"""Gate findings for reporting: located in the Terraform source, fingerprinted, suppressed, baselined.

The gate pack returns ``{"deny": [...], "warn": [...]}`` objects (rego/iam2rego/gate/README.md).
:func:`build` turns them into :class:`GateFinding` values every output format reads:

* ``location``: the ``.tf`` statement/block (terraform/locate.py), or the plan with a JSON pointer;
* ``fingerprint``: a hash of what the finding is about (code, guardrail, principal, resource,
  statement), never of its line or message, so it is stable across runs and edits elsewhere;
* ``suppression``: an exception from the data file (``exceptions:``; the pack reports it as a
  warning with ``exception``) or an inline ``# iam2rego:skip=<CODE|GUARDRAIL> <reason>`` in the
  resource block; a suppressed finding never fails the gate;
* ``baselined``: its fingerprint is in ``--baseline FILE`` (adopt the gate on an existing estate
  and fail only on new findings).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from .locate import Location, SourceIndex, _obj, finding_skip, locate_finding

BASELINE_VERSION = 1
FAIL_ON = ("deny", "warn", "never")


@dataclass(frozen=True)
class Suppression:
    kind: str  # SARIF suppression kind: "external" (data-file exception) or "inSource" (inline skip)
    justification: str


@dataclass(frozen=True)
class GateFinding:
    finding: dict  # the pack's object, unchanged
    location: Location
    fingerprint: str
    suppression: Suppression | None = None
    baselined: bool = False

    @property
    def code(self) -> str:
        return str(self.finding["code"])  # iam2rego.answers guarantees a non-empty code

    @property
    def severity(self) -> str:
        """``deny`` or ``warn``: the finding's own severity (an excepted deny stays ``deny``)."""
        return "warn" if self.finding.get("severity") == "warn" else "deny"

    @property
    def active(self) -> bool:
        """Counts for ``--fail-on``: neither suppressed nor in the baseline."""
        return self.suppression is None and not self.baselined

    @property
    def message(self) -> str:
        return str(self.finding.get("msg") or self.code)

    @property
    def guardrail(self) -> str:
        return str(self.finding.get("guardrail") or self.code)

    @property
    def principal(self) -> str | None:
        p = self.finding.get("principal")
        return p.get("address") if isinstance(p, dict) and isinstance(p.get("address"), str) else None

    def diagnostic(self) -> Diagnostic:
        severity = Severity.ERROR if self.severity == "deny" else Severity.WARNING
        message = _without_code(self.message, self.code)
        if self.suppression is not None:
            severity = Severity.INFO
            if self.suppression.kind == "inSource":
                message += f" (suppressed in source: {self.suppression.justification or 'no reason given'})"
        hint = None
        if not self.location.in_source:
            where = self.location.pointer or "the plan"
            hint = f"no .tf source found (pass --source-dir); plan location {where}"
        data: tuple[tuple[str, str], ...] = (("fingerprint", self.fingerprint),)
        if self.location.pointer:
            data += (("json_pointer", self.location.pointer),)
        return Diagnostic(self.code, severity, message, self.location.path, self.location.span, hint, data)


def _without_code(message: str, code: str) -> str:
    """The pack's messages start with their code (conftest prints nothing else); a diagnostic shows it once."""
    for prefix in (f"{code}: ", f"{code} "):
        if message.startswith(prefix) and len(message) > len(prefix):
            return message[len(prefix) :]
    return message


def fingerprint(finding: dict) -> str:
    statement = _obj(finding.get("statement"))
    principal = _obj(finding.get("principal"))
    key = [
        finding.get("code"),
        finding.get("guardrail"),
        principal.get("address"),
        finding.get("resource"),
        finding.get("table"),
        statement.get("policy"),
        statement.get("sid"),
        statement.get("statement_index"),
    ]
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]


def build(report: dict, index: SourceIndex, baseline: set[str] | None = None) -> list[GateFinding]:
    out = []
    for key in ("deny", "warn"):
        for f in report.get(key) or []:
            if not isinstance(f, dict):
                continue
            suppression = None
            exception = f.get("exception")
            if isinstance(exception, dict):
                reason = exception.get("reason")
                suppression = Suppression("external", str(reason) if reason is not None else "")
            else:
                skip = finding_skip(index, f)
                if skip is not None:
                    suppression = Suppression("inSource", skip[1])
            fp = fingerprint(f)
            out.append(
                GateFinding(
                    f, locate_finding(index, f), fp, suppression, baselined=bool(baseline and fp in baseline)
                )
            )
    return sorted(out, key=lambda g: (g.location.path, g.location.span.line, g.code, g.message))


def failed(findings: list[GateFinding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    levels = {"deny"} if fail_on == "deny" else {"deny", "warn"}
    return any(g.active and g.severity in levels for g in findings)


def diagnostics(findings: list[GateFinding]) -> list[Diagnostic]:
    return sort_diagnostics(g.diagnostic() for g in findings if not g.baselined)


# --- baseline files ---------------------------------------------------------------------------


class BaselineError(ValueError):
    pass


def read_baseline(path: str) -> set[str]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: the baseline is not JSON: {exc.msg}") from exc
    if (
        not isinstance(doc, dict)
        or doc.get("version") != BASELINE_VERSION
        or not isinstance(doc.get("findings"), dict)
    ):
        raise BaselineError(f"{path}: not an iam2rego baseline (write one with --write-baseline)")
    return set(doc["findings"])


def baseline_text(findings: list[GateFinding]) -> str:
    """Every finding (suppressed ones too): fingerprint -> message (the message is for people)."""
    entries = {g.fingerprint: g.message for g in findings}
    doc = {"version": BASELINE_VERSION, "tool": "iam2rego gate", "findings": dict(sorted(entries.items()))}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

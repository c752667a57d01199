"""Gate findings for reporting: located in the Terraform source, fingerprinted, suppressed, baselined.

The gate pack returns ``{"deny": [...], "warn": [...]}`` objects (rego/iam2rego/gate/README.md).
:func:`build` turns them into :class:`GateFinding` values every output format reads:

* ``location``: the ``.tf`` statement/block (terraform/locate.py), or the plan with a JSON pointer;
  a configuration problem (IAM2REGO-CONFIG-INVALID naming ``iam2rego_gate.exceptions[0]...``) at its
  line in the guardrails file;
* ``fingerprint``: a hash of what the finding is about (code, guardrail, principal, resource,
  statement), never of its line or message, so it is stable across runs and edits elsewhere;
* ``suppression``: an exception from the data file (``exceptions:``; the pack decides it and reports
  it as a warning with ``exception``) or an inline ``# iam2rego:skip=<CODE|GUARDRAIL> <reason>``
  comment on the resource block, honoured only as far as the guardrail file's ``suppressions.inline``
  allows (:class:`Policy`; a refused skip leaves the finding active with a note);
* ``baselined``: ``--baseline FILE`` holds the fingerprint with the same answer, condition, failing
  check and deciding statements (:func:`answer_key`): a wider grant is a new finding.

A suppressed or baselined finding never fails the gate and is never dropped: every format lists it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..codes import INLINE_LINT
from ..diagnostics import Diagnostic, Severity, sort_diagnostics
from .locate import Location, SourceIndex, _obj, finding_skip, locate_finding

BASELINE_VERSION = 2
FAIL_ON = ("deny", "warn", "never")
INLINE_MODES = ("lint", "deny", "allow")


@dataclass(frozen=True)
class Suppression:
    kind: str  # SARIF suppression kind: "external" (data-file exception) or "inSource" (inline skip)
    justification: str


@dataclass(frozen=True)
class Policy:
    """The guardrail file's ``suppressions:``: which inline skips are honoured, whether baselines are.

    ``inline``: ``lint`` (default: the built-in lint codes of :data:`iam2rego.codes.INLINE_LINT`),
    ``deny`` (none), ``allow`` (any), or the codes and guardrail ids a skip may name.
    ``baseline``: ``allow`` (default) or ``deny`` (``--baseline`` is refused, exit 2).
    """

    inline: str | frozenset[str] = "lint"
    baseline: str = "allow"

    @staticmethod
    def from_config(gate: dict) -> Policy:
        sup = gate.get("suppressions")
        if not isinstance(sup, dict):
            sup = {}
        inline = sup.get("inline", "lint")
        mode = frozenset(str(c) for c in inline) if isinstance(inline, list) else str(inline)
        return Policy(mode, str(sup.get("baseline", "allow")))

    def inline_allows(self, code: str, key: str) -> bool:
        if isinstance(self.inline, frozenset):
            return code in self.inline or key in self.inline
        return self.inline == "allow" or (self.inline == "lint" and code in INLINE_LINT)

    def inline_words(self) -> str:
        if isinstance(self.inline, frozenset):
            return f"suppressions.inline: [{', '.join(sorted(self.inline))}]"
        return f"suppressions.inline: {self.inline}" + (
            " (the default: lint codes only)" if self.inline == "lint" else ""
        )


@dataclass(frozen=True)
class GateFinding:
    finding: dict  # the pack's object, unchanged
    location: Location
    fingerprint: str
    suppression: Suppression | None = None
    baselined: bool = False
    notes: tuple[str, ...] = ()  # why a suppression did not apply (refused skip, expired exception, ...)

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
        elif self.baselined:
            severity = Severity.INFO
            message += " (in the baseline)"
        for note in self.notes:
            if note not in message:
                message += f" ({note})"
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


def answer_key(finding: dict, statements: dict) -> dict:
    """What a baseline entry binds a fingerprint to: the answer, condition, failing check and a hash of
    the deciding statement (its policy address, index and JSON text, from the pack's ``statements``)."""
    statement = _obj(finding.get("statement"))
    policy, index = statement.get("policy"), statement.get("statement_index")
    text = None
    if isinstance(policy, str) and isinstance(index, int) and not isinstance(index, bool):
        found = statements.get(f"{policy}#{index}")
        text = None if found is None else json.dumps(found, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(json.dumps([policy, index, text]).encode()).hexdigest()[:32]
    return {
        "answer": finding.get("answer"),
        "condition": finding.get("condition"),
        "check": finding.get("check"),
        "statements": digest,
    }


def _same(entry: dict, key: dict) -> bool:
    return all(
        json.dumps(entry.get(k), sort_keys=True) == json.dumps(v, sort_keys=True) for k, v in key.items()
    )


def build(
    report: dict,
    index: SourceIndex,
    baseline: dict[str, dict] | None = None,
    policy: Policy | None = None,
    config_location: Callable[[str], Location | None] | None = None,
) -> list[GateFinding]:
    policy = policy or Policy()
    statements = report.get("statements") if isinstance(report.get("statements"), dict) else {}
    out = []
    for key in ("deny", "warn"):
        for f in report.get(key) or []:
            if not isinstance(f, dict):
                continue
            suppression, notes = None, []
            for e in f.get("exception_expired") or []:
                if isinstance(e, dict) and isinstance(e.get("note"), str):
                    notes.append(e["note"])
            exception = f.get("exception")
            if isinstance(exception, dict):
                suppression = Suppression("external", _exception_words(exception))
            else:
                skip = finding_skip(index, f)
                if skip is not None and policy.inline_allows(str(f.get("code")), skip.key):
                    suppression = Suppression("inSource", skip.reason)
                elif skip is not None:
                    where = f"{skip.where.path}:{skip.where.span.line}"
                    notes.append(
                        f"inline skip `iam2rego:skip={skip.key}` at {where} refused by {policy.inline_words()}"
                    )
            fp = fingerprint(f)
            baselined = False
            if baseline is not None and fp in baseline:
                baselined = _same(baseline[fp], answer_key(f, statements or {}))
                if not baselined:
                    was = baseline[fp].get("answer")
                    notes.append(
                        f"in the baseline as {was or 'a finding'}, but its answer or deciding statement changed"
                    )
            location = locate_finding(index, f)
            if config_location is not None and f.get("code") == "IAM2REGO-CONFIG-INVALID":
                location = config_location(str(f.get("detail") or "")) or location
            out.append(GateFinding(f, location, fp, suppression, baselined, tuple(notes)))
    return sorted(out, key=lambda g: (g.location.path, g.location.span.line, g.code, g.message))


def _exception_words(exception: dict) -> str:
    reason = exception.get("reason")
    words = str(reason) if reason is not None else ""
    extra = [f"{k} {exception[k]}" for k in ("owner", "expires") if isinstance(exception.get(k), str)]
    return f"{words} ({', '.join(extra)})" if extra and words else ", ".join(extra) if extra else words


def failed(findings: list[GateFinding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    levels = {"deny"} if fail_on == "deny" else {"deny", "warn"}
    return any(g.active and g.severity in levels for g in findings)


def diagnostics(findings: list[GateFinding]) -> list[Diagnostic]:
    """Every finding: suppressed and baselined ones as notes (listed, never dropped)."""
    return sort_diagnostics(g.diagnostic() for g in findings)


# --- baseline files ---------------------------------------------------------------------------


class BaselineError(ValueError):
    pass


def read_baseline(path: str) -> dict[str, dict]:
    """fingerprint -> entry (``answer``, ``condition``, ``check``, ``statements``; ``message`` for people).

    A version-1 baseline (fingerprints only) is refused: its entries would match a wider grant.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: the baseline is not JSON: {exc.msg}") from exc
    if isinstance(doc, dict) and doc.get("version") == 1 and isinstance(doc.get("findings"), dict):
        raise BaselineError(
            f"{path}: a version 1 baseline records fingerprints only, so it would also match a wider grant of "
            "the same finding; write a new one with --write-baseline (version 2 records each finding's answer, "
            "condition and deciding statement)"
        )
    if (
        not isinstance(doc, dict)
        or doc.get("version") != BASELINE_VERSION
        or not isinstance(doc.get("findings"), dict)
        or not all(
            isinstance(v, dict) and isinstance(v.get("statements"), str) for v in doc["findings"].values()
        )
    ):
        raise BaselineError(f"{path}: not an iam2rego baseline (write one with --write-baseline)")
    return dict(doc["findings"])


def baseline_text(findings: list[GateFinding], statements: dict | None = None) -> str:
    """Every finding (suppressed ones too): fingerprint -> its answer key and message (for people)."""
    entries = {
        g.fingerprint: {**answer_key(g.finding, statements or {}), "message": g.message} for g in findings
    }
    doc = {"version": BASELINE_VERSION, "tool": "iam2rego gate", "findings": dict(sorted(entries.items()))}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

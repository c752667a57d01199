"""The shape every engine answer must have, one schema per entrypoint (docs/ARCHITECTURE.md §3-5).

An engine is a separate program (OPA, a container, regopy); whatever it prints is checked here before
anyone reads a verdict from it. An answer of the wrong shape - ``{}``, ``null``, ``{"deny": null}``,
``{"Deny": [...]}``, a finding without ``code`` - is an engine error (exit 2), never "no findings"
or "allowed". Callers use :func:`require`; the checks are total (any JSON value in, a message or
None out) and never raise.

Kinds: ``decision`` (a compiled module's or the generic evaluator's ``decision``), ``operation``
(``operation``), ``gate`` (``data.iam2rego.gate.report``: ``{"deny": [finding], "warn": [finding]}``).
Extra keys are allowed (the contract grows); the keys callers read are required and typed, and
values that must agree (``allowed`` and ``decision``) must agree.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from .errors import EngineError

DECISIONS = ("allow", "explicit_deny", "implicit_deny")
EFFECTS = ("Allow", "Deny")


def _type(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)


def _reason(r: object, where: str) -> str | None:
    if not isinstance(r, dict):
        return f"{where} is {_type(r)}, not an object"
    for key, types in (
        ("policy", (str,)),
        ("statement_index", (int,)),
        ("effect", (str,)),
        ("source", (str,)),
    ):
        if not isinstance(r.get(key), types) or isinstance(r.get(key), bool):
            return f"{where}.{key} is {_type(r.get(key))}"
    if r["effect"] not in EFFECTS:
        return f"{where}.effect is {r['effect']!r}"
    if "sid" in r and not isinstance(r["sid"], (str, type(None))):
        return f"{where}.sid is {_type(r['sid'])}"
    return None


def _verdict(v: dict, where: str) -> str | None:
    """``allowed`` (boolean) and ``decision`` (one of DECISIONS) present and consistent."""
    if not isinstance(v.get("allowed"), bool):
        return f"{where}allowed is {_type(v.get('allowed'))}, not a boolean"
    if v.get("decision") not in DECISIONS:
        return f"{where}decision is {v.get('decision')!r}, not one of {', '.join(DECISIONS)}"
    if v["allowed"] != (v["decision"] == "allow"):
        return f"{where}allowed={v['allowed']} contradicts decision={v['decision']!r}"
    return None


def decision_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"the decision is {_type(value)}, not an object"
    problem = _verdict(value, "")
    if problem:
        return problem
    if not isinstance(value.get("reason"), str):
        return f"reason is {_type(value.get('reason'))}, not a string"
    reasons = value.get("reasons")
    if not isinstance(reasons, list):
        return f"reasons is {_type(reasons)}, not an array"
    for i, r in enumerate(reasons):
        problem = _reason(r, f"reasons[{i}]")
        if problem:
            return problem
    return None


def operation_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"the operation verdict is {_type(value)}, not an object"
    problem = _verdict(value, "")
    if problem:
        return problem
    checks, failing = value.get("checks"), value.get("failing")
    if not isinstance(checks, list) or not checks:
        return "checks is missing or empty (an operation has at least one check)"
    if not isinstance(failing, list):
        return f"failing is {_type(failing)}, not an array"
    for name, items in (("checks", checks), ("failing", failing)):
        for i, c in enumerate(items):
            if not isinstance(c, dict):
                return f"{name}[{i}] is {_type(c)}, not an object"
            problem = _verdict(c, f"{name}[{i}].")
            if problem:
                return problem
            if not isinstance(c.get("action"), str) or not isinstance(c.get("resource"), str):
                return f"{name}[{i}] has no action/resource strings"
    denied = sum(1 for c in checks if not c["allowed"])
    if value["allowed"] != (denied == 0) or len(failing) != denied:
        return f"allowed={value['allowed']} with {denied} denied check(s) and {len(failing)} failing"
    return None


def gate_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return f"the gate report is {_type(value)}, not an object"
    for key in ("deny", "warn"):
        findings = value.get(key)
        if not isinstance(findings, list):
            return f"{key} is {_type(findings)}, not an array of findings"
        for i, f in enumerate(findings):
            if not isinstance(f, dict):
                return f"{key}[{i}] is {_type(f)}, not a finding object"
            for field in ("msg", "code"):
                if not isinstance(f.get(field), str) or not f[field]:
                    return f"{key}[{i}].{field} is {_type(f.get(field))}, not a non-empty string"
    return None


ANALYSIS_ANSWERS = ("allowed", "denied", "conditional", "unverifiable")


def _analysis_verdict(v: dict, where: str) -> str | None:
    if v.get("answer") not in ANALYSIS_ANSWERS:
        return f"{where}answer is {v.get('answer')!r}, not one of {', '.join(ANALYSIS_ANSWERS)}"
    if not isinstance(v.get("exact"), bool) or not isinstance(v.get("words"), str):
        return f"{where}exact/words are {_type(v.get('exact'))}/{_type(v.get('words'))}, not boolean/string"
    cond = v.get("condition")
    if (
        v["answer"] == "conditional"
        and v["exact"]
        and not (isinstance(cond, dict) and isinstance(cond.get("all"), list))
    ):
        return f"{where}an exact conditional answer has condition {_type(cond)}, not a formula object"
    return None


def analysis_problem(value: object) -> str | None:
    """data.iam2rego.analysis.answer: the verdict, each check's verdict, and the atoms they name."""
    if not isinstance(value, dict):
        return f"the analysis answer is {_type(value)}, not an object"
    why = _analysis_verdict(value, "")
    if why:
        return why
    checks, atoms = value.get("checks"), value.get("atoms")
    if not isinstance(checks, list) or not checks or not isinstance(atoms, dict):
        return f"checks/atoms are {_type(checks)}/{_type(atoms)}, not a non-empty array and an object"
    for i, c in enumerate(checks):
        if not isinstance(c, dict):
            return f"checks[{i}] is {_type(c)}, not an object"
        why = _analysis_verdict(c, f"checks[{i}].")
        if why:
            return why
    answers = {c["answer"] for c in checks}
    expected = (
        "unverifiable"
        if "unverifiable" in answers
        else "denied"
        if "denied" in answers
        else "allowed"
        if answers == {"allowed"}
        else None
    )
    if expected and value["answer"] != expected:
        return f"answer {value['answer']!r} with check answers {sorted(answers)}"
    if value["answer"] == "allowed" and answers != {"allowed"}:
        return f"allowed with check answers {sorted(answers)}"
    return None


CHECKS: dict[str, Callable[[object], str | None]] = {
    "decision": decision_problem,
    "operation": operation_problem,
    "gate": gate_problem,
    "analysis": analysis_problem,
}


def problem(kind: str, value: object) -> str | None:
    """Why ``value`` is not a valid ``kind`` answer (None: it is)."""
    return CHECKS[kind](value)


_UNDEFINED = {
    "decision": "no decision (undefined): is the input a request with `action` and `resource`?",
    "operation": "no verdict (undefined): is `operation` one of the documented operations, with its parameters?",
    "gate": "no report (undefined): the gate pack did not load",
    "analysis": "no answer (undefined): is the input a request with `action` and `resource`, or an operation?",
}


def require(kind: str, values: list[object], engine: str, entrypoint: str) -> list[object]:
    """``values`` unchanged when every one is a valid ``kind`` answer; otherwise an EngineError naming
    the first bad one (an engine that answers nonsense must not be read as a verdict)."""
    for i, value in enumerate(values):
        why = _UNDEFINED.get(kind, "no answer (undefined)") if value is None else problem(kind, value)
        if why:
            shown = repr(value)
            shown = shown if len(shown) <= 200 else shown[:200] + "..."
            which = f" for input #{i}" if len(values) > 1 else ""
            raise EngineError(
                engine,
                f"{entrypoint} returned an answer of the wrong shape{which}: {why} (got {shown}). This is "
                "an engine or module fault, not a verdict; check the engine (--engine opa with the pinned "
                "OPA) and the modules.",
            )
    return values


class AnalysisCanary:
    """A question whose answer is known, put at a random place in a batch of
    ``data.iam2rego.analysis.answer`` questions and checked before the others are read (issue 25
    item 1; the gate's own canary is terraform/canary.py). Its policy allows DeleteBackup only from
    the VPC endpoint ``vpce-<nonce>`` (a random nonce per batch): the answer must be ``conditional``
    with exactly those words and the canary's Sid. A fake or broken engine - a constant answer, a
    recorded one - fails it: EngineError, never a cell of the matrix."""

    def __init__(self, options: dict, fixed: list[str]):
        self.nonce = secrets.token_hex(8)
        self.index = 0
        account = "210987654321"
        statement = {
            "Sid": f"Canary{self.nonce}",
            "Effect": "Allow",
            "Action": "dynamodb:DeleteBackup",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": f"vpce-{self.nonce}"}},
        }
        caller = {"identity": [{"name": f"iam2rego-canary-{self.nonce}",
                                "document": {"Version": "2012-10-17", "Statement": [statement]}}],
                  "boundary": None, "session": None, "scp": [], "rcp": [], "resource_policy": None}  # fmt: skip
        self.input = {
            "action": "dynamodb:DeleteBackup",
            "resource": f"arn:aws:dynamodb:us-east-1:{account}:table/iam2rego-canary/backup/01700000000000-0a1b2c3d",
            "principal": f"arn:aws:iam::{account}:role/iam2rego-canary-{self.nonce}",
            "context": {},
            "policies": {"caller": caller},
            "options": options,
            "fixed": fixed,
        }

    def insert(self, inputs: list[dict]) -> list[dict]:
        self.index = secrets.randbelow(len(inputs) + 1)
        return [*inputs[: self.index], self.input, *inputs[self.index :]]

    def take(self, engine: str, results: list[object], entrypoint: str) -> list[object]:
        """``results`` without the canary's answer, after checking it (EngineError if it is wrong)."""
        if not isinstance(results, list) or not 0 <= self.index < len(results):
            raise EngineError(engine, f"{entrypoint} returned no answer for the canary question")
        got = results[self.index]
        checks = got.get("checks") if isinstance(got, dict) else None
        best = (
            checks[0].get("best")
            if isinstance(checks, list) and checks and isinstance(checks[0], dict)
            else None
        )
        reasons = best.get("reasons") if isinstance(best, dict) else None
        sid = (
            reasons[0].get("sid")
            if isinstance(reasons, list) and reasons and isinstance(reasons[0], dict)
            else None
        )
        if not (
            isinstance(got, dict)
            and got.get("answer") == "conditional"
            and got.get("words") == f"allowed when aws:SourceVpce is vpce-{self.nonce}"
            and sid == f"Canary{self.nonce}"
        ):
            shown = repr(got)[:200]
            raise EngineError(
                engine,
                f"the engine failed the canary: {entrypoint} answered a question whose answer is known "
                f"(conditional on aws:SourceVpce vpce-{self.nonce}) with {shown}. Its answers cannot be "
                "trusted (a broken or fake opa, a damaged module cache); run iam2rego and opa from their "
                "installation (gate README, Threat model).",
            )
        return [*results[: self.index], *results[self.index + 1 :]]

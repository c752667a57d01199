"""The one interface between the access matrix and the decision machinery.

``Analysis.decide(questions)`` answers one question per (policy sets, column input): ``allowed``,
``conditional`` (with the condition), ``denied`` or ``unknown`` (a policy could not be read), with
the deciding statements. ``GenericAnalysis`` asks the generic Rego evaluator
(rego/iam2rego/generic) through an engine: it decides the request context the principal fixes, so
today its answers are allowed/denied/unknown only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from .. import answers
from .model import ALLOWED, CONDITIONAL, DENIED, UNKNOWN

CHUNK = 2000  # questions per engine run (progress is reported between runs)
WORKERS = max(1, min(4, os.cpu_count() or 1))  # engine processes run side by side


@dataclass
class Question:
    kind: str  # operation | action
    input: dict  # operation input (ARCHITECTURE §4) or request, with principal and context
    policies: dict  # {"caller": PolicySetDoc, "role"?: PolicySetDoc}


@dataclass
class Answer:
    answer: str
    condition: str | None = None
    decision: str | None = None
    reasons: list[dict] = field(default_factory=list)  # {policy, statement_index, effect, sid}
    failing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Analysis(Protocol):
    name: str

    def decide(
        self, questions: list[Question], progress: Callable[[int, int], None] | None = None
    ) -> list[Answer]: ...


OPTIONS = {
    "mode": "docs",
    "resource_glob": "segment",
    "awsbackup_restore_dataplane": False,
    "kms_set": None,
    "service_ip": None,
    "svc_calledvia": False,
}


class GenericAnalysis:
    """The generic evaluator, one engine run per chunk of questions."""

    name = "generic"

    def __init__(self, engine: object, modules: dict[str, str]):
        self.engine = engine
        self.modules = modules

    def decide(
        self, questions: list[Question], progress: Callable[[int, int], None] | None = None
    ) -> list[Answer]:
        out: list[Answer | None] = [None] * len(questions)
        jobs = []
        for kind, entry in (("operation", "operation"), ("action", "decision")):
            idx = [i for i, q in enumerate(questions) if q.kind == kind]
            # at least one chunk per core, so the engine processes run side by side
            size = max(1, min(CHUNK, -(-len(idx) // WORKERS)))
            jobs += [(kind, entry, idx[s : s + size]) for s in range(0, len(idx), size)]
        done = 0

        def run(job: tuple[str, str, list[int]]) -> tuple[str, list[int], list[object]]:
            kind, entry, part = job
            inputs = [
                {**questions[i].input, "policies": questions[i].policies, "options": OPTIONS} for i in part
            ]
            entrypoint = f"data.iam2rego.generic.{entry}"
            results = self.engine.evaluate(self.modules, entrypoint, inputs)  # type: ignore[attr-defined]
            # a wrong-shaped or undefined answer is an engine error, never "denied"
            results = answers.require(entry, results, self.engine.name, entrypoint)  # type: ignore[attr-defined]
            return kind, part, results

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for kind, part, results in pool.map(run, jobs):
                for i, result in zip(part, results, strict=True):
                    out[i] = _answer(kind, result)
                done += len(part)
                if progress:
                    progress(done, len(questions))
        assert all(a is not None for a in out)
        return [a for a in out if a is not None]


# Context keys the principal fixes (analysis: every other key is open): its ARN, account, type, user
# name and tags (absent tags are fixed absent). The column fixes aws:RequestedRegion (the table's).
PRINCIPAL_FIXED = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:username",
    "aws:principaltag/*",
]
OPEN_ANSWERS = {"allowed": ALLOWED, "denied": DENIED, "conditional": CONDITIONAL, "unverifiable": UNKNOWN}


class OpenAnalysis(GenericAnalysis):
    """The sound three-valued analysis (rego/iam2rego/analysis, issue 10): allowed in every request
    context, denied in every one, or conditional with the condition in words; unverifiable = unknown."""

    name = "open"
    entrypoint = "data.iam2rego.analysis.answer"

    def _inputs(self, questions: list[Question], part: list[int]) -> list[dict]:
        out = []
        for i in part:
            q = questions[i]
            item = {**q.input, "policies": q.policies, "options": {**OPTIONS, "max_atoms": MAX_ATOMS}}
            # the principal's own fixed keys (Principal.fixed_keys: open tags, unknown names), or all
            item["fixed"] = q.input.get("fixed", PRINCIPAL_FIXED)
            if "role_context" in item:
                item["role_fixed"] = q.input.get("role_fixed", PRINCIPAL_FIXED)
            out.append(item)
        return out

    def decide(
        self, questions: list[Question], progress: Callable[[int, int], None] | None = None
    ) -> list[Answer]:
        out: list[Answer | None] = [None] * len(questions)
        size = max(1, min(CHUNK, -(-len(questions) // WORKERS)))
        jobs = [list(range(s, min(s + size, len(questions)))) for s in range(0, len(questions), size)]
        done = 0

        def run(part: list[int]) -> tuple[list[int], list[object]]:
            canary = answers.AnalysisCanary({**OPTIONS, "max_atoms": MAX_ATOMS}, PRINCIPAL_FIXED)
            inputs = canary.insert(self._inputs(questions, part))  # a known answer, checked first
            results = self.engine.evaluate(self.modules, self.entrypoint, inputs)  # type: ignore[attr-defined]
            results = canary.take(self.engine.name, results, self.entrypoint)  # type: ignore[attr-defined]
            if "analysis" in answers.CHECKS:
                results = answers.require("analysis", results, self.engine.name, self.entrypoint)  # type: ignore[attr-defined]
            return part, results

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for part, results in pool.map(run, jobs):
                for i, result in zip(part, results, strict=True):
                    out[i] = _open_answer(result)
                done += len(part)
                if progress:
                    progress(done, len(questions))
        return [a for a in out if a is not None]


MAX_ATOMS = 10


def _reasons(decision: object) -> list[dict]:
    if not isinstance(decision, dict):
        return []
    return list(decision.get("reasons") or [])


def _open_answer(result: object) -> Answer:
    if not isinstance(result, dict) or result.get("answer") not in OPEN_ANSWERS:
        raise RuntimeError(f"the analysis returned no answer ({str(result)[:200]})")
    answer = OPEN_ANSWERS[result["answer"]]
    checks = [c for c in result.get("checks") or [] if isinstance(c, dict)]
    failing = [c for c in result.get("failing") or [] if isinstance(c, dict)]
    if answer == UNKNOWN:
        errors = result.get("policy_errors") or []
        problems = sorted({f"{e.get('policy')}: {e.get('code')}" for e in errors if isinstance(e, dict)})
        return Answer(UNKNOWN, problems=problems or ["a policy of the set cannot be read"])
    if answer == DENIED:
        denied = next((c for c in failing if c.get("answer") == "denied"), failing[0] if failing else {})
        best = denied.get("best") if isinstance(denied, dict) else None
        decision = best.get("decision") if isinstance(best, dict) else "implicit_deny"
        reasons = _reasons(best)
    elif answer == ALLOWED:
        decision, reasons = "allow", [r for c in checks for r in _reasons(c.get("worst"))]
    else:  # conditional: the statements that allow when the condition holds, and those that may deny
        decision = "conditional"
        reasons = [r for c in checks for r in _reasons(c.get("best"))]
        reasons += [r for c in checks for r in _reasons(c.get("worst")) if r.get("effect") == "Deny"]
    unique: dict[tuple, dict] = {}
    for r in reasons:
        unique.setdefault(
            (r.get("policy"), r.get("statement_index")),
            {k: r.get(k) for k in ("policy", "statement_index", "effect", "sid")},
        )
    words = result.get("words") if answer == CONDITIONAL else None
    if answer == CONDITIONAL and not result.get("exact", True):
        words = (
            f"{words} (not enumerated: over the analysis bound)"
            if words
            else "not enumerated: over the analysis bound"
        )
    return Answer(
        answer,
        # "when ..." / "unless ...": shown after "conditional" or "allowed"
        condition=words.removeprefix("allowed ") if isinstance(words, str) else None,
        decision=decision,
        reasons=list(unique.values()),
        failing=[str(c.get("id")) for c in failing if c.get("answer") != "allowed"],
    )


def analysis_for(engine: object, modules: dict[str, str]) -> GenericAnalysis:
    """The open analysis when the library has it (issue 10), else the generic evaluator's probe."""
    if "iam2rego/analysis/analysis.rego" in modules:
        return OpenAnalysis(engine, modules)
    return GenericAnalysis(engine, modules)


def _answer(kind: str, result: object) -> Answer:
    if not isinstance(result, dict) or "allowed" not in result:
        raise RuntimeError(f"the evaluator returned no decision ({str(result)[:200]})")
    if kind == "action":
        decisions = [result]
        failing: list[dict] = [] if result["allowed"] else [result]
        reasons = list(result.get("reasons") or [])
    else:
        decisions = list(result.get("checks") or [])
        failing = list(result.get("failing") or [])
        reasons = (
            list(failing[0].get("reasons") or [])
            if failing
            else [r for c in decisions for r in c.get("reasons") or []]
        )
    errors = [e for d in decisions for e in d.get("policy_errors") or []]
    if errors:
        problems = sorted({f"{e.get('policy')}: {e.get('code')}" for e in errors})
        return Answer(UNKNOWN, decision=result.get("decision"), problems=problems)
    unique: dict[tuple, dict] = {}
    for r in reasons:
        unique.setdefault(
            (r.get("policy"), r.get("statement_index")),
            {k: r.get(k) for k in ("policy", "statement_index", "effect", "sid")},
        )
    return Answer(
        ALLOWED if result["allowed"] else DENIED,
        decision=result.get("decision"),
        reasons=list(unique.values()),
        failing=[str(c.get("id")) for c in failing if kind == "operation"],
    )

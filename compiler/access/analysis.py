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
from .model import ALLOWED, DENIED, UNKNOWN

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

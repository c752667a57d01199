"""Sound access analysis from Python: allowed / denied / conditional over every request context.

The analysis itself lives in the Rego library (``data.iam2rego.analysis``, rego/iam2rego/analysis/),
so ``iam2rego gate``, the conftest pack and this module give the same answers. This module builds
its inputs (policies as data, the question, the fixed context) and runs them on an engine, all
questions in one evaluation.

An answer object (see rego/iam2rego/analysis/analysis.rego and docs/ARCHITECTURE.md §4a):
``{"answer": "allowed"|"denied"|"conditional"|"unverifiable", "exact", "words", "condition",
"atoms", "checks", "failing", ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ENTRYPOINT = "data.iam2rego.analysis.answer"
ANSWERS = ("allowed", "denied", "conditional", "unverifiable")
SVC_ABSENT = ("aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp")


def policy_doc(name: str, document: str | Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
    """One policy as the generic evaluator reads it: the document as JSON text or an object."""
    return {"name": name, "document": document, "source": source or name}


def policy_set(
    identity: Sequence[Mapping[str, Any]] = (),
    *,
    boundary: Mapping[str, Any] | None = None,
    session: Mapping[str, Any] | None = None,
    scp: Sequence[Sequence[Mapping[str, Any]]] = (),
    rcp: Sequence[Sequence[Mapping[str, Any]]] = (),
    resource_policy: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A PolicySetDoc (data.iam2rego.generic) from policy_doc() entries."""
    return {
        "identity": [dict(p) for p in identity],
        "boundary": dict(boundary) if boundary else None,
        "session": dict(session) if session else None,
        "scp": [[dict(p) for p in level] for level in scp],
        "rcp": [[dict(p) for p in level] for level in rcp],
        "resource_policy": dict(resource_policy) if resource_policy else None,
    }


def question(
    policies: Mapping[str, Any],
    request: Mapping[str, Any],
    *,
    pins: Mapping[str, Any] | None = None,
    fixed: Iterable[str] = (),
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An analysis input: ``policies`` = {"caller": PolicySetDoc, "role": PolicySetDoc?}; ``request``
    = a request {action, resource, principal} or an operation (ARCHITECTURE §4); ``pins`` = context
    values that are fixed (merged over the request's own ``context``, which is fixed too);
    ``fixed`` = keys (or ``prefix*`` patterns) that are fixed and absent unless pinned."""
    context = {**dict(request.get("context") or {}), **dict(pins or {})}
    out: dict[str, Any] = {**dict(request), "policies": dict(policies), "context": context}
    out["fixed"] = sorted({*request.get("fixed", ()), *fixed})
    if options:
        out["options"] = dict(options)
    return out


def analyze(
    inputs: Sequence[Mapping[str, Any]], *, engine: Any = "auto", **engine_opts: Any
) -> list[dict[str, Any]]:
    """Answer every question (inputs made by ``question``) in one engine evaluation."""
    from .codegen import library_files

    if isinstance(engine, str):
        from .engines import get_engine

        engine = get_engine(engine, **engine_opts)
    from . import answers

    results = engine.evaluate(library_files(), ENTRYPOINT, [dict(i) for i in inputs])
    # A wrong-shaped answer is an engine error (exit 2), never read as a verdict.
    return answers.require("analysis", list(results), engine.name, ENTRYPOINT)  # type: ignore[return-value]


def parse_pins(values: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pins; VALUE is JSON when it parses (true, 3, ["a","b"]), else text."""
    pins: dict[str, Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--pin {item!r}: expected KEY=VALUE")
        try:
            pins[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            pins[key.strip()] = value
    return pins


def render(answer: Mapping[str, Any] | None) -> str:
    """The answer in a few lines: the verdict, its condition in words, and each check that is not
    allowed in every context (what decided it)."""
    if not answer:
        return "no answer (undefined): is the input a request with action and resource, or an operation?"
    head = f"answer: {answer.get('answer')}" + ("" if answer.get("exact", True) else " (not proven)")
    out = [head, f"  {answer.get('words')}"]
    if answer.get("note"):
        out.append(f"  note: {answer['note']}")
    checks = answer.get("checks", [])
    if len(checks) > 1 or answer.get("answer") != "allowed":
        for check in checks:
            if check.get("answer") == "allowed" and len(checks) > 1:
                continue
            out.append(
                f"- {check.get('principal')} {check.get('action')} on {check.get('resource')}: {check.get('answer')}"
            )
            if check.get("answer") == "conditional":
                out.append(f"    {check.get('words')}")
            decided = check.get("best") if check.get("answer") == "denied" else None
            if decided:
                out.append(f"    even at best: {decided.get('decision')} ({decided.get('reason')})")
                for r in decided.get("reasons", []):
                    sid = f" Sid {r['sid']!r}" if r.get("sid") else ""
                    out.append(
                        f"      {r.get('effect')} by {r.get('policy')} statement {r.get('statement_index')}{sid}"
                    )
            fixed = {k: v for k, v in sorted((check.get("context") or {}).items())}
            if fixed:
                out.append(
                    "    fixed context: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in fixed.items())
                )
            if check.get("kind") == "svc":
                out.append(
                    f"    made by DynamoDB for the caller: {', '.join(SVC_ABSENT)} absent (SEMANTICS §3.2)"
                )
    for pe in answer.get("policy_errors", []):
        out.append(f"  unreadable: {pe.get('source')}: {pe.get('code')}")
    return "\n".join(out)

"""Run scenario suites: compile each suite once per option set, one engine call per entrypoint.

Policies are loaded by the front door's one policy-set loader (``api.load_principals``) and compiled
through :class:`ApiBackend` (``iam2rego.api``, ARCHITECTURE §1); tests may inject another backend with
the same two methods.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .. import answers, api, bounded
from ..diagnostics import Diagnostic, Severity, render
from ..engines import Engine
from ..errors import EngineError, ExitCode, IamError
from .scenario import Case, PolicyRef, PolicySetSpec, Suite, discover, load_suite
from .select import compile_expression

PARSE_OPTIONS = ("lenient_json",)
COMPILE_OPTIONS = (
    "mode",
    "resource_glob",
    "awsbackup_restore_dataplane",
    "kms_set",
    "service_ip",
    "svc_calledvia",
)


# --------------------------------------------------------------------------- results


@dataclass
class CaseResult:
    suite: str  # suite label (path)
    suite_name: str
    name: str
    tags: tuple[str, ...]
    line: int
    kind: str  # request | operation | compile
    expected: str
    actual: str
    passed: bool
    problems: list[str] = field(default_factory=list)  # what differs from the expectation
    explanation: list[str] = field(default_factory=list)  # deciding statements / failing checks
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.suite}::{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "suite": self.suite,
            "suite_name": self.suite_name,
            "name": self.name,
            "tags": list(self.tags),
            "line": self.line,
            "kind": self.kind,
            "expected": self.expected,
            "actual": self.actual,
            "outcome": "passed" if self.passed else "failed",
            "problems": self.problems,
            "explanation": self.explanation,
            "seconds": round(self.seconds, 6),
        }


@dataclass
class SuiteError:
    suite: str
    message: str  # rendered diagnostics or engine error paragraph
    kind: str  # "invalid" | "engine"


@dataclass
class RunResult:
    engine: str
    results: list[CaseResult] = field(default_factory=list)
    errors: list[SuiteError] = field(default_factory=list)
    seconds: float = 0.0
    deselected: int = 0
    sources: dict[str, str] = field(default_factory=dict)  # inline/file policy texts, for reports

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.results)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return ExitCode.USAGE
        return ExitCode.FINDINGS if self.failed else ExitCode.OK


# --------------------------------------------------------------------------- compile backend


class Backend(Protocol):
    def load(
        self, ref: PolicyRef, kind: str, lenient_json: bool, name: str
    ) -> tuple[Any, list[Diagnostic]]: ...

    def compile(
        self, caller: dict[str, Any], role: dict[str, Any] | None, options: dict[str, Any], package: str
    ) -> tuple[str, dict[str, str]]:
        """(full Rego package of the compiled module, all modules to load incl. the library)."""


class ApiBackend:
    """The real compiler through the front door, ``iam2rego.api``."""

    def __init__(self) -> None:
        self._library: dict[str, str] | None = None

    def load(self, ref: PolicyRef, kind: str, lenient_json: bool, name: str) -> tuple[Any, list[Diagnostic]]:
        k = api.PolicyKind(kind)
        if ref.text is None:
            return api.load_policy(ref.label, k, lenient_json=lenient_json, name=name)
        return api.parse_policy(ref.text, ref.label, k, lenient_json=lenient_json, name=name)

    def _set(self, spec: dict[str, Any]) -> api.PolicySet:
        return api.PolicySet(
            identity=tuple(spec["identity"]),
            boundary=spec["boundary"],
            session=spec["session"],
            scp_levels=tuple(tuple(level) for level in spec["scp"]),
            rcp_levels=tuple(tuple(level) for level in spec["rcp"]),
            resource_policies=tuple(sorted(spec["resource_policies"].items())),
            vault_locks=tuple(sorted(spec.get("vault_locks", {}).items())),
        )

    def compile(
        self, caller: dict[str, Any], role: dict[str, Any] | None, options: dict[str, Any], package: str
    ) -> tuple[str, dict[str, str]]:
        principals = api.Principals(caller=self._set(caller), role=self._set(role) if role else None)
        if isinstance(options.get("kms_set"), list):
            options = {**options, "kms_set": tuple(options["kms_set"])}
        compiled = api.compile(principals, api.CompileOptions(package=package, **options))
        if self._library is None:
            self._library = dict(api.library_files())
        return compiled.package, {**self._library, **compiled.files}


# --------------------------------------------------------------------------- verdicts


def _norm(text: str | None) -> str:
    return (text or "").replace("-", "_").lower()


def check_request(case: Case, result: object) -> tuple[str, list[str], list[str]]:
    """(actual, problems, explanation) for a single request."""
    if not isinstance(result, dict) or "decision" not in result:
        return "undefined", ["the module returned no decision (undefined)"], []
    actual = _norm(str(result["decision"]))
    problems = []
    ok = actual == case.expect or (case.expect == "deny" and actual in ("explicit_deny", "implicit_deny"))
    if not ok:
        problems.append(f"expected {case.expect}, got {actual}")
    if case.reason and _norm(str(result.get("reason"))) != case.reason:
        problems.append(f"expected reason {case.reason}, got {result.get('reason')}")
    explanation = [describe_reason(r) for r in result.get("reasons") or [] if isinstance(r, dict)]
    if result.get("reason") and actual != "allow":
        explanation.insert(0, f"reason: {result.get('reason')}")
    return actual, problems, explanation


def describe_reason(reason: dict[str, Any]) -> str:
    sid = reason.get("sid")
    who = f"Sid {sid!r}" if sid else f"statement #{reason.get('statement_index')}"
    return f"{reason.get('effect', '?')} {who} of policy {reason.get('policy')} at {reason.get('source')}"


def _check_key(check: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        str(check.get("principal", "caller")),
        str(check.get("action", "")).lower(),
        str(check.get("resource", "")),
        _norm(str(check.get("decision", ""))),
    )


def describe_check(check: dict[str, Any]) -> str:
    p, _, res, dec = _check_key(check)
    line = f"{p} {check.get('action')} on {res} -> {dec}"
    if check.get("reason") and check.get("reason") != dec:
        line += f" ({check.get('reason')})"
    if check.get("kind"):
        line += f" [{check.get('kind')}]"
    return line


def _failing_matches(expected: tuple[dict[str, str], ...], actual: list[dict[str, Any]]) -> bool:
    if len(expected) != len(actual):
        return False
    remaining = [_check_key(a) for a in actual]
    for want in expected:
        for i, (p, a, r, d) in enumerate(remaining):
            if (
                want.get("principal", p) == p
                and want["action"].lower() == a
                and want["resource"] == r
                and _norm(want.get("decision", d)) == d
            ):
                del remaining[i]
                break
        else:
            return False
    return True


def _worst(failing: list[dict[str, Any]]) -> dict[str, Any] | None:
    rank = {"explicit_deny": 0, "implicit_deny": 1}
    ordered = sorted(failing, key=lambda c: rank.get(_norm(str(c.get("decision"))), 2))
    return ordered[0] if ordered else None


def check_operation(case: Case, result: object) -> tuple[str, list[str], list[str]]:
    if not isinstance(result, dict) or "allowed" not in result:
        return "undefined", ["the module returned no verdict for the operation (undefined)"], []
    actual = "allowed" if result["allowed"] is True else "denied"
    failing = [c for c in result.get("failing") or [] if isinstance(c, dict)]
    problems = []
    if actual != case.expect:
        problems.append(f"expected {case.expect}, got {actual}")
    if case.decision and _norm(str(result.get("decision"))) != case.decision:
        problems.append(f"expected decision {case.decision}, got {result.get('decision')}")
    if case.failing is not None and not _failing_matches(case.failing, failing):
        want = (
            ", ".join(
                f"{w.get('principal', '*')} {w['action']} on {w['resource']}"
                + (f" -> {w['decision']}" if "decision" in w else "")
                for w in case.failing
            )
            or "none"
        )
        problems.append(f"failing checks differ; expected: {want}")
    worst = _worst(failing)
    if case.reason and (worst is None or _norm(str(worst.get("reason"))) != case.reason):
        problems.append(f"expected reason {case.reason}, got {worst.get('reason') if worst else None}")
    explanation = [describe_check(c) for c in failing]
    for c in failing:
        explanation += ["    " + describe_reason(r) for r in c.get("reasons") or [] if isinstance(r, dict)]
    return actual, problems, explanation


# --------------------------------------------------------------------------- running one suite


_SLUG = re.compile(r"[^a-z0-9_]+")


def _slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_") or "suite"


class SuiteRun:
    """Compile and evaluate one suite's selected cases."""

    def __init__(
        self,
        suite: Suite,
        cases: list[Case],
        engine: Engine,
        backend: Backend,
        index: int,
        report_compile: bool = True,
    ):
        self.suite, self.cases, self.engine, self.backend = suite, cases, engine, backend
        self.report_compile = report_compile
        self.package_base = f"s{index}_{_slug(suite.name)[:40]}"
        self.sources: dict[str, str] = {}

    def _names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        used: set[str] = set()
        refs = self.suite.caller.all_refs() + (self.suite.role.all_refs() if self.suite.role else [])
        for n, ref in enumerate(refs):
            base = _slug(ref.name or (ref.path.stem if ref.path else f"inline{n}")) or f"p{n}"
            name, k = base, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
            used.add(name)
            names[id(ref)] = name
        return names

    def _spec(self, spec: PolicySetSpec) -> api.PolicySetSpec[PolicyRef]:
        return api.PolicySetSpec(
            identity=spec.identity,
            boundary=spec.boundary,
            session=spec.session,
            scp_levels=spec.scp,
            rcp_levels=spec.rcp,
            resource_policies=spec.resource_policies,
            resource_policy=spec.resource_policy,
            vault_locks=spec.vault_locks,
        )

    @staticmethod
    def _as_dict(s: api.LoadedSet[Any]) -> dict[str, Any]:
        return {
            "identity": list(s.identity),
            "boundary": s.boundary,
            "session": s.session,
            "scp": [list(level) for level in s.scp_levels],
            "rcp": [list(level) for level in s.rcp_levels],
            "resource_policies": dict(s.resource_policies),
            "vault_locks": dict(s.vault_locks),
        }

    def prepare(
        self, options: dict[str, Any], package: str
    ) -> tuple[tuple[str, dict[str, str]] | None, set[str], str | None]:
        """Load + compile under ``options``: ((package, modules), expected error codes seen, rendered errors)."""
        names = self._names()
        lenient = bool(options.get("lenient_json", False))

        def load(ref: PolicyRef, kind: api.PolicyKind, text: str) -> tuple[Any, list[Diagnostic]]:
            return self.backend.load(replace(ref, text=text), kind.value, lenient, names[id(ref)])

        spec = api.PrincipalsSpec(
            self._spec(self.suite.caller),
            self._spec(self.suite.role) if self.suite.role else None,
            lenient_json=lenient,
        )
        loaded = api.load_principals(spec, loader=load, skip_code=self.suite.expect_compile_error)
        self.sources.update(loaded.sources)
        errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
        if errors:
            return None, loaded.skipped, self._render(errors)
        caller = self._as_dict(loaded.caller)
        role = self._as_dict(loaded.role) if loaded.role is not None else None
        compile_opts = {k: v for k, v in options.items() if k in COMPILE_OPTIONS}
        try:
            return self.backend.compile(caller, role, compile_opts, package), loaded.skipped, None
        except IamError as exc:
            return None, loaded.skipped, self._render(list(exc.diagnostics))
        except (TypeError, ValueError) as exc:  # an option this compiler does not know or accept
            return (
                None,
                loaded.skipped,
                f"{self.suite.label}: the compiler rejected the options {compile_opts}: {exc}",
            )

    def _render(self, diags: list[Diagnostic]) -> str:
        return "\n".join(render(d, self.sources.get(d.path)) for d in diags)

    def run(self) -> tuple[list[CaseResult], list[SuiteError]]:
        results: list[CaseResult] = []
        errors: list[SuiteError] = []
        if self.suite.expect_compile_error and self.report_compile:
            _, seen, _rendered = self.prepare(self.suite.options, self.package_base + "_c")
            code = self.suite.expect_compile_error
            ok = code in seen
            results.append(
                CaseResult(
                    self.suite.label,
                    self.suite.name,
                    f"compile error {code}",
                    (),
                    self.suite.expect_compile_error_line,
                    "compile",
                    f"error {code}",
                    f"error {code}" if ok else "compiled",
                    ok,
                    [] if ok else [f"expected compile error {code}, but the policies were accepted"],
                )
            )
        groups: dict[str, list[Case]] = {}
        for case in self.cases:
            groups.setdefault(json.dumps(case.options, sort_keys=True), []).append(case)
        for n, (key, cases) in enumerate(sorted(groups.items())):
            compiled, _, rendered = self.prepare(json.loads(key), f"{self.package_base}_{n}")
            if compiled is None:
                errors.append(SuiteError(self.suite.label, rendered or "compile failed", "invalid"))
                continue
            try:
                results += self._evaluate(compiled[1], compiled[0], cases)
            except EngineError as exc:
                errors.append(SuiteError(self.suite.label, str(exc), "engine"))
        return results, errors

    def _evaluate(self, modules: dict[str, str], package: str, cases: list[Case]) -> list[CaseResult]:
        out: dict[int, CaseResult] = {}
        for kind, rule, checker in (
            ("request", "decision", check_request),
            ("operation", "operation", check_operation),
        ):
            batch = [c for c in cases if c.kind == kind]
            if not batch:
                continue
            start = time.perf_counter()
            entrypoint = f"data.{package}.{rule}"
            values = evaluate_unique(self.engine, modules, entrypoint, [c.input for c in batch])
            # An undefined answer fails its case (reported); any other wrong shape is an engine error.
            answers.require(rule, [v for v in values if v is not None], self.engine.name, entrypoint)
            per_case = (time.perf_counter() - start) / len(batch)
            for case, value in zip(batch, values, strict=True):
                actual, problems, explanation = checker(case, value)
                out[id(case)] = CaseResult(
                    self.suite.label,
                    self.suite.name,
                    case.name,
                    case.tags,
                    case.line,
                    kind,
                    case.expect,
                    actual,
                    not problems,
                    problems,
                    explanation,
                    per_case,
                )
        return [out[id(c)] for c in cases if id(c) in out]


def evaluate_unique(
    engine: Engine, modules: dict[str, str], entrypoint: str, inputs: list[dict]
) -> list[object]:
    """Evaluate each distinct input once (a decision is a function of modules and input) and fan out.

    Cases with equal inputs share one result object; the verdict checks only read it.
    """
    index: dict[str, int] = {}
    positions = [index.setdefault(json.dumps(i, sort_keys=True), len(index)) for i in inputs]
    if len(index) == len(inputs):
        return engine.evaluate(modules, entrypoint, inputs)
    unique = [json.loads(k) for k in index]
    values = engine.evaluate(modules, entrypoint, unique)
    return [values[n] for n in positions]


# --------------------------------------------------------------------------- running many suites


ProgressFn = Callable[[int, int, str], None]


def run_suites(
    paths: Iterable[str | Path],
    engine: Engine,
    *,
    select: str | None = None,
    backend: Backend | None = None,
    progress: ProgressFn | None = None,
    allow_outside: bool = False,
) -> RunResult:
    start = time.perf_counter()
    run = RunResult(engine=engine.name)
    matcher = compile_expression(select or "")
    files = discover(paths)
    if not files:
        run.errors.append(SuiteError("(none)", "no scenario suites found in the given paths", "invalid"))
    suites: list[Suite] = []
    for f in files:
        try:
            suites.append(load_suite(f, allow_outside=allow_outside))
        except IamError as exc:
            text = bounded.text_or_none(str(f), "suite", bounded.SUITE)
            run.errors.append(
                SuiteError(str(f), "\n".join(render(d, text) for d in exc.diagnostics), "invalid")
            )
    if suites and backend is None:
        backend = ApiBackend()
    for i, suite in enumerate(suites):
        if progress:
            progress(i, len(suites), suite.label)
        selected = [c for c in suite.cases if matcher([c.name, suite.name, *c.tags, *suite.tags])]
        run.deselected += len(suite.cases) - len(selected)
        compile_selected = suite.expect_compile_error and matcher(
            [f"compile error {suite.expect_compile_error}", suite.name, *suite.tags]
        )
        if not selected and not compile_selected:
            continue
        assert backend is not None
        sr = SuiteRun(suite, selected, engine, backend, i, report_compile=bool(compile_selected))
        results, errors = sr.run()
        run.sources.update(sr.sources)
        run.results += results
        run.errors += errors
    if progress:
        progress(len(suites), len(suites), "")
    run.seconds = time.perf_counter() - start
    return run


def progress_bar(stream: Any = None) -> ProgressFn | None:
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int, label: str) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        text = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[-40:]:<40}"
        stream.write(text if done < total else "\r" + " " * len(text) + "\r")
        stream.flush()

    return show

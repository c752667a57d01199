"""The front door: everything the commands, the harness, the gate, benchmarks and tests call.

See docs/ARCHITECTURE.md §1. The work lives in the phase modules; this module composes them:

- ``load_policy`` / ``parse_policy``  one document -> ``(Policy | None, diagnostics)``
- ``load_principals(spec)``          the ONE policy-set loader: every document read once, diagnostics
                                       and source texts collected, ``ir.Principals`` when nothing failed
- ``check(policy, mode=)``           the W-* findings of one policy
- ``compile(principals, options)``   a compiled Rego module (``CompiledModule``)
- ``decide(module, inputs, engine=)`` decisions (requests) and verdicts (operations) on an engine
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from . import answers, bounded
from .analysis import analyze, policy_doc, policy_set, question
from .checks import DEFAULT_MODE, check_policy
from .codegen import MODES, CompiledModule, CompileOptions, compile_principals, library_files
from .codegen.patterns import ResourceProbe, action_glob, action_regex, resource_probe
from .diagnostics import Diagnostic, IamError, Severity, Span, has_errors
from .engines import ENGINE_CHOICES, Engine, get_engine
from .errors import EngineError, Iam2RegoError, UsageError
from .globs import Glob, wildcard_glob
from .ir import TABLE_ARN, Policy, PolicyKind, PolicySet, Principals, bound_table, is_vault_arn
from .load import default_name, load_policy, object_span_at, parse_policy, read_source

__all__ = [
    "DEFAULT_MODE",
    "ENGINE_CHOICES",
    "MODES",
    "CompileOptions",
    "CompiledModule",
    "Diagnostic",
    "Engine",
    "EngineError",
    "Glob",
    "Iam2RegoError",
    "IamError",
    "LoadedPrincipals",
    "LoadedSet",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "PolicySetSpec",
    "PolicySource",
    "Principals",
    "PrincipalsSpec",
    "ResourceProbe",
    "Severity",
    "Span",
    "action_glob",
    "action_regex",
    "analyze",
    "check",
    "check_policy",
    "compile",
    "compile_principals",
    "decide",
    "default_name",
    "get_engine",
    "library_files",
    "load_compiled",
    "load_policy",
    "load_principals",
    "object_span_at",
    "parse_policy",
    "policy_doc",
    "policy_set",
    "question",
    "read_source",
    "resource_probe",
    "wildcard_glob",
]

T = TypeVar("T")


# --------------------------------------------------------------------------- one policy


def check(policy: Policy, *, mode: str = DEFAULT_MODE) -> list[Diagnostic]:
    """The W-* findings of one valid policy, sorted. ``mode`` (one of ``MODES``, SEMANTICS §3.1) is the
    evaluation mode the checks assume, as ``compile --mode`` (W-RESOURCE-MISMATCH: RestoreTableFromBackup
    only on table ARNs grants nothing in ``docs`` mode)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return check_policy(policy, mode=mode)


def compile(principals: Principals, options: CompileOptions) -> CompiledModule:
    """Compile the caller's (and the AWS Backup role's) policy sets into one Rego module."""
    with gc_paused():
        return compile_principals(principals, options)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a large policy set is read or compiled.

    Reading builds millions of small acyclic objects (spans, IR nodes) that all stay alive; the
    collector would traverse them again and again while they pile up (issue 14: 1.7 of 4.2 s CPU
    for the front end of 20,000 statements). Reference counting still frees everything as usual;
    the collector runs again afterwards. Restores the previous state, so it nests."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- policy sets


class Source(Protocol):
    """One policy document: ``text`` when given, else the file at ``path``; ``label`` names it."""

    @property
    def label(self) -> str: ...
    @property
    def path(self) -> str | Path | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True)
class PolicySource:
    label: str  # how diagnostics name the document (the path as given, or suite#pointer)
    path: str | Path | None = None  # read when text is None ("-" = stdin)
    text: str | None = None
    name: str | None = None  # policy name in reasons (default: the label's file stem)

    @staticmethod
    def file(path: str) -> PolicySource:
        return PolicySource(label=path, path=path)


@dataclass(frozen=True)
class PolicySetSpec(Generic[T]):
    """The documents of one principal's policy set (the shape of ``ir.PolicySet``)."""

    identity: tuple[T, ...] = ()
    boundary: T | None = None
    session: T | None = None
    scp_levels: tuple[tuple[T, ...], ...] = ()  # one tuple per organisation level, root first
    rcp_levels: tuple[tuple[T, ...], ...] = ()
    # Resource-based policies bound to their table ARN (SEMANTICS §3.5, §5.2a); a lone
    # ``resource_policy`` is bound at load time to the one table its statements name.
    resource_policies: tuple[tuple[str, T], ...] = ()
    resource_policy: T | None = None
    # Vault Locks (vault ARN, "governance" | "compliance_grace" | "compliance_locked"), SEMANTICS §14.4
    vault_locks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PrincipalsSpec:
    caller: PolicySetSpec[Any]  # of Source documents (PolicySource, the harness's PolicyRef, ...)
    role: PolicySetSpec[Any] | None = None  # the role AWS Backup assumes
    lenient_json: bool = False


# The loaded sets keep the spec's shape; documents that failed are left out.
LoadedSet = PolicySetSpec


@dataclass
class LoadedPrincipals(Generic[T]):
    caller: LoadedSet[T]
    role: LoadedSet[T] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors and warnings of every document
    sources: dict[str, str] = field(default_factory=dict)  # label -> text, for rendering diagnostics
    skipped: set[str] = field(default_factory=set)  # codes of documents left out under ``skip_code``

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics)

    @property
    def principals(self) -> Principals | None:
        """The ``ir.Principals`` to compile; None when any document failed."""
        if self.failed:
            return None
        return Principals(caller=_policy_set(self.caller), role=_policy_set(self.role) if self.role else None)


def _policy_set(s: LoadedSet[Any]) -> PolicySet:
    return PolicySet(
        identity=s.identity,
        boundary=s.boundary,
        session=s.session,
        scp_levels=s.scp_levels,
        rcp_levels=s.rcp_levels,
        resource_policies=tuple(sorted(s.resource_policies, key=lambda tp: tp[0])),
        vault_locks=tuple(sorted(s.vault_locks)),
    )


Loader = Callable[[Any, PolicyKind, str], "tuple[Any, list[Diagnostic]]"]


def load_principals(
    spec: PrincipalsSpec, *, loader: Loader | None = None, skip_code: str | None = None
) -> LoadedPrincipals[Any]:
    """Read and validate every document of ``spec`` once.

    ``loader(source, kind, text) -> (document | None, diagnostics)`` turns one text into a document
    (default: ``parse_policy``; the harness passes its compile backend's). A document whose errors
    all carry ``skip_code`` is left out and the code recorded in ``skipped`` (scenario suites that
    expect a compile error); any other error fails the load.
    """
    out: LoadedPrincipals[Any] = LoadedPrincipals(LoadedSet(), None)

    def parse(source: Source, kind: PolicyKind, text: str) -> tuple[Any, list[Diagnostic]]:
        return parse_policy(text, source.label, kind, lenient_json=spec.lenient_json, name=source.name)

    load = loader or parse

    def one(source: Source | None, kind: PolicyKind) -> Any:
        if source is None:
            return None
        text = source.text
        if text is None:
            text, io_diags = read_source(str(source.path if source.path is not None else source.label))
            if text is None:
                out.diagnostics += [
                    Diagnostic(d.code, d.severity, d.message, source.label, d.span, d.hint, d.data)
                    for d in io_diags
                ]
                return None
            if bounded.looks_like_json_object(text):  # never quote lines of a file that is no policy
                out.sources[source.label] = text
        else:
            out.sources[source.label] = text
        document, diags = load(source, kind, text)
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if errors and skip_code and all(d.code == skip_code for d in errors):
            out.skipped.add(skip_code)
            return None
        if document is None and not errors:
            diags = [*diags, Diagnostic("V-UNKNOWN", Severity.ERROR, "policy rejected", source.label)]
        out.diagnostics += diags
        return None if errors else document

    def many(sources: Sequence[Source], kind: PolicyKind) -> tuple[Any, ...]:
        return tuple(d for d in (one(s, kind) for s in sources) if d is not None)

    def bound(s: PolicySetSpec[Any]) -> tuple[tuple[str, Any], ...]:
        out_: dict[str, Any] = {}
        for table, source in s.resource_policies:
            if not TABLE_ARN.match(table) and not is_vault_arn(table):
                out.diagnostics.append(
                    Diagnostic(
                        "V-RBP-TABLE",
                        Severity.ERROR,
                        f"a resource policy is bound to a table or backup vault ARN, not {table!r}",
                        source.label,
                    )
                )
                continue
            policy = one(source, PolicyKind.RESOURCE)
            if policy is not None:
                out_[table] = policy
        if s.resource_policy is not None:
            policy = one(s.resource_policy, PolicyKind.RESOURCE)
            lone = bound_table(policy) if isinstance(policy, Policy) else None
            if policy is not None and lone is None:
                out.diagnostics.append(
                    Diagnostic(
                        "V-RBP-TABLE",
                        Severity.ERROR,
                        "cannot tell which table this resource policy is attached to: its Resource "
                        "elements do not name exactly one table; bind it to its table ARN",
                        s.resource_policy.label,
                        hint="suites: resource_policies: {<table ARN>: policy}; compile: "
                        "--resource-policy <table ARN>=<file>",
                    )
                )
            elif policy is not None and lone is not None:
                out_[lone] = policy
        return tuple(sorted(out_.items()))

    def load_set(s: PolicySetSpec[Any]) -> LoadedSet[Any]:
        K = PolicyKind
        return LoadedSet(
            identity=many(s.identity, K.IDENTITY),
            boundary=one(s.boundary, K.BOUNDARY),
            session=one(s.session, K.SESSION),
            scp_levels=tuple(many(level, K.SCP) for level in s.scp_levels),
            rcp_levels=tuple(many(level, K.RCP) for level in s.rcp_levels),
            resource_policies=bound(s),
            vault_locks=s.vault_locks,
        )

    with gc_paused():
        out.caller = load_set(spec.caller)
        out.role = load_set(spec.role) if spec.role is not None else None
    return out


# --------------------------------------------------------------------------- decisions

_PACKAGE = re.compile(r"^package\s+(iam2rego\.policies\.[A-Za-z0-9_.]+)\s*$", re.M)


def load_compiled(directory: str | Path) -> CompiledModule:
    """A directory written by ``iam2rego compile -o``: every module in it (the library included) and
    the compiled modules' data documents (``data.json``)."""
    root = Path(directory)
    found = sorted([*root.rglob("*.rego"), *root.rglob("data.json")])
    files = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in found}
    packages = sorted(
        {
            m.group(1)
            for path, text in files.items()
            if path.endswith(".rego")
            for m in _PACKAGE.finditer(text)
        }
    )
    if len(packages) != 1:
        raise UsageError(f"{root}: expected one compiled iam2rego.policies package, found {len(packages)}")
    return CompiledModule(packages[0], files)


def decide(
    module: CompiledModule,
    inputs: Sequence[Mapping[str, Any]],
    *,
    engine: str | Engine = "auto",
    with_library: bool = True,
    **engine_opts: Any,
) -> list[object]:
    """One answer per input, in order: inputs with an ``operation`` member get the operation verdict
    (entry point ``operation``), the others the request decision (``decision``); None = undefined.

    ``with_library`` adds the runtime library (not needed for a module from ``load_compiled``).
    Raises ``EngineError`` when the engine cannot evaluate or answers with the wrong shape
    (``iam2rego.answers``).
    """
    runner = get_engine(engine, **engine_opts) if isinstance(engine, str) else engine
    modules = {**library_files(), **module.files} if with_library else dict(module.files)
    items = [dict(i) for i in inputs]
    by_input: dict[int, object] = {}
    for entry, want_operation in (("decision", False), ("operation", True)):
        group = [i for i in items if ("operation" in i) is want_operation]
        if group:
            entrypoint = f"data.{module.package}.{entry}"
            out = answers.require(entry, runner.evaluate(modules, entrypoint, group), runner.name, entrypoint)
            by_input.update({id(i): o for i, o in zip(group, out, strict=True)})
    return [by_input[id(i)] for i in items]

"""Scenario suites: the YAML format (scenarios/README.md), its JSON Schema, and the loader.

Loading = YAML syntax check, duplicate-key check, JSON Schema validation (``scenario.schema.json``,
shipped as package data) and a few semantic checks; every problem is a :class:`Diagnostic` that
points at ``file:line:col`` of the YAML (node marks map JSON-pointer paths back to lines).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .. import bounded
from ..catalog import facts
from ..diagnostics import Diagnostic, IamError, Severity, Span
from ..ir import TABLE_ARN, is_vault_arn, resource_policy_table
from ..yamlmarks import Marks, error_span, node_span, pointer_text
from .fastschema import Unsupported, compile_schema

# Stable codes of scenario-file problems (tests assert these).
YAML_SYNTAX = "SCN-YAML"
DUPLICATE_KEY = "SCN-DUP"
SCHEMA = "SCN-SCHEMA"
CASE = "SCN-CASE"
POLICY = "SCN-POLICY"

# Operation case keys and their required parameters (one source: compiler/catalog/facts.json).
OPERATIONS: dict[str, tuple[str, ...]] = {
    name: tuple(op["required"]) for name, op in facts.OPERATIONS.items()
}
REQUEST_EXPECT = ("allow", "deny", "explicit_deny", "implicit_deny")
OPERATION_EXPECT = ("allowed", "denied")
SUITE_SUFFIXES = (".yaml", ".yml")

Pointer = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


@cache
def schema() -> dict[str, Any]:
    text = resources.files("iam2rego.harness").joinpath("scenario.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class PolicyRef:
    """One policy of a suite: a file (``path``) or text written in the suite (``text``)."""

    origin: str  # "path" | "inline" | "document"
    name: str | None
    path: Path | None = None
    text: str | None = None
    label: str = ""  # how messages name it: the path as written, or suite#pointer
    span: Span = field(default=Span(1, 1, 1, 1))  # where the suite mentions it


@dataclass(frozen=True)
class PolicySetSpec:
    identity: tuple[PolicyRef, ...] = ()
    boundary: PolicyRef | None = None
    session: PolicyRef | None = None
    scp: tuple[tuple[PolicyRef, ...], ...] = ()
    rcp: tuple[tuple[PolicyRef, ...], ...] = ()
    resource_policy: PolicyRef | None = None  # unbound (bound at load time by its Resource elements)
    resource_policies: tuple[tuple[str, PolicyRef], ...] = ()  # (table or vault ARN, policy)
    vault_locks: tuple[tuple[str, str], ...] = ()  # (vault ARN, lock), SEMANTICS §14.4

    def all_refs(self) -> list[PolicyRef]:
        refs = list(self.identity)
        refs += [r for r in (self.boundary, self.session, self.resource_policy) if r is not None]
        refs += [r for _, r in self.resource_policies]
        for level in (*self.scp, *self.rcp):
            refs += level
        return refs


@dataclass(frozen=True)
class Case:
    name: str
    tags: tuple[str, ...]
    line: int
    expect: str
    options: dict[str, Any]  # suite options merged with the case's own
    input: dict[str, Any]  # the raw request or operation input handed to the engine
    operation: str | None = None  # None for a single request
    reason: str | None = None
    decision: str | None = None
    failing: tuple[dict[str, str], ...] | None = None
    description: str = ""

    @property
    def kind(self) -> str:
        return "request" if self.operation is None else "operation"


@dataclass(frozen=True)
class Suite:
    path: Path
    label: str  # the path as shown to the user
    name: str
    description: str
    tags: tuple[str, ...]
    caller: PolicySetSpec
    role: PolicySetSpec | None
    options: dict[str, Any]
    expect_compile_error: str | None
    expect_compile_error_line: int
    cases: tuple[Case, ...]
    source: str


# --------------------------------------------------------------------------- YAML with positions


class _YamlLoader(_LOADER):  # type: ignore[misc,valid-type]
    """libyaml's safe loader that also records duplicate mapping keys (YAML silently keeps the last)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, Span]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            keys = [str(k.value) for k, _ in node.value]
            if len(set(keys)) != len(keys):
                seen: set[str] = set()
                for (k, _), text in zip(node.value, keys, strict=True):
                    if text in seen:
                        self.duplicates.append((text, node_span(k)))
                    seen.add(text)
        return super().construct_mapping(node, deep=deep)


def _diag(code: str, message: str, label: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, label, span, hint)


def parse_yaml(text: str, label: str) -> tuple[Any, Marks]:
    """Parse YAML text; raise IamError with file:line:col for syntax errors and duplicate keys."""
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()  # one parse: positions from the node tree, data constructed from it
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        span = error_span(exc, Span(1, 1, 1, 1))
        raise IamError([_diag(YAML_SYNTAX, f"YAML syntax error: {problem}", label, span)]) from None
    except yaml.YAMLError as exc:
        raise IamError([_diag(YAML_SYNTAX, f"YAML error: {exc}", label, Span(1, 1, 1, 1))]) from None
    finally:
        loader.dispose()
    duplicates = sorted(loader.duplicates, key=lambda d: (d[1].line, d[1].column))
    if duplicates:
        raise IamError(
            [
                _diag(
                    DUPLICATE_KEY,
                    f"duplicate key {k!r}",
                    label,
                    s,
                    "YAML keeps only the last one; remove one",
                )
                for k, s in duplicates
            ]
        )
    return data, Marks(root, empty=Span(1, 1, 1, 1))


@cache
def _fast_check() -> Callable[[Any], bool] | None:
    """The schema compiled once into closures (None: it uses a keyword fastschema lacks)."""
    try:
        return compile_schema(schema())
    except Unsupported:
        return None


def schema_errors(data: Any, marks: Marks, label: str) -> list[Diagnostic]:
    """Schema violations located in the YAML; the compiled check first, jsonschema only to word errors."""
    fast = _fast_check()
    if fast is not None and fast(data):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    out = []
    for err in sorted(
        validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    ):
        best = jsonschema.exceptions.best_match([err])
        ptr = tuple(best.absolute_path)
        span = marks.at(ptr)
        message = best.message
        if best.validator == "additionalProperties" and isinstance(best.instance, dict):
            allowed = set((best.schema.get("properties") or {}).keys())
            extra = sorted(k for k in best.instance if k not in allowed)
            if extra:
                span = marks.at((*ptr, extra[0]), key=True)
                message = f"unknown key {extra[0]!r} in {pointer_text(ptr)}"
                hint = f"allowed keys: {', '.join(sorted(allowed))}"
                out.append(_diag(SCHEMA, message, label, span, hint))
                continue
        out.append(_diag(SCHEMA, f"{pointer_text(ptr)}: {message}", label, span))
    return out


# --------------------------------------------------------------------------- loading


def _real(path: Path) -> Path:
    """``path`` with symlinks resolved; never raises (a symlink loop stays as written, and the
    bounded reader reports it when the file is read)."""
    return Path(os.path.realpath(path))


def _rel_label(path: Path) -> str:
    try:
        return str(_real(path).relative_to(_real(Path.cwd())))
    except ValueError:
        return str(path)


class _Loader:
    def __init__(
        self, path: Path, text: str, data: dict[str, Any], marks: Marks, allow_outside: bool = False
    ):
        self.path, self.text, self.data, self.marks = path, text, data, marks
        self.label = _rel_label(path)
        self.errors: list[Diagnostic] = []
        self.allow_outside = allow_outside

    def error(
        self, code: str, message: str, ptr: Pointer, hint: str | None = None, key: bool = False
    ) -> None:
        self.errors.append(_diag(code, message, self.label, self.marks.at(ptr, key=key), hint))

    # ---- policies

    def ref(self, value: Any, ptr: Pointer) -> PolicyRef:
        span = self.marks.at(ptr)
        if isinstance(value, str):
            value = {"path": value}
        name = value.get("name")
        if "path" in value:
            p = _real(self.path.parent / value["path"])
            roots = (_real(self.path.parent), _real(Path.cwd()))
            if not self.allow_outside and not any(p.is_relative_to(r) for r in roots):
                self.error(
                    POLICY,
                    f"policy path {value['path']!r} resolves outside the suite's directory and the "
                    "current directory",
                    ptr,
                    hint="suites may read only their own tree; pass --allow-outside to `iam2rego test` "
                    "if this is intended",
                )
                return PolicyRef("path", name, path=None, label=str(value["path"]), span=span)
            if not p.is_file():
                self.error(POLICY, f"policy file {value['path']!r} not found (relative to the suite)", ptr)
            return PolicyRef("path", name, path=p, label=_rel_label(p), span=span)
        if "inline" in value:
            return PolicyRef(
                "inline", name, text=value["inline"], label=f"{self.label}#{pointer_text(ptr)}", span=span
            )
        text = json.dumps(value["document"], indent=2) + "\n"
        return PolicyRef("document", name, text=text, label=f"{self.label}#{pointer_text(ptr)}", span=span)

    def ref_list(self, value: Any, ptr: Pointer) -> tuple[PolicyRef, ...]:
        if isinstance(value, list):
            return tuple(self.ref(v, (*ptr, i)) for i, v in enumerate(value))
        return (self.ref(value, ptr),)

    def policy_set(self, spec: dict[str, Any], ptr: Pointer) -> PolicySetSpec:
        def one(key: str) -> PolicyRef | None:
            return self.ref(spec[key], (*ptr, key)) if key in spec else None

        def levels(key: str) -> tuple[tuple[PolicyRef, ...], ...]:
            return tuple(self.ref_list(v, (*ptr, key, i)) for i, v in enumerate(spec.get(key) or []))

        identity = self.ref_list(spec["identity"], (*ptr, "identity")) if "identity" in spec else ()
        bound: list[tuple[str, PolicyRef]] = []
        for table, value in (spec.get("resource_policies") or {}).items():
            if not TABLE_ARN.match(table) and not is_vault_arn(table):
                self.error(
                    POLICY,
                    f"resource_policies: {table!r} is not a DynamoDB table ARN or an AWS Backup vault ARN "
                    "(a table's policy covers its indexes and streams, a vault's its recovery points; "
                    "backups, exports and imports have none)",
                    (*ptr, "resource_policies", table),
                )
                continue
            bound.append((table, self.ref(value, (*ptr, "resource_policies", table))))
        locks = []
        for vault, lock in (spec.get("vault_locks") or {}).items():
            if not is_vault_arn(vault):
                self.error(
                    POLICY,
                    f"vault_locks: {vault!r} is not an AWS Backup vault ARN",
                    (*ptr, "vault_locks", vault),
                )
                continue
            locks.append((vault, lock))
        return PolicySetSpec(
            identity,
            one("boundary"),
            one("session"),
            levels("scp"),
            levels("rcp"),
            one("resource_policy"),
            tuple(sorted(bound, key=lambda tr: tr[0])),
            tuple(sorted(locks)),
        )

    def bind_single(self, spec: PolicySetSpec, cases: list[dict[str, Any]]) -> PolicySetSpec:
        """The single ``resource_policy`` form of a one-table suite, bound to the one table its
        cases name (a request's resource, an operation's table parameters; an index or stream
        names its table). Otherwise it stays unbound and is bound at load time to the one table its
        own Resource elements name."""
        if spec.resource_policy is None:
            return spec
        tables: set[str] = set()
        for raw in cases:
            values = [raw.get("resource")]
            values += [v for op in OPERATIONS if isinstance(raw.get(op), dict) for v in raw[op].values()]
            tables.update(t for v in values if isinstance(v, str) and (t := resource_policy_table(v)))
        if len(tables) != 1:
            return spec
        bound = (*spec.resource_policies, (tables.pop(), spec.resource_policy))
        return replace(
            spec, resource_policy=None, resource_policies=tuple(sorted(bound, key=lambda tr: tr[0]))
        )

    # ---- cases

    def case(self, raw: dict[str, Any], index: int, defaults: dict[str, Any], line: int) -> Case | None:
        ptr: Pointer = ("cases", index)
        ops = [k for k in raw if k in OPERATIONS]
        is_request = "action" in raw or "resource" in raw
        expect = raw["expect"]
        if len(ops) > 1:
            self.error(
                CASE,
                f"case {raw['name']!r} names several operations: {', '.join(ops)}",
                (*ptr, ops[1]),
                key=True,
            )
            return None
        if ops and is_request:
            self.error(
                CASE, f"case {raw['name']!r} has both a request (action/resource) and an operation", ptr
            )
            return None
        if not ops:
            if not ("action" in raw and "resource" in raw):
                missing = "resource" if "action" in raw else "action"
                self.error(
                    CASE,
                    f"case {raw['name']!r} needs `{missing}` (or one operation key)",
                    ptr,
                    hint="operations: " + ", ".join(OPERATIONS),
                )
                return None
            if expect not in REQUEST_EXPECT:
                self.error(
                    CASE,
                    f"a request expects one of {', '.join(REQUEST_EXPECT)}, not {expect!r}",
                    (*ptr, "expect"),
                )
                return None
            for key in ("failing", "decision"):
                if key in raw:
                    self.error(CASE, f"`{key}` applies to operations only", (*ptr, key), key=True)
                    return None
        elif expect not in OPERATION_EXPECT:
            self.error(CASE, f"an operation expects allowed or denied, not {expect!r}", (*ptr, "expect"))
            return None
        if expect == "allowed" and raw.get("failing"):
            self.error(CASE, "an allowed operation has no failing checks", (*ptr, "failing"), key=True)
            return None
        options = {**defaults["options"], **(raw.get("options") or {})}
        context = merge_context(defaults["context"], raw.get("context") or {})
        principal = raw.get("principal", defaults["principal"])
        if ops:
            op = ops[0]
            payload: dict[str, Any] = {"operation": op, **raw[op], "context": context}
        else:
            op = None
            payload = {
                "action": raw["action"],
                "resource": raw["resource"],
                "context": with_default_region(context, raw["resource"]),
            }
            if "vault" in raw:  # the vault holding a recovery point (SEMANTICS §14.3)
                payload["vault"] = raw["vault"]
        if principal is not None:
            payload["principal"] = principal
        failing = tuple(raw["failing"]) if "failing" in raw else None
        return Case(
            name=raw["name"],
            tags=tuple(raw.get("tags") or ()),
            line=line,
            expect=expect,
            options=options,
            input=payload,
            operation=op,
            reason=raw.get("reason"),
            decision=raw.get("decision"),
            failing=failing,
            description=raw.get("description", ""),
        )

    def suite(self) -> Suite:
        d = self.data
        policies = d.get("policies") or {}
        raw_cases = [c for c in (d.get("cases") or []) if isinstance(c, dict)]
        caller = self.policy_set({k: v for k, v in policies.items() if k != "role"}, ("policies",))
        caller = self.bind_single(caller, raw_cases)
        role = self.policy_set(policies["role"], ("policies", "role")) if "role" in policies else None
        role = self.bind_single(role, raw_cases) if role is not None else None
        defaults = {
            "options": d.get("options") or {},
            "context": d.get("context") or {},
            "principal": d.get("principal"),
        }
        cases: list[Case] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(d.get("cases") or []):
            if raw["name"] in seen:
                self.error(
                    CASE,
                    f"duplicate case name {raw['name']!r} (first at line {seen[raw['name']]})",
                    ("cases", i, "name"),
                )
                continue
            line = self.marks.at(("cases", i)).line
            seen[raw["name"]] = line
            c = self.case(raw, i, defaults, line)
            if c is not None:
                cases.append(c)
        if not caller.all_refs() and not (role and role.all_refs()):
            self.error(CASE, "the suite names no policies", ("policies",) if "policies" in d else ())
        return Suite(
            path=self.path,
            label=self.label,
            name=d.get("suite") or self.path.stem,
            description=d.get("description", ""),
            tags=tuple(d.get("tags") or ()),
            caller=caller,
            role=role,
            options=dict(defaults["options"] or {}),
            expect_compile_error=d.get("expect_compile_error"),
            expect_compile_error_line=self.marks.at(("expect_compile_error",)).line,
            cases=tuple(cases),
            source=self.text,
        )


def merge_context(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Case context over suite context; keys compare case-insensitively; ``null`` removes a key."""
    out = {k: v for k, v in base.items() if v is not None}
    for key, value in override.items():
        for existing in [k for k in out if k.lower() == key.lower()]:
            del out[existing]
        if value is not None:
            out[key] = value
    return out


_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):")


def with_default_region(context: dict[str, Any], resource: str) -> dict[str, Any]:
    """SEMANTICS §7.1: ``aws:RequestedRegion`` defaults to the Region of the request's ARN."""
    if any(k.lower() == "aws:requestedregion" for k in context):
        return context
    m = _ARN_REGION.match(resource)
    return {**context, "aws:RequestedRegion": m.group(1)} if m and m.group(1) else context


def load_suite(path: str | Path, *, allow_outside: bool = False) -> Suite:
    """Load and validate one suite; raise IamError (with file:line:col diagnostics) when invalid.

    Policy paths must resolve (symlinks followed) inside the suite's directory or the current
    directory unless ``allow_outside``: a suite from a pull request cannot read ``/proc/self/environ``.
    """
    p = Path(path)
    label = _rel_label(p)
    try:
        text = bounded.read_text(str(p), "suite", bounded.SUITE)
    except bounded.InputError as exc:
        d = exc.diagnostic
        raise IamError([Diagnostic(d.code, d.severity, d.message, label, d.span, d.hint)]) from None
    problem = bounded.yaml_bounds_error(text, label, "suite", bounded.SUITE)
    if problem is not None:
        raise IamError([problem.diagnostic])
    data, marks = parse_yaml(text, label)
    if not isinstance(data, dict):
        raise IamError([_diag(SCHEMA, "a suite must be a YAML mapping with `cases:`", label, marks.at(()))])
    errors = schema_errors(data, marks, label)
    if errors:
        raise IamError(errors)
    loader = _Loader(p, text, data, marks, allow_outside)
    suite = loader.suite()
    if loader.errors:
        raise IamError(loader.errors)
    return suite


def is_suite_file(path: Path) -> bool:
    """A YAML file whose top level has ``cases:`` or ``expect_compile_error:`` (cheap text test)."""
    if path.suffix not in SUITE_SUFFIXES or not path.is_file():
        return False
    try:
        text = bounded.read_text(str(path), "suite", bounded.SUITE)
    except bounded.InputError:
        return False
    return re.search(r"^(cases|expect_compile_error)\s*:", text, re.MULTILINE) is not None


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Suite files named directly, or found recursively under directories (sorted, de-duplicated)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if is_suite_file(f))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = _real(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique

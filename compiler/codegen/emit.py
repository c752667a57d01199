"""One emitter method per IR node (sqlglot style): ``Principals`` -> one Rego module text.

Layout of the module (ARCHITECTURE §5): header and imports; ``options``; the entry points
``decision``, ``decide(raw)`` and ``operation``; per principal (``caller``, ``role``) a hits builder
and one aggregation function per policy set; per IAM statement one function rule returning the
reason object, preceded by a ``# METADATA`` block naming its source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .. import ir
from .patterns import (
    MalformedVariable,
    action_is_wildcard,
    action_regex,
    has_variable,
    has_wildcard,
    literal_text,
    parse_pattern,
    resource_regex,
    resource_tokens,
)
from .quote import regex_literal, rego_string, yaml_string
from .writer import Call, Json, Term, Writer, json_term, one_line, set_literal, set_term

# Imports by the name used in the module; only those referenced are emitted (opa check --strict).
_IMPORTS = {
    "catalog": "data.iam2rego.catalog",
    "conditions": "data.iam2rego.conditions",
    "iam_decide": "data.iam2rego.decide as iam_decide",
    "match": "data.iam2rego.match",
    "operations": "data.iam2rego.operations",
    "request": "data.iam2rego.request",
}

# A body expression: a prefix and a term the writer may break over lines.
Expr = tuple[str, Term]

ActionExpander = Callable[[str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Unit:
    """One statement to emit: where it sits and the name of its function."""

    fn: str
    policy: ir.Policy
    statement: ir.Statement


@dataclass(frozen=True, slots=True)
class PolicyGroup:
    """A policy set of one principal (identity, boundary, scp level k, ...) and its statements."""

    fn: str  # aggregation function, e.g. caller_identity
    key: str  # hits key, e.g. "identity"
    units: tuple[Unit, ...]


class Emitter:
    def __init__(self, package: str, options: Mapping[str, Json], expand: ActionExpander, glob_mode: str):
        self.package = package
        self.options = options
        self.expand = expand
        self.glob_mode = glob_mode
        self.used: set[str] = set()
        self.rbp_helper_done = False
        self.w = Writer()

    # ------------------------------------------------------------------ module

    def module(self, principals: ir.Principals) -> str:
        body = Emitter(self.package, self.options, self.expand, self.glob_mode)
        body.entry_points()
        body.principal("caller", principals.caller)
        body.principal("role", principals.role or ir.PolicySet())
        self.header()
        self.imports(body.used | {"iam_decide", "operations", "request"})
        self.options_rule()
        return self.w.text() + "\n" + body.w.text()

    def header(self) -> None:
        self.w.comment("METADATA")
        self.w.comment(f"title: {yaml_string('IAM policies compiled by iam2rego: ' + self.package)}")
        self.w.comment("description: Generated from IAM policy JSON by iam2rego. Do not edit.")
        self.w.line(f"package {self.package}")
        self.w.blank()

    def imports(self, used: set[str]) -> None:
        for name in sorted(used, key=lambda n: _IMPORTS[n]):
            self.w.line(f"import {_IMPORTS[name]}")
        self.w.blank()

    def options_rule(self) -> None:
        self.metadata("Compile options baked into this module")
        self.w.object("options := ", dict(sorted(self.options.items())))

    def entry_points(self) -> None:
        self.metadata("Decision for one raw request (input)", entrypoint=True)
        self.w.line("decision := decide(input)")
        self.w.blank()
        self.metadata("Decision for one raw request, normalised first")
        self.w.line("decide(raw) := iam_decide.decide(caller_hits(request.normalize(raw)))")
        self.w.blank()
        self.metadata("Verdict for one composite operation (input)", entrypoint=True)
        self.w.line("operation := operations.verdict(results) if {")
        with self.w.indented():
            self.w.line("checks := operations.checks(input, options)")
            self.w.line(
                "results := [object.union(c, iam_decide.decide(check_hits(c, input))) | some c in checks]"
            )
        self.w.line("}")
        self.w.blank()
        for who in ("caller", "role"):
            self.w.line(
                f'check_hits(c, op) := {who}_hits(request.normalize(check_request(c, op))) if c.principal == "{who}"'
            )
            self.w.blank()
        with self.w.block("check_request(c, op) := {", "}"):
            for key, value in (
                ("action", "c.action"),
                ("resource", "c.resource"),
                ("context", "c.context"),
                ("principal", "check_principal(c, op)"),
            ):
                self.w.line(f"{rego_string(key)}: {value},")
        self.w.blank()
        self.w.line('check_principal(c, op) := object.get(op, "principal", {}) if c.principal == "caller"')
        self.w.blank()
        # The role AWS Backup assumes, as the generic evaluator builds it (rego/iam2rego/generic).
        with self.w.block('check_principal(c, op) := object.get(op, "role_principal", assumed) if {', "}"):
            self.w.line('c.principal == "role"')
            self.w.line(
                'assumed := {"arn": op.role, "account": operations.role_account(op), "type": "AssumedRole"}'
            )
        self.w.blank()

    def metadata(
        self, title: str, *, entrypoint: bool = False, custom: Mapping[str, str] | None = None
    ) -> None:
        self.w.comment("METADATA")
        self.w.comment(f"title: {yaml_string(title)}")
        if entrypoint:
            self.w.comment("entrypoint: true")
        if custom:
            self.w.comment("custom:")
            for key, value in custom.items():
                self.w.comment(f"  {key}: {value}")

    # ------------------------------------------------------------------ policy sets

    def principal(self, who: str, ps: ir.PolicySet) -> None:
        groups = list(_groups(who, ps))
        self.hits(who, ps, groups)
        self.rbp_hits(who, by_key_of(groups))
        self.rbp_direct(who, ps)
        for group in groups:
            self.aggregation(group)
            for unit in group.units:
                self.statement(unit)

    def hits(self, who: str, ps: ir.PolicySet, groups: list[PolicyGroup]) -> None:
        by_key = {g.key: g for g in groups}

        def call(key: str) -> str:
            if key not in by_key:
                return "null"
            return f"{by_key[key].fn}(r)" if by_key[key].units else "[]"

        scp = [g for g in groups if g.key.startswith("scp")]
        rcp = [g for g in groups if g.key.startswith("rcp")]
        fields = [
            ("identity", call("identity")),
            ("boundary", call("boundary")),
            ("session", call("session")),
            ("scp", "[" + ", ".join(call(g.key) for g in scp) + "]"),
            ("rcp", "[" + ", ".join(call(g.key) for g in rcp) + "]"),
            ("resource_policy", f"{who}_rbp_hits(r)" if "resource_policy" in by_key else "null"),
            ("principal", 'object.get(r, "principal", {})'),
            (
                "rbp_grants_directly",
                f"{who}_rbp_grants_directly(r)" if self._direct_units(who, ps) else "false",
            ),
        ]
        with self.w.block(f"{who}_hits(r) := {{", "}"):
            for key, value in fields:
                self.w.line(f"{rego_string(key)}: {value},")
        self.w.blank()

    def rbp_hits(self, who: str, by_key: dict[str, PolicyGroup]) -> None:
        """A resource policy applies only to tables, indexes and streams (SEMANTICS §3.5); for any
        other resource the set is "not configured" (null), as in the generic evaluator."""
        if "resource_policy" not in by_key:
            return
        group = by_key["resource_policy"]
        value = f"{group.fn}(r)" if group.units else "[]"
        self.w.line(f"{who}_rbp_hits(r) := {value} if rbp_resource(r.resource)")
        self.w.blank()
        self.w.line(f"{who}_rbp_hits(r) := null if not rbp_resource(r.resource)")
        self.w.blank()
        if not self.rbp_helper_done:
            self.rbp_helper_done = True
            self.single(
                "rbp_resource(resource)",
                ("", Call("regex.match", (regex_literal(RBP_RESOURCE_RE), "resource"))),
            )

    def _direct_units(self, who: str, ps: ir.PolicySet) -> list[Unit]:
        if ps.resource_policy is None:
            return []
        group = _group(who, "resource_policy", "rbp", (ps.resource_policy,))
        return [
            u
            for u in group.units
            if u.statement.effect is ir.Effect.ALLOW
            and u.statement.principal
            and not u.statement.principal.negated
        ]

    def rbp_direct(self, who: str, ps: ir.PolicySet) -> None:
        units = self._direct_units(who, ps)
        if not units:
            return
        self.used.add("match")
        for unit in units:
            assert unit.statement.principal is not None
            entries = json_term(_principal_element(unit.statement.principal))
            with self.w.block(f"{who}_rbp_direct(r) if {{", "}"):
                self.w.line(f"{unit.fn}(r)")
                self.w.term("", Call("match.principal_named_directly", (entries, "r.principal")))
            self.w.blank()
        self.w.line(f"default {who}_rbp_grants_directly(_) := false")
        self.w.blank()
        with self.w.block(f"{who}_rbp_grants_directly(r) if {{", "}"):
            self.w.line("rbp_resource(r.resource)")
            self.w.line(f"{who}_rbp_direct(r)")
        self.w.blank()

    def aggregation(self, group: PolicyGroup) -> None:
        if not group.units:  # inlined as [] in the hits object
            return
        if len(group.units) == 1:
            self.w.line(f"{group.fn}(r) := [x | x := {group.units[0].fn}(r)]")
            self.w.blank()
            return
        with self.w.block(f"{group.fn}(r) := [reason |", "]"):
            with self.w.block("some hits in [", "]"):
                for unit in group.units:
                    self.w.line(f"[x | x := {unit.fn}(r)],")
            self.w.line("some reason in hits")
        self.w.blank()

    # ------------------------------------------------------------------ statements

    def statement(self, unit: Unit) -> None:
        st, policy = unit.statement, unit.policy
        reason = _reason(policy, st)
        self.metadata(
            f"{policy.name} statement {st.index}",
            custom={
                "policy": yaml_string(policy.name),
                "sid": yaml_string(st.sid.value) if st.sid else "null",
                "source": yaml_string(str(reason["source"])),
                "effect": yaml_string(str(st.effect)),
            },
        )
        conds = self.body(unit)
        self.w.term(f"{unit.fn}(r) := ", json_term(reason), " if {")
        with self.w.indented():
            for line in conds:
                self.expr(line)
        self.w.line("}")
        self.w.blank()
        self.helpers(unit)

    def expr(self, line: Expr) -> None:
        self.w.term(*line)

    def body(self, unit: Unit) -> list[Expr]:
        st = unit.statement
        out: list[Expr] = [*self.action_block(unit.fn, st.action), *self.resource_block(unit, st.resource)]
        if st.principal is not None:
            out.append(self.principal_block(st.principal))
        out += [self.condition(c, unit.policy.variables_enabled) for c in st.conditions]
        # A statement that constrains nothing applies to every request; every normalised request
        # has a string action, so this is always true and keeps the argument used.
        return out or [("", "is_string(r.action)")]

    def action_block(self, fn: str, block: ir.ActionBlock) -> list[Expr]:
        patterns = [t.value for t in block.items]
        if "*" in patterns:  # Action "*" matches every action; NotAction "*" none
            return [("", "not is_string(r.action)")] if block.negated else []
        exact = [p for p in patterns if not action_is_wildcard(p)]
        if not block.negated and len(exact) == len(patterns):
            exact_lc = [p.lower() for p in exact]
            names = set_literal(exact_lc)
            return [("r.action == ", names[0]) if len(names) == 1 else ("r.action in ", set_term(exact_lc))]
        return [("not " if block.negated else "", f"{fn}_action(r.action)")]

    def resource_block(self, unit: Unit, block: ir.ResourceBlock) -> list[Expr]:
        items = [t.value for t in block.items]
        if not block.negated and "*" in items:
            return []
        kinds = [self._resource_kind(p, unit.policy.variables_enabled) for p in items]
        if not block.negated and all(k == "plain" for k in kinds):
            texts = [literal_text(parse_pattern(p, unit.policy.variables_enabled)) for p in items]
            lits = set_literal(texts)
            return [("r.resource == ", lits[0]) if len(lits) == 1 else ("r.resource in ", set_term(texts))]
        return [("not " if block.negated else "", f"{unit.fn}_resource(r)")]

    def _resource_kind(self, pattern: str, variables: bool) -> str:
        try:
            pieces = parse_pattern(pattern, variables)
        except MalformedVariable:
            return "never"
        if has_variable(pieces):
            return "tokens"
        return "regex" if has_wildcard(pieces) else "plain"

    def principal_block(self, block: ir.PrincipalBlock) -> Expr:
        self.used.add("match")
        call = Call("match.principal_matches", (json_term(_principal_element(block)), "r.principal"))
        return ("not " if block.negated else "", call)

    def condition(self, cond: ir.Condition, variables: bool) -> Expr:
        self.used.add("conditions")
        obj: dict[str, Json] = {
            "op": cond.base,
            "qualifier": cond.qualifier,
            "if_exists": cond.if_exists,
            "key": cond.key.value.lower(),
            "values": [v.text for v in cond.values],
            "vars": variables,
        }
        return ("", Call("conditions.holds", (json_term(obj), "r.context")))

    # ------------------------------------------------------------------ helpers (multi-item blocks)

    def helpers(self, unit: Unit) -> None:
        st = unit.statement
        patterns = [t.value for t in st.action.items]
        if "*" not in patterns and (st.action.negated or any(action_is_wildcard(p) for p in patterns)):
            self.action_helper(unit.fn, patterns)
        body = self.resource_block(unit, st.resource)
        if body and body[0][1] == f"{unit.fn}_resource(r)":
            self.resource_helper(unit, [t.value for t in st.resource.items])

    def action_helper(self, fn: str, patterns: list[str]) -> None:
        names: set[str] = set()
        regexes: list[str] = []
        for p in patterns:
            if not action_is_wildcard(p):
                names.add(p.lower())
                continue
            names.update(n.lower() for n in self.expand(p))
            rx = action_regex(p)
            if rx is not None:
                regexes.append(rx)
        if len(names) == 1:  # Regal: pattern matching in the argument rather than a == "x"
            self.w.line(f"{fn}_action({rego_string(names.pop())})")
            self.w.blank()
        elif names:
            self.single(f"{fn}_action(a)", _member("a", sorted(names)))
        for rx in sorted(set(regexes)):
            self.used.add("catalog")
            with self.w.block(f"{fn}_action(a) if {{", "}"):
                self.w.line("not a in catalog.actions")
                self.w.term("", Call("regex.match", (regex_literal(rx), "a")))
            self.w.blank()

    def resource_helper(self, unit: Unit, patterns: list[str]) -> None:
        variables = unit.policy.variables_enabled
        plain: set[str] = set()
        bodies: list[Expr] = []
        for p in patterns:
            kind = self._resource_kind(p, variables)
            if kind == "never":
                continue
            pieces = parse_pattern(p, variables)
            if kind == "plain":
                plain.add(literal_text(pieces))
            elif kind == "regex":
                rx = regex_literal(resource_regex(pieces, self.glob_mode))
                bodies.append(("", Call("regex.match", (rx, "r.resource"))))
            else:
                self.used.add("match")
                tokens = json_term(resource_tokens(pieces, self.glob_mode))
                bodies.append(("", Call("match.resource_tokens_match", (tokens, "r.resource", "r.context"))))
        fn = f"{unit.fn}_resource"
        if plain:
            self.single(f"{fn}(r)", _member("r.resource", sorted(plain)))
        seen: set[str] = set()
        for body in bodies:
            if one_line(body[1]) not in seen:
                seen.add(one_line(body[1]))
                self.single(f"{fn}(r)", body)
        if not plain and not bodies:  # every entry malformed: the block matches nothing
            self.w.line(f"{fn}(_) := false")
            self.w.blank()

    def single(self, head: str, body: Expr) -> None:
        """``head if expr`` on one line when it fits, else ``head if { expr }`` with expr broken."""
        flat = f"{head} if {body[0]}{one_line(body[1])}"
        if self.w.fits(flat):
            self.w.line(flat)
        else:
            with self.w.block(f"{head} if {{", "}"):
                self.expr(body)
        self.w.blank()


# ---------------------------------------------------------------------- pure helpers

# Resources that can carry a resource-based policy: tables, indexes, streams (SEMANTICS §3.5); the
# same pattern as rego/iam2rego/generic.
RBP_RESOURCE_RE = r"^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+(/index/[^/]+|/stream/.+)?$"


def by_key_of(groups: list[PolicyGroup]) -> dict[str, PolicyGroup]:
    return {g.key: g for g in groups}


def _member(subject: str, items: list[str]) -> Expr:
    """``subject == "x"`` for one item (Regal: no ``in`` on a single-item set), else ``subject in {...}``."""
    lits = set_literal(items)
    return (f"{subject} == ", lits[0]) if len(lits) == 1 else (f"{subject} in ", set_term(items))


def _reason(policy: ir.Policy, st: ir.Statement) -> dict[str, Json]:
    return {
        "policy": policy.name,
        "sid": st.sid.value if st.sid else None,
        "statement_index": st.index,
        "effect": str(st.effect),
        "source": f"{policy.path}:{st.span.line}:{st.span.column}",
    }


def _principal_element(block: ir.PrincipalBlock) -> Json:
    if any(e.kind == "*" for e in block.entries):
        return "*"
    out: dict[str, list[Json]] = {}
    for e in block.entries:
        out.setdefault(e.kind, []).append(e.value.value)
    return dict(sorted(out.items()))


def _group(who: str, key: str, short: str, policies: Sequence[ir.Policy]) -> PolicyGroup:
    fn = f"{who}_{short}"
    units = tuple(
        Unit(f"{fn}_{pi}_{st.index}", policy, st)
        for pi, policy in enumerate(policies)
        for st in policy.statements
    )
    return PolicyGroup(fn, key, units)


def _groups(who: str, ps: ir.PolicySet) -> list[PolicyGroup]:
    out = [_group(who, "identity", "identity", ps.identity)]
    for key, policy in (
        ("boundary", ps.boundary),
        ("session", ps.session),
        ("resource_policy", ps.resource_policy),
    ):
        if policy is not None:
            out.append(_group(who, key, "rbp" if key == "resource_policy" else key, (policy,)))
    out += [_group(who, f"scp{k}", f"scp{k}", level) for k, level in enumerate(ps.scp_levels)]
    out += [_group(who, f"rcp{k}", f"rcp{k}", level) for k, level in enumerate(ps.rcp_levels)]
    return out

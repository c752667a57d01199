"""One emitter method per IR node (sqlglot style): ``Principals`` -> one Rego module text.

Layout of the module (ARCHITECTURE §5): header and imports; ``options``; the entry points
``decision``, ``decide(raw)`` and ``operation``, which evaluate the hits ``with input.req as`` the
normalised request; per principal (``caller``, ``role``) a hits object and per policy set ONE
partial set rule (``caller_identity_hits``, ``caller_scp0_hits``, ...) with one body per IAM
statement, each preceded by a ``# METADATA`` block naming its source. Every body starts with a
comparison of ``input.req.action`` (and ``input.req.resource``) against literals where the
statement allows it, so OPA's rule indexer picks the few bodies that can apply to a request instead
of evaluating every statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .. import ir
from .patterns import (
    Char,
    MalformedVariable,
    Piece,
    action_is_wildcard,
    action_regex,
    has_variable,
    has_wildcard,
    literal_text,
    parse_pattern,
    plain_resource_regex,
    resource_regex,
    resource_tokens,
)
from .quote import regex_literal, rego_string, yaml_string
from .writer import Call, Composite, Json, Term, Writer, json_term, one_line, set_literal, set_term

# Imports by the name used in the module; only those referenced are emitted (opa check --strict).
_IMPORTS = {
    "catalog": "data.iam2rego.catalog",
    "conditions": "data.iam2rego.conditions",
    "iam_decide": "data.iam2rego.decide as iam_decide",
    "match": "data.iam2rego.match",
    "operations": "data.iam2rego.operations",
    "request": "data.iam2rego.request",
    "vault": "data.iam2rego.vault",
}

# The normalised request, as the statement rules read it (``with input.req as normalized(raw)``).
# regopy (the embedded engine) cannot replace the whole input with ``with input as``, but can
# replace a member of it.
REQ = "input.req"

# A body expression: a prefix and a term the writer may break over lines.
Expr = tuple[str, Term]

ActionExpander = Callable[[str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Unit:
    """One statement to emit: where it sits and the prefix of its helper functions."""

    fn: str
    policy: ir.Policy
    statement: ir.Statement
    rule: str  # the partial set rule its bodies add to, e.g. caller_identity_hits
    resource_policy: bool = False
    bounded: bool = False  # the principal has a permissions boundary (Deny + NotPrincipal, §5.2a)
    table: str | None = None  # the table a resource policy is attached to (SEMANTICS §3.5)


@dataclass(frozen=True, slots=True)
class PolicyGroup:
    """A policy set of one principal (identity, boundary, scp level k, ...) and its statements."""

    rule: str  # partial set rule of the reasons, e.g. caller_identity_hits
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
        self.context_in_bodies = False  # a statement body reads input.req.context (policy variables)
        # lower-cased action wildcard -> (its anchored regex, the catalog actions it matches)
        self.wildcards: dict[str, tuple[str, frozenset[str]]] = {}
        self.ids: dict[str, int] = {}  # Unit.fn -> statement number (the element of its set rule)
        self.payload: dict[int, dict[str, Json]] = {}  # statement number -> reason and conditions
        # The payload is a data document beside the module (compile_principals writes it), not a
        # Rego object: OPA parses JSON far faster than Rego and never type-checks it (issue 14).
        self.statements_ref = f"data.{package}.statements"
        self.action_table: dict[str, Json] | None = None  # catalog action -> wildcard keys (data)
        self._parsed: dict[tuple[str, bool], list[Piece] | MalformedVariable] = {}
        self.vaults = False  # a resource policy is bound to a backup vault (SEMANTICS §14.3)
        self.w = Writer()

    # ------------------------------------------------------------------ module

    def module(self, principals: ir.Principals) -> tuple[str, dict[str, Json]]:
        """The module text and its data document ``data.<package>``: ``statements`` (reason and
        conditions by statement number) and, with action wildcards, ``action_table``."""
        body = Emitter(self.package, self.options, self.expand, self.glob_mode)
        sets = {"caller": principals.caller, "role": principals.role or ir.PolicySet()}
        body.vaults = any(
            ir.is_vault_arn(key)
            for ps in sets.values()
            for key, _ in (*ps.resource_policies, *ps.vault_locks)
        )
        locks = {vault: lock for ps in sets.values() for vault, lock in ps.vault_locks}
        body.entry_points(
            {who: _has_matches(who, ps) for who, ps in sets.items()},
            {who: _decider(ps) for who, ps in sets.items()},
        )
        for who, ps in sets.items():
            body.principal(who, ps)
        body.request_rules()
        self.header()
        self.imports(body.used | {"iam_decide", "operations", "request"})
        self.options_rule()
        data: dict[str, Json] = {"statements": [body.payload[n] for n in range(len(body.payload))]}
        if locks:
            data["vault_locks"] = dict(sorted(locks.items()))
        if body.action_table is not None:
            data["action_table"] = body.action_table
        return self.w.text() + "\n" + body.w.text(), data

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

    def entry_points(self, has_matches: Mapping[str, bool], decider: Mapping[str, str]) -> None:
        self.metadata("Decision for one raw request (input)", entrypoint=True)
        self.w.line("decision := decide(input)")
        self.w.blank()
        self.metadata("Decision for one raw request, normalised first")
        if has_matches["caller"]:
            with self.w.block(f"decide(raw) := {decider['caller']}(caller_hits(r, m)) if {{", "}"):
                self.w.line("r := normalized(raw)")
                self.w.line(f"m := caller_matches with {REQ} as r")
        else:
            self.w.line(f"decide(raw) := {decider['caller']}(caller_hits(normalized(raw)))")
        self.w.blank()
        self.metadata("Verdict for one composite operation (input)", entrypoint=True)
        self.w.line("operation := operations.verdict(results) if {")
        with self.w.indented():
            self.w.line("results := [pair[1] | some pair in sort(check_results)]")
        self.w.line("}")
        self.w.blank()
        # A partial set rule, not a comprehension: regopy (the embedded engine) blows up on a
        # `with` reached from inside a comprehension. The index keeps the checks' order.
        with self.w.block("check_results contains [i, object.union(c, check_decision(c, input))] if {", "}"):
            self.w.line("some i, c in operations.checks(input, options)")
        self.w.blank()
        for who in ("caller", "role"):
            if not has_matches[who]:  # no statements: nothing to evaluate under `with`
                with self.w.block(f"check_decision(c, op) := {decider[who]}({who}_hits(r)) if {{", "}"):
                    self.w.line(f'c.principal == "{who}"')
                    self.w.line("r := normalized(check_request(c, op))")
                self.w.blank()
                continue
            with self.w.block(f"check_decision(c, op) := {decider[who]}({who}_hits(r, m)) if {{", "}"):
                self.w.line(f'c.principal == "{who}"')
                self.w.line("r := normalized(check_request(c, op))")
                self.w.line(f"m := {who}_matches with {REQ} as r")
            self.w.blank()
        with self.w.block("check_request(c, op) := {", "}"):
            fields = [
                ("action", "c.action"),
                ("resource", "c.resource"),
                ("context", "c.context"),
                ("principal", "check_principal(c, op)"),
            ]
            if self.vaults:  # a recovery point's check names its vault (SEMANTICS §14.3)
                fields.append(("vault", 'object.get(c, "vault", null)'))
            for key, value in fields:
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
        for group in groups:
            for unit in group.units:
                self.ids[unit.fn] = len(self.ids)
        self.matches(who, ps, groups)
        self.hits(who, ps, groups)
        self.rbp_direct(who, ps)
        for group in groups:
            for unit in group.units:
                self.statement(unit)
            for unit in group.units:
                self.helpers(unit)

    def matches(self, who: str, ps: ir.PolicySet, groups: list[PolicyGroup]) -> None:
        """``<who>_matches``: per policy set, what matched the normalised request ``input.req``
        (evaluated ``with input.req as ...``); conditions are checked afterwards, in ``<who>_hits``."""
        fields = [(g.key, g.rule) for g in groups if g.units]
        if self._direct_units(who, ps):
            fields.append(("rbp_direct", f"{who}_rbp_direct"))
        if not fields:
            return
        self.w.composite(f"{who}_matches := ", "{", [f"{rego_string(k)}: {rule}" for k, rule in fields], "}")
        self.w.blank()

    def hits(self, who: str, ps: ir.PolicySet, groups: list[PolicyGroup]) -> None:
        """``<who>_hits(r, m)``: the hits object of ``decide.decide`` for request ``r`` and matches
        ``m``. Conditions are evaluated here, outside the ``with`` scope: rego-cpp (the embedded
        engine) does not finish compiling the condition library when it is reached under ``with``."""
        by_key = {g.key: g for g in groups}
        self.used.add("conditions")

        def reasons(key: str) -> str:
            if key not in by_key:
                return "null"
            return f"applied(m.{key}, r)" if by_key[key].units else "[]"

        scp = [g for g in groups if g.key.startswith("scp")]
        rcp = [g for g in groups if g.key.startswith("rcp")]
        rbp = by_key.get("resource_policy")
        rbp_value: Term = "null"
        if rbp is not None:
            tables = set_term(sorted(t for t, _ in ps.resource_policies))
            matches = "m.resource_policy" if rbp.units else "[]"
            rbp_value = Composite("rbp_applied(", (("", matches), ("", "r"), ("", tables)), ")")
        if ps.vault_locks:  # a compliance lock adds its Deny to the vault's side (SEMANTICS §14.4)
            self.used.add("vault")
            locks = f"data.{self.package}.vault_locks"
            rbp_value = Composite("vault.with_lock(", (("", rbp_value), ("", locks), ("", "r")), ")")
        fields: list[tuple[str, Term]] = [
            ("identity", reasons("identity")),
            ("boundary", reasons("boundary")),
            ("session", reasons("session")),
            ("scp", _array([reasons(g.key) for g in scp])),
            ("rcp", _array([reasons(g.key) for g in rcp])),
            ("resource_policy", rbp_value),
            ("principal", "r.principal"),
            ("rbp_grants_directly", "grants_directly(r, m)" if self._direct_units(who, ps) else "false"),
            ("cross_account", "request.cross_account(r)"),
        ]
        head = f"{who}_hits(r, m)" if _has_matches(who, ps) else f"{who}_hits(r)"
        with self.w.block(f"{head} := {{", "}"):
            for key, value in fields:
                self.w.term(f"{rego_string(key)}: ", value, ",")
        self.w.blank()
        if not self.rbp_helper_done:
            self.rbp_helper_done = True
            self.shared_helpers()

    def shared_helpers(self) -> None:
        # The wasm engine visits `matches` through sort() (engines/wasm.py in_opa_order): OPA's Wasm
        # runtime visits sets in hash order. Not here: regopy 1.5.2 sorts numbers as strings.
        # The context is normalised here, once, and only when a matched statement has conditions
        # (issue 14: most decisions need no context); normalising is idempotent, so r.context may
        # already be normalised (a module whose resource patterns read policy variables).
        self.w.comment("The reasons of the matched statements (numbers) whose conditions hold for r.")
        ref = self.statements_ref
        self.w.line("applied(matches, r) := [s.reason |")
        with self.w.indented():
            self.w.line("some i in matches")
            self.w.line(f"s := {ref}[i]")
        self.w.line("] if {")
        with self.w.indented():
            self.w.line("not conditional(matches)")
        # Each matched statement is read from the data document once (a read costs OPA ~10 us).
        self.w.line("} else := [s.reason |")
        with self.w.indented():
            self.w.line("some i in matches")
            self.w.line(f"s := {ref}[i]")
            self.w.line("holds_in(s.conditions, ctx)")
        self.w.line("] if {")
        with self.w.indented():
            self.w.line("ctx := request.normalize_context(r.context)")
        self.w.line("}")
        self.w.blank()
        # the conditions library is called only for the statements that have conditions
        self.w.comment("Whether a statement's conditions hold in the normalised context ctx.")
        self.w.line("holds_in(cs, _) if cs == []")
        self.w.blank()
        with self.w.block("holds_in(cs, ctx) if {", "}"):
            self.w.line("cs != []")
            self.w.line("conditions.all_hold(cs, ctx)")
        self.w.blank()
        self.w.comment("Whether a matched statement has conditions.")
        with self.w.block("conditional(matches) if {", "}"):
            self.w.line("some i in matches")
            self.w.line(f"{ref}[i].conditions != []")
        self.w.blank()
        # A resource policy applies only to its table, the table's indexes and streams (SEMANTICS
        # §3.5); for any other resource the set is "not configured" (null), as in the generic
        # evaluator. Each statement body also checks its policy's table.
        self.w.line("default rbp_applied(_, _, _) := null")
        self.w.blank()
        with self.w.block("rbp_applied(matches, r, tables) := applied(matches, r) if {", "}"):
            if self.vaults:  # tables and backup vaults (SEMANTICS §3.5, §14.3)
                self.w.line("request.resource_policy_key(r) in tables")
            else:
                self.w.line("request.resource_policy_table(r.resource) in tables")
        self.w.blank()
        # An RBP Allow that applies and names the user ARN or role-session ARN itself grants
        # directly (SEMANTICS §5.1): boundaries and session policies do not limit it.
        self.w.line("default grants_directly(_, _) := false")
        self.w.blank()
        with self.w.block("grants_directly(r, m) if {", "}"):
            self.w.line("some i in m.rbp_direct")
            self.w.line("i in m.resource_policy")
            self.w.line(f"s := {self.statements_ref}[i]")
            self.w.line("conditions.all_hold(s.conditions, request.normalize_context(r.context))")
        self.w.blank()

    def _direct_units(self, who: str, ps: ir.PolicySet) -> list[Unit]:
        if not ps.resource_policies:
            return []
        group = _rbp_group(who, ps)
        return [
            u
            for u in group.units
            if u.statement.effect is ir.Effect.ALLOW
            and u.statement.principal
            and not u.statement.principal.negated
        ]

    def rbp_direct(self, who: str, ps: ir.PolicySet) -> None:
        """``<who>_rbp_direct``: numbers of the RBP Allow statements whose Principal names the
        request principal's own user ARN or role-session ARN (``grants_directly`` checks that the
        statement applied)."""
        units = self._direct_units(who, ps)
        if not units:
            return
        self.used.add("match")
        for unit in units:
            assert unit.statement.principal is not None
            entries = json_term(_principal_element(unit.statement.principal))
            call = Call("match.principal_named_directly", (entries, f"{REQ}.principal"))
            self.single(f"{who}_rbp_direct contains {self.ids[unit.fn]}", ("", call))

    # ------------------------------------------------------------------ statements

    def statement(self, unit: Unit) -> None:
        """One body of the set's partial rule per way the statement can apply (usually one; a
        wildcard action adds a body for actions outside the catalog)."""
        st, policy = unit.statement, unit.policy
        reason = _reason(policy, st)
        rest = [*self.resource_block(unit, st.resource)]
        if unit.table is not None and ir.is_vault_arn(unit.table):
            rest.insert(0, ("", f"request.resource_policy_key({REQ}) == {rego_string(unit.table)}"))
            if st.effect is ir.Effect.ALLOW:  # across accounts only CopyIntoBackupVault (§14.3)
                rest.insert(1, ("", f"not request.cross_account_refused({REQ})"))
        elif unit.table is not None:
            guard = f"request.resource_policy_table({REQ}.resource) == {rego_string(unit.table)}"
            rest.insert(0, ("", guard))
        if st.principal is not None and not _denies_every_bounded(unit):
            rest.append(self.principal_block(st.principal, st.effect, unit.resource_policy))
        number = self.ids[unit.fn]
        self.payload[number] = {
            "reason": reason,
            "conditions": [self.condition(c, policy.variables_enabled) for c in st.conditions],
        }
        bodies = [[*head, *rest] for head in self.action_bodies(unit.fn, st.action)]
        # A statement whose actions can match nothing still gets a rule, so it stays traceable.
        # Its other parts stay in that body, so the module uses what it imports.
        for body in bodies or [[("not ", f"is_string({REQ}.action)"), *rest]]:
            self.metadata(
                f"{policy.name} statement {st.index}",
                custom={
                    "policy": yaml_string(policy.name),
                    "sid": yaml_string(st.sid.value) if st.sid else "null",
                    "source": yaml_string(str(reason["source"])),
                    "effect": yaml_string(str(st.effect)),
                },
            )
            with self.w.block(f"{unit.rule} contains {number} if {{", "}"):
                # A statement that constrains nothing applies to every request; every normalised
                # request has a string action.
                for line in body or [("", f"is_string({REQ}.action)")]:
                    self.expr(line)
            self.w.blank()

    def expr(self, line: Expr) -> None:
        self.w.term(*line)

    def action_bodies(self, fn: str, block: ir.ActionBlock) -> list[list[Expr]]:
        """The action part of each body: the literal names in one body (``input.req.action in
        {...}``), and one body per action wildcard, ``"<wildcard>" in input.req.action_keys``
        (both indexed by OPA). ``action_keys`` lists the module's wildcards that match the
        request's action (``request_rules``), so a wildcard is expanded once per module, not once
        per statement."""
        patterns = [t.value for t in block.items]
        if "*" in patterns:  # Action "*" matches every action; NotAction "*" none
            return [] if block.negated else [[]]
        if block.negated:
            return [[("not ", f"{fn}_action({REQ})")]]
        names, keys = self._action_parts(patterns)
        bodies: list[list[Expr]] = []
        if names:
            bodies.append([_member(f"{REQ}.action", sorted(names))])
        bodies += [[(f"{rego_string(key)} in ", f"{REQ}.action_keys")] for key in keys]
        return bodies

    def _action_parts(self, patterns: list[str]) -> tuple[set[str], list[str]]:
        """(literal lower-case action names, keys of the wildcards) of an action block."""
        names: set[str] = set()
        keys: set[str] = set()
        for p in patterns:
            if not action_is_wildcard(p):
                names.add(p.lower())
                continue
            rx = action_regex(p)
            if rx is None:  # no "service:" prefix: matches no action (but keep any expansion)
                names.update(n.lower() for n in self.expand(p))
                continue
            key = p.lower()
            if key not in self.wildcards:
                self.wildcards[key] = (rx, frozenset(n.lower() for n in self.expand(p)))
            keys.add(key)
        return names, sorted(keys)

    def resource_block(self, unit: Unit, block: ir.ResourceBlock) -> list[Expr]:
        items = [t.value for t in block.items]
        if not block.negated and "*" in items:
            return []
        kinds = [self._resource_kind(p, unit.policy.variables_enabled) for p in items]
        if not block.negated and all(k == "plain" for k in kinds):
            variables = unit.policy.variables_enabled
            texts = [
                p if _no_variables(p, variables) else literal_text(self.parse(p, variables)) for p in items
            ]
            return [_member(f"{REQ}.resource", texts)]
        helper: Expr = ("not " if block.negated else "", f"{unit.fn}_resource({REQ})")
        keys = None if block.negated else _resource_keys(items, unit.policy.variables_enabled)
        return [helper] if keys is None else [_member(f"{REQ}.resource_key", keys), helper]

    def parse(self, pattern: str, variables: bool) -> list[Piece]:
        """``parse_pattern``, memoised per module (a block's patterns are read several times)."""
        key = (pattern, variables)
        if key not in self._parsed:
            try:
                self._parsed[key] = parse_pattern(pattern, variables)
            except MalformedVariable as exc:
                self._parsed[key] = exc
        found = self._parsed[key]
        if isinstance(found, MalformedVariable):
            raise found
        return found

    def _resource_kind(self, pattern: str, variables: bool) -> str:
        if _no_variables(pattern, variables):  # fast path: every character is itself
            return "regex" if "*" in pattern or "?" in pattern else "plain"
        try:
            pieces = self.parse(pattern, variables)
        except MalformedVariable:
            return "never"
        if has_variable(pieces):
            return "tokens"
        return "regex" if has_wildcard(pieces) else "plain"

    def principal_block(self, block: ir.PrincipalBlock, effect: ir.Effect, resource_policy: bool) -> Expr:
        """``Principal`` of an Allow in a resource policy: ``match.rbp_grants`` (within one account
        only entries naming the principal itself grant, an account entry delegates to the account's
        identity policies, SEMANTICS §5.1; across accounts an account entry is the resource side of
        the grant, §5.2a). ``NotPrincipal`` lists exact principals (``match.principal_listed``,
        §5.2a). Everywhere else (Deny, RCPs) an account entry names all its principals."""
        self.used.add("match")
        entries = json_term(_principal_element(block))
        if block.negated:
            return ("not ", Call("match.principal_listed", (entries, f"{REQ}.principal")))
        if resource_policy and effect is ir.Effect.ALLOW:
            return ("", Call("match.rbp_grants", (entries, REQ)))
        return ("", Call("match.principal_matches", (entries, f"{REQ}.principal")))

    def condition(self, cond: ir.Condition, variables: bool) -> dict[str, Json]:
        """The condition object (ARCHITECTURE §3) that ``conditions.all_hold`` evaluates."""
        return {
            "op": cond.base,
            "qualifier": cond.qualifier,
            "if_exists": cond.if_exists,
            "key": cond.key.value.lower(),
            "values": [v.text for v in cond.values],
            "vars": variables,
        }

    # ------------------------------------------------------------------ helpers (multi-item blocks)

    def helpers(self, unit: Unit) -> None:
        st = unit.statement
        patterns = [t.value for t in st.action.items]
        if "*" not in patterns and st.action.negated:
            self.action_helper(unit.fn, patterns)
        body = self.resource_block(unit, st.resource)
        if body and body[-1][1] == f"{unit.fn}_resource({REQ})":
            self.resource_helper(unit, [t.value for t in st.resource.items])

    def action_helper(self, fn: str, patterns: list[str]) -> None:
        """Whether a NotAction block lists the action of request ``r`` (the statement applies when
        it does not)."""
        names, keys = self._action_parts(patterns)
        if names:
            self.single(f"{fn}_action(r)", _member("r.action", sorted(names)))
        if keys:
            with self.w.block(f"{fn}_action(r) if {{", "}"):
                self.w.line("some key in r.action_keys")
                self.expr(_member("key", keys))
            self.w.blank()
        if not names and not keys:  # every entry malformed: the block lists no action
            self.w.line(f"{fn}_action(_) := false")
            self.w.blank()

    def resource_helper(self, unit: Unit, patterns: list[str]) -> None:
        variables = unit.policy.variables_enabled
        plain: set[str] = set()
        bodies: list[Expr] = []
        for p in patterns:
            kind = self._resource_kind(p, variables)
            if kind == "never":
                continue
            if _no_variables(p, variables) and kind in ("plain", "regex"):  # fast path: no pieces
                if kind == "plain":
                    plain.add(p)
                else:
                    rx = regex_literal(plain_resource_regex(p, self.glob_mode))
                    bodies.append(("", Call("regex.match", (rx, "r.resource"))))
                continue
            pieces = self.parse(p, variables)
            if kind == "plain":
                plain.add(literal_text(pieces))
            elif kind == "regex":
                rx = regex_literal(resource_regex(pieces, self.glob_mode))
                bodies.append(("", Call("regex.match", (rx, "r.resource"))))
            else:
                self.used.add("match")
                tokens = json_term(resource_tokens(pieces, self.glob_mode))
                bodies.append(("", Call("match.resource_tokens_match", (tokens, "r.resource", "r.context"))))
                self.context_in_bodies = True
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

    def request_rules(self) -> None:
        """``normalized(raw)``, ``resource_key`` and ``action_keys``, after the statements (the
        action wildcards they use decide ``action_keys``).

        resource_key: the resource up to its second "/" (all of it when it has fewer). A resource
        pattern whose literal prefix holds two "/" matches only resources with that key, so bodies
        with wildcard resources start with ``input.req.resource_key == "..."`` (indexed).
        action_keys: the module's action wildcards (lower-cased pattern text) that match the
        action; only when the module has any."""
        self.metadata("The normalised request the statement rules read as input.req")
        # Built in one object (issue 14: object.union of request.normalize's result cost a third of
        # a small module's decision). The context is normalised by `applied`, when a matched statement
        # has conditions, unless a resource pattern reads policy variables from it in the bodies.
        context = "request.normalize_context(ctx)" if self.context_in_bodies else "ctx"
        fields = [
            '"action": a',
            '"resource": resource',
            f'"context": {context}',
            '"principal": request.principal_facts(object.get(raw, "principal", {}))',
            '"resource_key": resource_key(resource)',
        ]
        if self.wildcards:
            fields.insert(4, '"action_keys": action_keys(a)')
        if self.vaults:
            fields.append('"vault": object.get(raw, "vault", null)')
        self.w.line("normalized(raw) := {")
        with self.w.indented():
            for field in fields:
                self.w.line(f"{field},")
        self.w.line("} if {")
        with self.w.indented():
            self.w.line("a := lower(raw.action)")
            self.w.line('resource := request.resource_for(a, object.get(raw, "resource", "*"))')
            self.w.line('ctx := object.get(raw, "context", {})')
        self.w.line("}")
        self.w.blank()
        self.w.line('default resource_key(_) := ""')
        self.w.blank()
        self.w.line(
            'resource_key(resource) := concat("/", array.slice(split(resource, "/"), 0, 2)) if is_string(resource)'
        )
        self.w.blank()
        self.action_keys_rules()

    def action_keys_rules(self) -> None:
        """``action_keys(a)``: the keys of the module's action wildcards that match action ``a``.

        A catalog action of a service the wildcards name is looked up in ``action_table`` (every
        catalog action of those services, with the wildcards whose expansion holds it, maybe
        none); any other action (outside the catalog) is matched against the regexes of its
        service's wildcards, which agree with the expansions on catalog actions. One lookup per
        decision replaces a literal set per statement (issue 14: the expanded sets were a third of
        a large module's text)."""
        if not self.wildcards:
            return
        by_service: dict[str, dict[str, str]] = {}
        table: dict[str, list[str]] = {}
        for key, (rx, expanded) in sorted(self.wildcards.items()):
            service = key.partition(":")[0]
            by_service.setdefault(service, {})[key] = rx
            if service not in table:  # first wildcard of the service: all its catalog actions
                for name in self.expand(service + ":*"):
                    table.setdefault(name.lower(), [])
            for name in expanded:
                table.setdefault(name, []).append(key)
        # The table is in the data document (data.<package>.action_table): a large constant object
        # costs OPA far more to parse and type-check as Rego than as JSON (issue 14).
        self.action_table = {a: sorted(keys) for a, keys in sorted(table.items())}
        ref = f"data.{self.package}.action_table"
        self.w.comment("The keys of the module's action wildcards that match the action.")
        self.w.line("action_keys(a) := keys if {")
        with self.w.indented():
            self.w.line(f"keys := {ref}[a]")
        # The regex is bound inside the comprehension: rego-cpp 1.5.2 (the embedded engine) does not
        # enumerate `key` when the reference is a call argument, and answers [] (a Deny on `svc:*`
        # would be missed for unknown actions; found by the hostile-string differential).
        self.w.line("} else := [key |")
        with self.w.indented():
            self.w.line("rx := wildcard_regexes[service][key]")
            self.w.line("regex.match(rx, a)")
        with self.w.block("] if {", "}"):
            self.w.line('service := split(a, ":")[0]')
        self.w.blank()
        self.w.comment(
            "Service -> its action wildcards' keys -> their anchored regexes (actions outside the catalog)."
        )
        services = tuple(
            (
                f"{rego_string(service)}: ",
                Composite(
                    "{",
                    tuple((f"{rego_string(k)}: ", regex_literal(rx)) for k, rx in sorted(rxs.items())),
                    "}",
                ),
            )
            for service, rxs in sorted(by_service.items())
        )
        self.w.term("wildcard_regexes := ", Composite("{", services, "}"))
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


def by_key_of(groups: list[PolicyGroup]) -> dict[str, PolicyGroup]:
    return {g.key: g for g in groups}


def resource_key(text: str) -> str:
    """``text`` up to its second "/" (all of it when it has fewer): the module's ``resource_key``."""
    return "/".join(text.split("/")[:2])


_WILDCARD = re.compile(r"[*?]")


def _no_variables(pattern: str, variables: bool) -> bool:
    """Whether ``parse_pattern(pattern, variables)`` is one plain ``Char`` per character."""
    return not variables or "${" not in pattern


def _resource_keys(patterns: list[str], variables: bool) -> list[str] | None:
    """The ``resource_key`` of every resource a block of patterns can match, or None when some
    pattern does not fix it (its literal prefix, before any wildcard or variable, has fewer than
    two "/"). Malformed patterns match nothing and add no key."""
    keys: set[str] = set()
    for p in patterns:
        if _no_variables(p, variables):  # fast path: the literal prefix ends at the first wildcard
            text = _WILDCARD.split(p, maxsplit=1)[0]
            if len(text) < len(p) and text.count("/") < 2:
                return None
            keys.add(resource_key(text))
            continue
        try:
            pieces = parse_pattern(p, variables)
        except MalformedVariable:
            continue
        prefix = []
        for piece in pieces:
            if not isinstance(piece, Char) or piece.wildcard:
                break
            prefix.append(piece.ch)
        text = "".join(prefix)
        if len(prefix) < len(pieces) and text.count("/") < 2:
            return None
        keys.add(resource_key(text))
    return sorted(keys) if keys else None


def _array(items: list[str]) -> Term:
    return Composite("[", tuple(("", i) for i in items), "]")


def _member(subject: str, items: list[str]) -> Expr:
    """``subject == "x"`` for one item (Regal: no ``in`` on a single-item set), else ``subject in {...}``."""
    lits = set_literal(items)
    return (f"{subject} == ", lits[0]) if len(lits) == 1 else (f"{subject} in ", set_term(items))


def _reason(policy: ir.Policy, st: ir.Statement) -> dict[str, Json]:
    reason: dict[str, Json] = {
        "policy": policy.name,
        "sid": st.sid.value if st.sid else None,
        "statement_index": st.index,
        "effect": str(st.effect),
        "source": f"{policy.path}:{st.span.line}:{st.span.column}",
    }
    if policy.name.startswith(ir.VAULT_LOCK_POLICY):  # decide.rego names the reason (§14.4)
        reason["vault_lock"] = "compliance"
    return reason


def _principal_element(block: ir.PrincipalBlock) -> Json:
    if any(e.kind == "*" for e in block.entries):
        return "*"
    out: dict[str, list[Json]] = {}
    for e in block.entries:
        out.setdefault(e.kind, []).append(e.value.value)
    return dict(sorted(out.items()))


def _denies_every_bounded(unit: Unit) -> bool:
    """A Deny with ``NotPrincipal`` in a resource policy always denies a principal that has a
    permissions boundary, whatever ``NotPrincipal`` lists (SEMANTICS §5.2a, [IAM-NOTPRINCIPAL])."""
    st = unit.statement
    return (
        unit.resource_policy
        and unit.bounded
        and st.effect is ir.Effect.DENY
        and st.principal is not None
        and st.principal.negated
    )


def _decider(ps: ir.PolicySet) -> str:
    """The library function deciding a principal's hits: ``decide.identity_only`` when identity
    policies are its only policy set (no boundary, session, resource policy, SCP or RCP; the same
    answer without the general §5.2 facts, issue 14), else ``decide.decide``."""
    only_identity = (
        ps.boundary is None and ps.session is None and not ps.resource_policies and not ps.vault_locks
    )
    if only_identity and not ps.scp_levels and not ps.rcp_levels:
        return "iam_decide.identity_only"
    return "iam_decide.decide"


def _has_matches(who: str, ps: ir.PolicySet) -> bool:
    """Whether the principal's policy sets have any statement (else no ``<who>_matches`` rule)."""
    return any(g.units for g in _groups(who, ps))


def _group(who: str, key: str, short: str, policies: Sequence[ir.Policy]) -> PolicyGroup:
    fn = f"{who}_{short}"
    rule = f"{fn}_matches"
    units = tuple(
        Unit(f"{fn}_{pi}_{st.index}", policy, st, rule)
        for pi, policy in enumerate(policies)
        for st in policy.statements
    )
    return PolicyGroup(rule, key, units)


def _rbp_group(who: str, ps: ir.PolicySet) -> PolicyGroup:
    """The resource policies, each statement bound to its policy's table."""
    fn = f"{who}_rbp"
    rule = f"{fn}_matches"
    bounded = ps.boundary is not None
    units = tuple(
        Unit(f"{fn}_{pi}_{st.index}", policy, st, rule, True, bounded, table)
        for pi, (table, policy) in enumerate(ps.resource_policies)
        for st in policy.statements
    )
    return PolicyGroup(rule, "resource_policy", units)


def _groups(who: str, ps: ir.PolicySet) -> list[PolicyGroup]:
    out = [_group(who, "identity", "identity", ps.identity)]
    for key, policy in (("boundary", ps.boundary), ("session", ps.session)):
        if policy is not None:
            out.append(_group(who, key, key, (policy,)))
    if ps.resource_policies:
        out.append(_rbp_group(who, ps))
    out += [_group(who, f"scp{k}", f"scp{k}", level) for k, level in enumerate(ps.scp_levels)]
    out += [_group(who, f"rcp{k}", f"rcp{k}", level) for k, level in enumerate(ps.rcp_levels)]
    return out

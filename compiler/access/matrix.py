"""Deciding the matrix principal × table × column once per distinct question.

A (principal, table) pair is decided by the statements of its policy sets that can match one of the
table's checks (action and resource; conditions are kept). Two pairs whose such statements are the
same — same effect, conditions, policy level and the same checks matched — get the same answers, so
the analysis decides one representative pair per group, with a policy set pruned to those
statements, and the others share the answer (their deciding statements are mapped back to their own
documents). Resource matching for the grouping uses the codegen's pattern → regex translation
(codegen/patterns.py, SEMANTICS §4.4/§4.5); the decisions themselves come from the analysis.
What else can tell two pairs apart is kept in the key:

* the table's check shape (actions, contexts, Region), its account and resource policy (a table with a
  resource policy, or a relevant statement whose Resource has a policy variable, is grouped with no
  other table: the variable or the principal elements decide);
* the principal's account and type, and its ARN, name and tags when a relevant statement has a
  condition on a key the principal fixes, or a policy variable (``${...}``);
* the policy set's structure (boundary present, number of SCP levels).

tests/access/test_access_grouping.py decides every cell without grouping and compares.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..api import Glob, action_glob, resource_probe, wildcard_glob
from ..ir import VAULT_LOCK_POLICY
from .analysis import Analysis, Answer, Question
from .columns import column_input
from .model import UNKNOWN, Cell, Column, PolicyDoc, Principal, Table, key_reason

PRINCIPAL_KEYS = ("aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username")

Progress = Callable[[str, int, int], None]


@dataclass
class Slot:
    """A place statements come from: who (caller|role) and level (identity, boundary, scp<k>, rbp)."""

    who: str
    level: str
    docs: list[PolicyDoc]


@dataclass
class Matrix:
    principals: list[Principal]
    tables: list[Table]
    columns: list[Column]
    analysis: str
    pair_group: list[int]  # index p * len(tables) + t -> pair group
    cell_group: list[list[int]]  # pair group -> column -> answer index
    answers: list[Answer]
    questions: int
    checks: list[list[list[dict]]]  # table -> column -> the column's checks on that table
    grouper: object = field(repr=False)
    exact: bool = False

    @property
    def cell_count(self) -> int:
        return len(self.principals) * len(self.tables) * len(self.columns)

    def cell(self, p: int, t: int, c: int) -> Cell:
        ans = self.answers[self.cell_group[self.pair_group[p * len(self.tables) + t]][c]]
        reasons = []
        if ans.reasons:
            grouper = self.grouper
            assert isinstance(grouper, _Grouper)
            slots, lists = grouper.relevant(p, t)
            bits = grouper.column_bits(grouper.shape_of[t], t, c)
            names = [s.level for s in slots] + ["rbp", "vault"]
            rp, vp = self.tables[t].resource_policy, self.tables[t].vault_policy
            rbp = [(rp, i) for i in range(len(rp.statements()))] if rp else []
            vbp = [(vp, i) for i in range(len(vp.statements()))] if vp else []
            relevant = [*_restrict(slots, lists, bits), rbp, vbp]
            full = [s.docs for s in slots] + [[rp] if rp else [], [vp] if vp else []]
            keys = {str(e.get("name")): e for e in self.tables[t].key_policy or []}
            for r in ans.reasons:
                key = keys.get(str(r.get("policy")))
                reasons.append(key_reason(r, key) if key else _map_reason(r, names, relevant, full))
        return Cell(
            self.principals[p].id,
            self.tables[t].name,
            self.columns[c].id,
            ans.answer,
            ans.condition,
            ans.decision,
            reasons,
            [self.checks[t][c][int(i)]["id"] for i in ans.failing],
            list(ans.problems),
        )

    def cells(self):
        for p in range(len(self.principals)):
            for t in range(len(self.tables)):
                for c in range(len(self.columns)):
                    yield self.cell(p, t, c)


def _map_reason(
    r: dict, names: list[str], relevant: list[list[tuple[PolicyDoc, int]]], full: list[list[PolicyDoc]]
) -> dict:
    """Turn the representative's pruned (policy, index) into this pair's document and statement."""
    policy, index = str(r.get("policy")), int(r.get("statement_index") or 0)
    if policy.startswith(VAULT_LOCK_POLICY):  # not a document of the inputs: the vault's lock (§14.4)
        return {
            "policy": policy,
            "origin": policy,
            "path": "",
            "statement_index": 0,
            "sid": r.get("sid"),
            "effect": "Deny",
            "line": 1,
            "column": 1,
            "level": "vault_lock",
        }
    if "@" in policy:  # an unpruned document: slot@k, the reason's index is the statement's own
        slot_name, _, k = policy.partition("@")
        doc, orig = full[names.index(slot_name)][int(k)], index
    else:
        slot_name, _, pos = policy.partition("#")
        j = int(pos) if pos else index
        doc, orig = relevant[names.index(slot_name)][j]
    line, col = doc.statement_lines[orig] if orig < len(doc.statement_lines) else (1, 1)
    st = doc.statements()[orig]
    return {
        "policy": doc.name,
        "origin": doc.origin,
        "path": doc.path,
        "statement_index": orig,
        "sid": st.get("Sid"),
        "effect": st.get("Effect"),
        "line": line,
        "column": col,
        "level": slot_name,
    }


# ---- resource and action matching (grouping only) -------------------------------------------------


class _Resources:
    """Every distinct resource string of every table's checks, sorted, with bitmask lookups."""

    def __init__(self, strings: set[str]):
        self.sorted = sorted(strings)
        self.index = {s: i for i, s in enumerate(self.sorted)}
        self.all = (1 << len(self.sorted)) - 1
        self._cache: dict[tuple[str, bool], tuple[int, bool]] = {}

    def pattern(self, text: str, variables: bool) -> tuple[int, bool]:
        """(bitmask of resources the pattern can match, pattern has a variable)."""
        key = (text, variables)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._match(text, variables)
        return hit

    def _match(self, text: str, variables: bool) -> tuple[int, bool]:
        probe = resource_probe(text, variables)
        if probe is None:
            return 0, False  # matches nothing (§4.5), as the runtime matcher decides
        # a variable may become anything: matched as `*` (a superset; the key names the pair)
        lo = bisect.bisect_left(self.sorted, probe.prefix)
        glob = probe.glob  # linear time: a hostile `a*a*a*…b` cannot stall the grouping (issue 25)
        mask = 0
        for i in range(lo, len(self.sorted)):
            s = self.sorted[i]
            if not s.startswith(probe.prefix):
                break
            if glob.fullmatch(s):
                mask |= 1 << i
        return mask, probe.has_variable


def _as_list(v: object) -> list:
    return v if isinstance(v, list) else [v]


def _action_rx(pattern: str) -> Glob | None:
    if pattern == "*":
        return wildcard_glob("*")
    return action_glob(pattern)


@dataclass
class _Stmt:
    """Grouping facts of one distinct statement."""

    feature: int  # interned (effect, conditions, version, principal element)
    needs_identity: bool  # a condition on a key the principal fixes, or a policy variable
    needs_table: bool  # a policy variable in Resource: the mask is a superset, the table decides
    actions: list  # compiled action regexes
    not_action: bool
    resource_mask: int
    action_key: str
    masks: dict[int, tuple[int, dict[int, int]]] = field(
        default_factory=dict
    )  # shape -> (default, overrides)


class _Grouper:
    def __init__(
        self,
        principals: list[Principal],
        tables: list[Table],
        columns: list[Column],
        checks_per_table: list[list[list[dict]]],
        backup_role: Principal | None,
    ) -> None:
        self.principals: list[Principal] = principals
        self.tables: list[Table] = tables
        self.columns: list[Column] = columns
        self.backup_role: Principal | None = backup_role
        # shapes: tables whose checks have the same (who, action, kind, context) in the same order
        self.shape_of: list[int] = []
        self.shapes: list[list[tuple[str, str]]] = []  # shape -> [(who, action lower)]
        shape_ids: dict[str, int] = {}
        self.res_of: list[list[str]] = []  # table -> resource per check position
        self.sizes: list[list[int]] = [[len(col) for col in cols] for cols in checks_per_table]
        self._bits: dict[tuple[int, int], int] = {}
        for cols in checks_per_table:
            flat = [c for col in cols for c in col]
            sig = json.dumps(
                [[c["principal"], c["action"], c["kind"], c["context"]] for c in flat], sort_keys=True
            )
            sid = shape_ids.setdefault(sig, len(shape_ids))
            if sid == len(self.shapes):
                self.shapes.append([(c["principal"], c["action"].lower()) for c in flat])
            self.shape_of.append(sid)
            self.res_of.append([c["resource"] for c in flat])
        self.resources = _Resources({r for rs in self.res_of for r in rs})
        # resource index -> [(table, position)]
        self.users: dict[int, list[tuple[int, int]]] = {}
        for t, rs in enumerate(self.res_of):
            for g, r in enumerate(rs):
                self.users.setdefault(self.resources.index[r], []).append((t, g))
        self.who_mask: dict[tuple[int, str], int] = {}
        for s, shape in enumerate(self.shapes):
            for who in ("caller", "role"):
                self.who_mask[(s, who)] = sum(1 << g for g, (w, _) in enumerate(shape) if w == who)
        self.stmts: dict[str, _Stmt] = {}
        self.bad_principal = [bool(p.unreadable()) for p in principals]
        self.bad_table = [bool(t.unreadable()) for t in tables]
        self.bad_role = backup_role is not None and bool(backup_role.unreadable())
        self._doc_infos: dict[int, list[_Stmt]] = {}
        self._keep: list[PolicyDoc] = []  # documents whose id() keys _doc_infos
        self._entries: dict[tuple[int, int], tuple] = {}
        self._default_keys: dict[tuple, tuple] = {}
        self.tables_of_shape: dict[int, list[int]] = {}
        for t, sh in enumerate(self.shape_of):
            self.tables_of_shape.setdefault(sh, []).append(t)
        self.feature_ids: dict[str, int] = {}
        self._action_cache: dict[tuple[str, int], int] = {}

    # -- statements --

    def doc_infos(self, doc: PolicyDoc) -> list[_Stmt]:
        """Grouping facts of each statement of a document (computed once per document)."""
        hit = self._doc_infos.get(id(doc))
        if hit is None:
            variables = (doc.document or {}).get("Version") == "2012-10-17"
            hit = []
            for st in doc.statements():
                key = json.dumps([st, variables], sort_keys=True)
                info = self.stmts.get(key)
                if info is None:
                    info = self.stmts[key] = self._stmt(st, variables)
                hit.append(info)
            self._doc_infos[id(doc)] = hit
            self._keep.append(doc)
        return hit

    def stmt(self, doc: PolicyDoc, i: int) -> _Stmt:
        return self.doc_infos(doc)[i]

    def _stmt(self, st: dict, variables: bool) -> _Stmt:
        cond = st.get("Condition") or {}
        feat_key = json.dumps(
            [st.get("Effect"), cond, variables, st.get("Principal"), st.get("NotPrincipal")], sort_keys=True
        )
        feature = self.feature_ids.setdefault(feat_key, len(self.feature_ids))
        keys = [k.lower() for block in cond.values() if isinstance(block, dict) for k in block]
        needs = any(k in PRINCIPAL_KEYS or k.startswith("aws:principaltag/") for k in keys)
        needs = needs or (variables and "${" in json.dumps(cond))
        not_action = "NotAction" in st
        actions = [
            _action_rx(a)
            for a in _as_list(st.get("NotAction" if not_action else "Action", []))
            if isinstance(a, str)
        ]
        mask = 0
        table_bound = False
        for pattern in _as_list(st.get("NotResource" if "NotResource" in st else "Resource", [])):
            if not isinstance(pattern, str):
                continue
            m, has_var = self.resources.pattern(pattern, variables)
            mask |= m
            table_bound = table_bound or has_var
        if "NotResource" in st:
            mask = self.resources.all if table_bound else self.resources.all & ~mask
        action_key = json.dumps([st.get("Action"), st.get("NotAction")], sort_keys=True)
        return _Stmt(feature, needs or table_bound, table_bound, actions, not_action, mask, action_key)

    def action_mask(self, info: _Stmt, key: str, shape: int) -> int:
        cache_key = (key, shape)
        hit = self._action_cache.get(cache_key)
        if hit is not None:
            return hit
        mask = 0
        for g, (_, action) in enumerate(self.shapes[shape]):
            matched = any(rx is not None and rx.fullmatch(action) for rx in info.actions)
            if matched != info.not_action:
                mask |= 1 << g
        self._action_cache[cache_key] = mask
        return mask

    def masks(self, doc: PolicyDoc, i: int, shape: int) -> tuple[int, dict[int, int]]:
        return self.info_masks(self.stmt(doc, i), shape)

    def info_masks(self, info: _Stmt, shape: int) -> tuple[int, dict[int, int]]:
        """(mask of the checks matched on a table of this shape by default, {table: mask} exceptions)."""
        hit = info.masks.get(shape)
        if hit is not None:
            return hit
        amask = self.action_mask(info, info.action_key, shape)
        if amask == 0 or info.resource_mask == 0:
            result: tuple[int, dict[int, int]] = (0, {})
        else:
            per_table: dict[int, int] = {}
            rm = info.resource_mask
            if bin(rm).count("1") * 2 > len(self.resources.sorted):  # mostly everything: walk the misses
                default = amask
                miss = self.resources.all & ~rm
                while miss:
                    low = miss & -miss
                    for t, g in self.users[low.bit_length() - 1]:
                        if self.shape_of[t] == shape:
                            per_table[t] = per_table.get(t, amask) & ~(1 << g)
                    miss ^= low
            else:
                default = 0
                hits = rm
                while hits:
                    low = hits & -hits
                    for t, g in self.users[low.bit_length() - 1]:
                        if self.shape_of[t] == shape and amask >> g & 1:
                            per_table[t] = per_table.get(t, 0) | (1 << g)
                    hits ^= low
            # the most common mask over the shape's tables becomes the default (few exceptions to carry)
            tally = Counter(per_table.values())
            tally[default] += len(self.tables_of_shape[shape]) - len(per_table)
            common = tally.most_common(1)[0][0]
            if common != default:
                per_table = {t: per_table.get(t, default) for t in self.tables_of_shape[shape]}
                default = common
            result = (default, {t: m for t, m in per_table.items() if m != default})
        info.masks[shape] = result
        return result

    # -- principals --

    def slots(self, p: Principal, t: Table | None = None) -> list[Slot]:
        out = [Slot("caller", "identity", p.identity)]
        if p.boundary:
            out.append(Slot("caller", "boundary", [p.boundary]))
        out += [Slot("caller", f"scp{k}", level) for k, level in enumerate(p.scp)]
        role = self.backup_role
        if role is not None:
            out.append(Slot("role", "role.identity", role.identity))
            if role.boundary:
                out.append(Slot("role", "role.boundary", [role.boundary]))
            out += [Slot("role", f"role.scp{k}", level) for k, level in enumerate(role.scp)]
        return out

    def entries(self, p: int, shape: int) -> tuple:
        """(slots, [(slot index, doc, statement index, default mask, {table: mask}, info)], tables with
        exceptions, any statement bound to the table) for a principal on tables of one shape."""
        key = (p, shape)
        hit = self._entries.get(key)
        if hit is None:
            slots = self.slots(self.principals[p], None)
            out = []
            touched: set[int] = set()
            bound = False
            for si, slot in enumerate(slots):
                who = self.who_mask[(shape, slot.who)]
                for doc in slot.docs:
                    for i, info in enumerate(self.doc_infos(doc)):
                        default, overrides = self.info_masks(info, shape)
                        d = default & who
                        if not overrides or all(m & who == m for m in overrides.values()):
                            ov = overrides  # shared, never mutated
                        else:
                            ov = {t: m & who for t, m in overrides.items()}
                        if d or any(ov.values()):
                            out.append((si, doc, i, d, ov, info))
                            touched.update(ov)
                            bound = bound or info.needs_table
            hit = self._entries[key] = (slots, out, touched, bound)
        return hit

    def relevant(self, p: int, t: int) -> tuple[list[Slot], list[list[tuple[PolicyDoc, int, int]]]]:
        """The pair's slots and, per slot, its statements that match one of the table's checks, with masks."""
        slots, entries, _, _ = self.entries(p, self.shape_of[t])
        lists: list[list[tuple[PolicyDoc, int, int]]] = [[] for _ in slots]
        for si, doc, i, d, ov, _ in entries:
            m = ov.get(t, d) if ov else d
            if m:
                lists[si].append((doc, i, m))
        return slots, lists

    def pair_key(self, p: int, t: int) -> tuple:
        principal, table = self.principals[p], self.tables[t]
        if self.bad_principal[p] or self.bad_table[t] or self.bad_role:
            return ("unknown", p, t)
        shape = self.shape_of[t]
        slots, entries, touched, bound = self.entries(p, shape)
        shared = t not in touched and not bound and not table.resource_side and not table.key_policy
        if shared:
            hit = self._default_keys.get((p, shape, table.account))
            if hit is not None:
                return hit
        feats = []
        for si, _, _, d, ov, info in entries:
            m = ov.get(t, d) if ov else d
            if m:
                feats.append((slots[si].level, m, info.feature, info.needs_identity, info.needs_table))
        needs = any(f[3] for f in feats)
        where_bound = any(f[4] for f in feats) or table.resource_side or bool(table.key_policy)
        tag_key = (tuple(sorted(principal.tags.items())), tuple(principal.fixed_keys()))
        ident = (principal.arn, principal.name, tag_key) if needs else None
        where = (table.arn, principal.arn) if where_bound else None
        structure = tuple((s.level, len(s.docs)) for s in slots if s.level != "identity")
        key = (shape, table.account, principal.account, principal.type, structure, ident, where, tuple(feats))
        if shared:
            self._default_keys[(p, shape, table.account)] = key
        return key

    def column_bits(self, shape: int, t: int, c: int) -> int:
        key = (shape, c)
        hit = self._bits.get(key)
        if hit is None:
            sizes = self.sizes[t]
            start = sum(sizes[:c])
            hit = self._bits[key] = ((1 << sizes[c]) - 1) << start
        return hit


def _restrict(slots, lists, bits: int) -> list[list[tuple[PolicyDoc, int]]]:
    return [[(d, i) for d, i, m in kept if m & bits] for kept in lists]


def decide_cells(
    principals: list[Principal],
    tables: list[Table],
    columns: list[Column],
    analysis: Analysis,
    column_checks: Callable[[list[list[dict]]], list[list[list[dict]]]],
    *,
    params: dict | None = None,
    backup_role: Principal | None = None,
    progress: Progress | None = None,
    exact: bool = False,
) -> Matrix:
    """Decide every cell principal × table × column; equal questions are decided once.

    ``column_checks(items)`` returns, for each table's list of column inputs, the checks of each column
    (rego/iam2rego/access: ``column_checks``). ``params``: export_bucket, import_bucket, backup_role ARN.
    Pairs (principal, table) are grouped by their relevant statements; then, per column, the groups
    whose statements relevant to that column are equal share one question.
    ``exact``: no grouping and no pruning — every cell decided with its pair's whole policy sets (the
    reference the grouping is tested against).
    """
    params = params or {}
    inputs = [[column_input(c, t, **params) for c in columns] for t in tables]
    checks = column_checks([_with_region(i, t) for i, t in zip(inputs, tables, strict=True)])
    grouper = _Grouper(principals, tables, columns, checks, backup_role)
    pair_of: dict[tuple, int] = {}
    pair_group: list[int] = []
    pair_keys: list[tuple] = []
    pair_reps: list[tuple[int, int]] = []
    n_t = len(tables)
    for p in range(len(principals)):
        for t in range(n_t):
            k = ("pair", p, t) if exact else grouper.pair_key(p, t)
            g = pair_of.get(k)
            if g is None:
                g = pair_of[k] = len(pair_reps)
                pair_reps.append((p, t))
                pair_keys.append(k)
            pair_group.append(g)
        if progress:
            progress("group", p + 1, len(principals))
    # per column: pair groups with equal column-relevant statements share a question
    col_of: dict[tuple, int] = {}
    cell_group: list[list[int]] = []
    col_reps: list[tuple[int, int, int]] = []
    for g, (p, t) in enumerate(pair_reps):
        key = pair_keys[g]
        row = []
        for c in range(len(columns)):
            if exact or key[0] == "unknown":
                ck: tuple = (g, c)
            else:
                shape, t_account, p_account, p_type, structure, ident, where, feats = key
                bits = grouper.column_bits(shape, t, c)
                restricted = tuple((f[0], f[1] & bits, f[2]) for f in feats if f[1] & bits)
                needs = any(f[3] for f in feats if f[1] & bits)
                bound = (
                    any(f[4] for f in feats if f[1] & bits)
                    or tables[t].resource_side
                    or bool(tables[t].key_policy)
                )
                ck = (
                    c,
                    shape,
                    t_account,
                    p_account,
                    p_type,
                    structure,
                    ident if needs else None,
                    where if bound else None,
                    restricted,
                )
            cg = col_of.get(ck)
            if cg is None:
                cg = col_of[ck] = len(col_reps)
                col_reps.append((p, t, c))
            row.append(cg)
        cell_group.append(row)
    questions: list[Question] = []
    asked: list[int] = []
    answers: list[Answer | None] = [None] * len(col_reps)
    for cg, (p, t, c) in enumerate(col_reps):
        principal, table, col = principals[p], tables[t], columns[c]
        problems = principal.unreadable() + table.unreadable()
        if backup_role is not None:
            problems += [f"backup role {backup_role.id}: {x}" for x in backup_role.unreadable()]
        if problems:
            answers[cg] = Answer(UNKNOWN, problems=problems)
            continue
        slots, lists = grouper.relevant(p, t)
        if exact:
            policies = _full_policies(slots, table)
        else:
            bits = grouper.column_bits(grouper.shape_of[t], t, c)
            policies = _pruned_policies(slots, _restrict(slots, lists, bits), table)
        base = dict(inputs[t][c])
        base["principal"] = principal.request_principal()
        ctx = principal.context()
        if col.kind == "action":
            ctx = {**ctx, "aws:RequestedRegion": table.region}
        base["context"] = ctx
        base["fixed"] = principal.fixed_keys()
        if backup_role is not None and col.kind == "operation" and "role" in base:
            base["role_principal"] = backup_role.request_principal()
            base["role_context"] = backup_role.context()
            base["role_fixed"] = backup_role.fixed_keys()
        questions.append(Question(col.kind, base, policies))
        asked.append(cg)
    decided = analysis.decide(questions, (lambda d, n: progress("decide", d, n)) if progress else None)
    for cg, ans in zip(asked, decided, strict=True):
        _, t, c = col_reps[cg]
        ids = [x["id"] for x in checks[t][c]]
        ans.failing = [
            str(ids.index(f)) for f in ans.failing
        ]  # positions: members map them to their own checks
        answers[cg] = ans
    final = [a for a in answers if a is not None]
    assert len(final) == len(answers)
    return Matrix(
        principals,
        tables,
        columns,
        analysis.name,
        pair_group,
        cell_group,
        final,
        len(questions),
        checks,
        grouper,
        exact,
    )


def _with_region(items: list[dict], table: Table) -> list[dict]:
    return [{**i, "context": {"aws:RequestedRegion": table.region}} if "action" in i else i for i in items]


def _empty_policy_set() -> dict:
    """A policy set (generic evaluator's input shape) with no document yet."""
    return {"identity": [], "boundary": None, "session": None, "scp": [], "rcp": [], "resource_policy": None}


def _pruned_policies(slots: list[Slot], lists: list[list[tuple[PolicyDoc, int]]], table: Table) -> dict:
    """Policy sets holding only the pair's relevant statements (names say where each came from)."""
    sets: dict[str, dict] = {}
    for slot, kept in zip(slots, lists, strict=True):
        psd = sets.setdefault(slot.who, _empty_policy_set())
        level = slot.level.removeprefix("role.")
        if level == "boundary":
            version = (slot.docs[0].document or {}).get("Version", "2012-10-17")
            stmts = [d.statements()[i] for d, i in kept]
            psd["boundary"] = {
                "name": slot.level,
                "document": {"Version": version, "Statement": stmts},
                "source": slot.level,
            }
            continue
        docs = [
            {
                "name": f"{slot.level}#{j}",
                "document": {
                    "Version": (d.document or {}).get("Version", "2012-10-17"),
                    "Statement": [d.statements()[i]],
                },
                "source": f"{slot.level}#{j}",
            }
            for j, (d, i) in enumerate(kept)
        ]
        if level == "identity":
            psd["identity"] = docs
        else:
            psd["scp"].append(docs)
    rp = table.resource_policy
    if rp is not None:
        sets["caller"]["resource_policy"] = {"name": "rbp", "document": rp.document, "source": "rbp"}
    return table.with_key_policy(_bind_vault(sets, table, "vault"))


def _full_policies(slots: list[Slot], table: Table) -> dict:
    """The pair's whole policy sets, each document named slot@k."""
    sets: dict[str, dict] = {}
    for slot in slots:
        psd = sets.setdefault(slot.who, _empty_policy_set())
        docs = [
            {"name": f"{slot.level}@{k}", "document": d.document, "source": d.origin}
            for k, d in enumerate(slot.docs)
        ]
        level = slot.level.removeprefix("role.")
        if level == "boundary":
            psd["boundary"] = docs[0]
        elif level == "identity":
            psd["identity"] = docs
        else:
            psd["scp"].append(docs)
    if table.resource_policy is not None:
        sets["caller"]["resource_policy"] = {
            "name": "rbp@0",
            "document": table.resource_policy.document,
            "source": "rbp",
        }
    return table.with_key_policy(_bind_vault(sets, table, "vault@0"))


def _bind_vault(sets: dict, table: Table, name: str) -> dict:
    """With a vault (SEMANTICS §14.3, §14.4), the caller's resource-side policies are bound to their
    resource: the table's to the table, the vault's to the vault (and its recovery points), the
    vault's lock to the vault; without one the unbound table policy stays as it was."""
    if table.vault is None or "caller" not in sets:
        return sets
    caller = dict(sets["caller"])
    bound = {}
    if caller.get("resource_policy") is not None:
        bound[table.arn] = caller["resource_policy"]
    if table.vault_policy is not None:
        bound[table.vault] = {"name": name, "document": table.vault_policy.document, "source": "vault"}
    caller.pop("resource_policy", None)
    caller["resource_policies"] = bound
    caller["vault_locks"] = {table.vault: table.vault_lock} if table.vault_lock else {}
    return {**sets, "caller": caller}

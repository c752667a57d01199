"""The access matrix's data model: principals with their policy sets, tables, columns, cells.

Every policy document is read by the same front end as ``iam2rego check`` (``parse_policy``): a
document IAM would reject makes its principal (or table) *unknown*, never "denied".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..api import parse_policy
from ..diagnostics import Severity
from ..ir import PolicyKind

ALLOWED, CONDITIONAL, DENIED, UNKNOWN = "allowed", "conditional", "denied", "unknown"
ANSWERS = (ALLOWED, CONDITIONAL, DENIED, UNKNOWN)


@dataclass
class PolicyDoc:
    """One policy document with where it came from.

    ``origin`` names the document for people (``gaad.json: role ops, inline policy ManageBackups``);
    ``path`` is the file it was read from; ``text`` is the JSON text shown with line numbers (a
    URL-encoded GAAD document is shown decoded and laid out one member per line); ``statement_lines``
    holds the (line, column) of each statement in ``text``.
    """

    name: str
    origin: str
    path: str
    text: str
    document: dict | None = None
    problem: str | None = None
    statement_lines: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def read(cls, name: str, origin: str, path: str, text: str, kind: str = "identity") -> PolicyDoc:
        """Validate ``text`` as IAM does; lay a one-line document out so statements get their own lines."""
        policy_kind = PolicyKind(kind)
        policy, diags = parse_policy(text, origin, policy_kind)
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if policy is None or errors:
            first = errors[0] if errors else None
            where = f"{first.span.line}:{first.span.column}: " if first else ""
            why = f"{where}{first.code}: {first.message}" if first else "cannot be read"
            return cls(name, origin, path, text, None, f"IAM would reject this document ({why})")
        shown = text
        if text.count("\n") < 2:
            shown = json.dumps(json.loads(text), indent=4)
            policy, _ = parse_policy(shown, origin, policy_kind)
            assert policy is not None
        lines = [(s.span.line, s.span.column) for s in policy.statements]
        return cls(name, origin, path, shown, json.loads(shown), None, lines)

    def statements(self) -> list[dict]:
        st = (self.document or {}).get("Statement", [])
        return st if isinstance(st, list) else [st]

    def entry(self) -> dict:
        """The generic evaluator's policy entry (ARCHITECTURE §3: name, document, source)."""
        return {"name": self.name, "document": self.document, "source": self.origin}


@dataclass
class Principal:
    id: str  # unique, shown in every output: "role/ops", "user/alice", "policies/operator"
    name: str
    type: str  # role | user
    arn: str
    account: str
    source: str  # where it was defined (file and element)
    tags: dict[str, str] = field(default_factory=dict)
    identity: list[PolicyDoc] = field(default_factory=list)
    boundary: PolicyDoc | None = None
    scp: list[list[PolicyDoc]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why some of its policies cannot be verified
    name_known: bool = True  # False: known only after apply (aws:PrincipalArn, aws:username open)
    # the aws:PrincipalTag/* keys the analysis fixes; [] = open: tags known only after apply or a
    # trust policy that lets a session carry tags (SEMANTICS §13.3); `tags` = the ones in the context
    fixed_tags: list[str] = field(default_factory=lambda: ["aws:principaltag/*"])

    def documents(self) -> list[PolicyDoc]:
        out = list(self.identity) + ([self.boundary] if self.boundary else [])
        return out + [d for level in self.scp for d in level]

    def unreadable(self) -> list[str]:
        return self.problems + [f"{d.origin}: {d.problem}" for d in self.documents() if d.problem]

    def request_principal(self) -> dict:
        kind = "AssumedRole" if self.type == "role" else "IAMUser"
        return {"arn": self.arn, "account": self.account, "type": kind}

    def context(self) -> dict[str, str]:
        """The request context the principal fixes (as the gate's probes): ARN, account, type, tags."""
        ctx = {
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": self.request_principal()["type"],
        }
        if self.name_known:
            ctx["aws:PrincipalArn"] = self.arn
        if self.type == "user" and self.name_known:
            ctx["aws:username"] = self.name
        ctx.update({f"aws:PrincipalTag/{k}": v for k, v in sorted(self.tags.items())})
        return ctx

    def fixed_keys(self) -> list[str]:
        """The context keys the analysis fixes besides the context's own (every other key is open)."""
        keys = ["aws:principalaccount", "aws:principaltype"]
        if self.name_known:
            keys += ["aws:principalarn", "aws:username"]
        elif self.type == "role":
            keys.append("aws:username")  # a role session has no aws:username
        return keys + list(self.fixed_tags)


@dataclass
class Table:
    name: str
    arn: str
    region: str
    account: str
    source: str
    tags: dict[str, str] = field(default_factory=dict)
    resource_policy: PolicyDoc | None = None
    problem: str | None = None
    production: bool = False
    # the AWS Backup vault holding the table's recovery points, its access policy and Vault Lock
    # (SEMANTICS §14; access --backup-vault, --resource-policy VAULT_ARN=FILE, --vault-lock)
    vault: str | None = None
    vault_policy: PolicyDoc | None = None
    vault_lock: str | None = None
    # the customer managed key of the table (SEMANTICS §13.2) and its key policy entries (generic
    # evaluator shape: the key policy, then one per grant; an unknown key: one entry without a document)
    kms_key: str | None = None
    key_policy: list[dict] | None = None

    def with_key_policy(self, sets: dict) -> dict:
        """Every policy set with the table's key policy bound to its key (SEMANTICS §13.2)."""
        if self.kms_key and self.key_policy is not None:
            for psd in sets.values():
                psd["key_policies"] = {self.kms_key: self.key_policy}
        return sets

    def unreadable(self) -> list[str]:
        out = [self.problem] if self.problem else []
        for rp in (self.resource_policy, self.vault_policy):
            if rp and rp.problem:
                out.append(f"{rp.origin}: {rp.problem}")
        return out

    @property
    def resource_side(self) -> bool:
        """A resource-side policy decides some of the table's cells (they are asked per table)."""
        return (
            self.resource_policy is not None or self.vault_policy is not None or self.vault_lock is not None
        )


def table_from_arn(arn: str, source: str) -> Table | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "dynamodb" or not parts[5].startswith("table/"):
        return None
    name = parts[5][len("table/") :]
    if not name or "/" in name:
        return None
    return Table(name, arn, parts[3], parts[4], source)


@dataclass(frozen=True)
class Column:
    """One question asked of every (principal, table): an operation (ARCHITECTURE §4) or one action."""

    id: str  # "delete_backup" or "dynamodb:DeleteBackup"
    kind: str  # operation | action
    label: str


@dataclass
class Cell:
    principal: str
    table: str
    column: str
    answer: str  # allowed | conditional | denied | unknown
    condition: str | None = None
    decision: str | None = None  # the evaluator's decision (allow, explicit_deny, implicit_deny)
    reasons: list[dict] = field(default_factory=list)  # deciding statements, with source locations
    failing: list[str] = field(default_factory=list)  # checks of a composite operation that failed
    problems: list[str] = field(default_factory=list)


def key_reason(r: dict, entry: dict) -> dict:
    """A statement of the table's key policy or of a grant (SEMANTICS §13.2), named by its plan address."""
    index = int(r.get("statement_index") or 0)
    doc = entry.get("document") or {}
    stmts = doc.get("Statement", [])
    st = (stmts if isinstance(stmts, list) else [stmts])[index]
    name = str(entry.get("name"))
    return {"policy": name, "origin": f"key policy {name}", "path": "", "statement_index": index,
            "sid": st.get("Sid"), "effect": st.get("Effect"), "line": 1, "column": 1, "level": "key_policy"}  # fmt: skip

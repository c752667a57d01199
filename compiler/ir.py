"""The typed intermediate representation of IAM policies.

Two layers, both frozen dataclasses with a :class:`Span` on every node:

* the JSON layer (``J*`` classes): exactly what the text says, duplicates kept, produced by
  ``lower.py`` from the Lark tree;
* the policy layer (:class:`Policy`, :class:`Statement`, ...): a validated IAM document, produced by
  ``validate/`` from the JSON layer. Checks and code generation only ever see this layer.

This module imports nothing but :mod:`iam2rego.diagnostics`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from .diagnostics import Span

# --------------------------------------------------------------------------- JSON layer


@dataclass(frozen=True, slots=True)
class JString:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class JNumber:
    text: str  # the literal as written, e.g. "1.50"
    span: Span


@dataclass(frozen=True, slots=True)
class JBool:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class JNull:
    span: Span


@dataclass(frozen=True, slots=True)
class JMember:
    key: JString
    value: JValue
    span: Span


@dataclass(frozen=True, slots=True)
class JObject:
    members: tuple[JMember, ...]  # in source order, duplicates kept
    span: Span

    def get(self, name: str) -> JMember | None:
        """First member with this exact (case-sensitive) name."""
        for m in self.members:
            if m.key.value == name:
                return m
        return None


@dataclass(frozen=True, slots=True)
class JArray:
    items: tuple[JValue, ...]
    span: Span


JValue = JString | JNumber | JBool | JNull | JObject | JArray


# --------------------------------------------------------------------------- policy layer


class PolicyKind(enum.Enum):
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SCP = "scp"
    RCP = "rcp"
    RESOURCE = "resource"
    SESSION = "session"

    def __str__(self) -> str:
        return self.value


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Text:
    """A string from the policy, with where it was written."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class ActionBlock:
    """``Action`` (negated=False) or ``NotAction`` (negated=True). Items keep the user's spelling."""

    negated: bool
    items: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ResourceBlock:
    """``Resource`` or ``NotResource``."""

    negated: bool
    items: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    kind: str  # "*", "AWS", "Service", "Federated", "CanonicalUser"
    value: Text


@dataclass(frozen=True, slots=True)
class PrincipalBlock:
    """``Principal`` or ``NotPrincipal`` (resource-based policies only)."""

    negated: bool
    entries: tuple[PrincipalEntry, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ConditionValue:
    """One condition value. JSON booleans and numbers are kept as their text ("true", "10")."""

    text: str
    json_type: str  # "string" | "number" | "boolean"
    span: Span


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key) pair of a Condition block, e.g. ``ForAnyValue:StringLikeIfExists``."""

    operator: Text  # as written
    base: str  # canonical operator name without qualifier/suffix, e.g. "StringLike"
    qualifier: str  # "" | "ForAllValues" | "ForAnyValue"
    if_exists: bool
    key: Text  # as written; compare with key.value.lower()
    values: tuple[ConditionValue, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Statement:
    index: int  # position in the Statement array (0-based; 0 for a lone object)
    sid: Text | None
    effect: Effect
    effect_span: Span
    action: ActionBlock
    resource: ResourceBlock
    principal: PrincipalBlock | None
    conditions: tuple[Condition, ...]
    span: Span


VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


@dataclass(frozen=True, slots=True)
class Policy:
    path: str  # as given by the user (used in messages and METADATA), never absolutised
    name: str  # short policy id used in reasons, e.g. the file stem
    kind: PolicyKind
    version: Text | None
    id: Text | None
    statements: tuple[Statement, ...]
    span: Span

    @property
    def variables_enabled(self) -> bool:
        """Policy variables exist only in 2012-10-17 documents (SEMANTICS §4.5)."""
        return self.version is not None and self.version.value == VERSION_2012


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Everything that applies to one principal (SEMANTICS §5.2)."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    session: Policy | None = None
    scp_levels: tuple[tuple[Policy, ...], ...] = ()  # one tuple per organisation level, root first
    rcp_levels: tuple[tuple[Policy, ...], ...] = ()
    # Resource-based policies bound to their resource (SEMANTICS §3.5, §5.2a): (table ARN, policy),
    # sorted by ARN. A table's policy covers its indexes and streams; any other resource (another
    # table, a backup, an export, ...) sees no resource policy.
    resource_policies: tuple[tuple[str, Policy], ...] = ()
    # Vault Locks of the vaults the principal's requests may reach (SEMANTICS §14.4): (vault ARN,
    # "governance" | "compliance_grace" | "compliance_locked"), sorted by ARN.
    vault_locks: tuple[tuple[str, str], ...] = ()

    def all_policies(self) -> tuple[Policy, ...]:
        out: list[Policy] = list(self.identity)
        out += [p for p in (self.boundary, self.session) if p is not None]
        out += [p for _, p in self.resource_policies]
        for level in (*self.scp_levels, *self.rcp_levels):
            out += level
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Principals:
    """The caller, and for AWS Backup operations the role AWS Backup assumes."""

    caller: PolicySet = field(default_factory=PolicySet)
    role: PolicySet | None = None


# A DynamoDB table ARN (the resource a table's resource-based policy is attached to), and the
# resources that policy covers: the table, its indexes and its streams (SEMANTICS §3.5).
TABLE_ARN = re.compile(r"^arn:[^:*?]+:dynamodb:[^:*?]+:[0-9]{12}:table/[^/*?]+$")
_COVERED = re.compile(r"^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+)(?:/index/[^/]+|/stream/.+)?$")


# An AWS Backup vault ARN: a vault's access policy is bound to it (SEMANTICS §14.3).
VAULT_ARN = re.compile(r"^arn:[^:*?]+:backup:[^:*?]+:[0-9]{12}:backup-vault:[A-Za-z0-9_.-]+$")
# The name of the policy that stands for a compliance-mode Vault Lock past its grace time
# (SEMANTICS §14.4; generic.rego's _lock_policy names it the same way).
VAULT_LOCK_POLICY = "Vault Lock of "


def is_vault_arn(arn: str) -> bool:
    return VAULT_ARN.match(arn) is not None


def resource_policy_table(resource: str) -> str | None:
    """The table whose resource-based policy applies to ``resource`` (itself, or the table of an
    index or stream ARN); None for any other resource."""
    m = _COVERED.match(resource)
    return m.group(1) if m else None


def bound_table(policy: Policy) -> str | None:
    """The one table a resource-based policy's statements name in ``Resource`` (wildcard-free ARNs
    of the table, its indexes or streams), or None when they name none or several."""
    tables = set()
    for st in policy.statements:
        for item in st.resource.items:
            if st.resource.negated or "*" in item.value or "?" in item.value:
                return None
            table = resource_policy_table(item.value)
            if table is None:
                return None
            tables.add(table)
    return tables.pop() if len(tables) == 1 else None

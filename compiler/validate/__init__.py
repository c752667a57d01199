"""JSON IR -> policy IR, with every validation of SEMANTICS §4.2 (errors ``V-*``).

``validate_document`` (called by ``iam2rego.load.parse_policy``) collects all errors of a document in one pass (it does not stop at the first one)
and returns ``(None, diagnostics)`` when any error was found. Codes:

=============  ===========================================================================
V-JSON         strict RFC 8259 syntax (named: trailing comma, extra data, comment, ...)
V-LIMIT        input > 1 MiB, nesting > 64, or > 2,000 statements (lower.py LIMITS, docs/LIMITS.md)
V-DUP          duplicate member name in any object
V-TOP          top level: object with members ⊆ {Version, Id, Statement}; Statement present
V-STMT         statement: object with members ⊆ the nine statement elements
V-EFFECT       Effect present and exactly "Allow" / "Deny"
V-ACTION       exactly one of Action/NotAction; "*" or "prefix:name"
V-RESOURCE     exactly one of Resource/NotResource; "*" or an ARN with 6 parts, no wildcard service
V-PRINCIPAL    Principal/NotPrincipal forbidden (identity, boundary, session, SCP) or required
               (resource: "*" or {AWS|Service|Federated|CanonicalUser: ...}; RCP: exactly "*")
V-COND         operator known (§6.1), qualifier/IfExists well-formed; key -> scalar(s)
V-SID          Sid characters (IAM kinds: A-Z a-z 0-9) and uniqueness
V-VAR          ``${`` in a Resource ARN before the resource part; ``${`` without ``}``
V-SIZE         AWS size quotas (warning unless ``enforce_size``)
V-CHARS        characters outside TAB/LF/CR/U+0020-U+00FF (IAM API kinds only)
=============  ===========================================================================

One module per code family below (``CODE`` in each), registered in :data:`FAMILIES`; titles and
help of every code are in :mod:`iam2rego.codes`. Warnings emitted here: ``W-VERSION-MISSING`` (no Version: variables disabled),
``W-TRAILING-DATA`` (``lenient_json``).
"""

from __future__ import annotations

from types import ModuleType

from .. import codes
from ..diagnostics import Diagnostic
from ..ir import JValue, Policy
from . import (
    action,
    chars,
    condition,
    duplicates,
    effect,
    principal,
    resource,
    sid,
    size,
    statement,
    top,
    variables,
)
from ._base import (
    OPERATORS,
    PRINCIPAL_TYPES,
    QUALIFIERS,
    STATEMENT_MEMBERS,
    TOP_MEMBERS,
    VARIABLE_OPERATOR_PREFIXES,
    ValidateOptions,
    Validator,
)
from .chars import CHARSET_KINDS
from .size import SIZE_QUOTAS

__all__ = [
    "CHARSET_KINDS",
    "ERROR_CODES",
    "FAMILIES",
    "OPERATORS",
    "PRINCIPAL_TYPES",
    "QUALIFIERS",
    "SIZE_QUOTAS",
    "STATEMENT_MEMBERS",
    "TOP_MEMBERS",
    "VARIABLE_OPERATOR_PREFIXES",
    "ValidateOptions",
    "validate_document",
]


def _register(*modules: ModuleType) -> dict[str, ModuleType]:
    families = {m.CODE: m for m in modules}
    if len(families) != len(modules) or not set(families) <= set(codes.CODES):
        raise RuntimeError(f"validation families must have unique, registered codes: {list(families)}")
    return families


# code -> the module that owns it (V-JSON and V-LIMIT's size/depth come from iam2rego.lower).
FAMILIES: dict[str, ModuleType] = _register(
    chars, duplicates, size, top, statement, sid, effect, action, resource, variables, principal, condition
)

# Every error code the front end emits (titles from the one registry, iam2rego.codes).
ERROR_CODES: dict[str, str] = {
    c.id: c.title for fam in ("IO", "V") for c in codes.family(fam) if c.id not in ("IO-LIMIT", "V-UNKNOWN")
}


def validate_document(
    text: str, root: JValue, path: str, opts: ValidateOptions, name: str
) -> tuple[Policy | None, list[Diagnostic]]:
    """The JSON IR of one document -> the policy IR (None when an error was found) and diagnostics.

    ``text`` is the source (V-SIZE counts its characters); V-CHARS runs on the text before lowering
    (:func:`iam2rego.load.parse_policy`).
    """
    diags = duplicates.check_duplicates(root, path) + size.check_size(text, path, opts)
    v = Validator(path, opts)
    policy = top.to_policy(v, root, name)
    return policy, diags + v.diags

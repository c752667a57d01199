"""W-ID-IN-IDENTITY: the grammar says Id must not appear in identity-based policies (SEMANTICS §4.1, Q3)."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy, PolicyKind
from ._util import finding

ID = "W-ID-IN-IDENTITY"

_IDENTITY_KINDS = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION)


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    if policy.id is not None and policy.kind in _IDENTITY_KINDS:
        yield finding(
            policy,
            ID,
            f"Id {policy.id.value[:60]!r} in a{'n' if policy.kind.value[0] in 'aeiou' else ''} {policy.kind} policy",
            policy.id.span,
            "remove Id; use Sid on statements instead",
        )

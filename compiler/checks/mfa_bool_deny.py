"""W-MFA-BOOL-DENY: Deny guarded by ``Bool aws:MultiFactorAuthPresent false`` (§7.4 T-MFA-DENY-2).

The key is absent for long-term access keys, so plain ``Bool`` is false and the Deny does not apply.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy
from ._util import finding

ID = "W-MFA-BOOL-DENY"


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        if st.effect is not Effect.DENY:
            continue
        for c in st.conditions:
            if c.base != "Bool" or c.if_exists or c.qualifier:
                continue
            if c.key.value.lower() != "aws:multifactorauthpresent":
                continue
            if not any(v.text.lower() == "false" for v in c.values):
                continue
            yield finding(
                policy,
                ID,
                "Deny with Bool aws:MultiFactorAuthPresent false does not apply when the key is absent "
                "(long-term access keys)",
                c.operator.span,
                'use "BoolIfExists" so requests without MFA information are denied too',
                key=c.key.value,
            )

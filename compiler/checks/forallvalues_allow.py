"""W-FORALLVALUES-ALLOW: ForAllValues in an Allow statement is true for an absent/empty key (§6.4)."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy, Statement
from ._util import finding

ID = "W-FORALLVALUES-ALLOW"


def _has_presence_check(st: Statement, key: str) -> bool:
    return any(
        c.base == "Null" and c.key.value.lower() == key and any(v.text.lower() == "false" for v in c.values)
        for c in st.conditions
    )


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        if st.effect is not Effect.ALLOW:
            continue
        for c in st.conditions:
            if c.qualifier != "ForAllValues" or _has_presence_check(st, c.key.value.lower()):
                continue
            yield finding(
                policy,
                ID,
                f"{c.operator.value} on {c.key.value!r} in an Allow statement is true when the request has no "
                f"{c.key.value} values",
                c.operator.span,
                f'add "Null": {{"{c.key.value}": "false"}} to require the key',
                key=c.key.value,
            )

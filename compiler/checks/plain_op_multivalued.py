"""W-PLAIN-OP-MULTIVALUED: a plain operator on a multivalued (ArrayOf*) key (§6.4, Q8)."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy
from ._util import finding

ID = "W-PLAIN-OP-MULTIVALUED"


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        for c in st.conditions:
            if c.qualifier or c.base == "Null":
                continue
            info = cat.condition_key(c.key.value)
            if info is None or not info.type.startswith("ArrayOf"):
                continue
            yield finding(
                policy,
                ID,
                f"{c.operator.value} on multivalued key {c.key.value!r} ({info.type}); AWS does not define the result "
                "when the request has several values",
                c.operator.span,
                f"use ForAnyValue:{c.operator.value} or ForAllValues:{c.operator.value}",
                key=c.key.value,
                type=info.type,
            )

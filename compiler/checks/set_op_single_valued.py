"""W-SET-OP-SINGLE-VALUED: ForAllValues/ForAnyValue on a key the catalog types as single-valued (§6.4)."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy
from ._util import finding

ID = "W-SET-OP-SINGLE-VALUED"


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        for c in st.conditions:
            if not c.qualifier:
                continue
            info = cat.condition_key(c.key.value)
            if info is None or info.type.startswith("ArrayOf"):
                continue
            yield finding(
                policy,
                ID,
                f"{c.qualifier}: on single-valued key {c.key.value!r} ({info.type})",
                c.operator.span,
                f"use {c.operator.value.split(':', 1)[1]!r} without the set prefix"
                + (" (ForAllValues is true when the key is absent)" if c.qualifier == "ForAllValues" else ""),
                key=c.key.value,
                type=info.type,
            )

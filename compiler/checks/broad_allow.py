"""W-BROAD-ALLOW: unconditional Allow of every action (``*``) or every DynamoDB action on ``*``."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy
from ._util import finding

ID = "W-BROAD-ALLOW"

_BROAD = ("*", "dynamodb:*")


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        if st.effect is not Effect.ALLOW or st.action.negated or st.resource.negated or st.conditions:
            continue
        if not any(r.value == "*" for r in st.resource.items):
            continue
        for item in st.action.items:
            if item.value.lower() in _BROAD:
                yield finding(
                    policy,
                    ID,
                    f"Allow {item.value!r} on every resource without conditions",
                    item.span,
                    "grant the specific actions and ARNs needed (least privilege)",
                    action=item.value,
                )

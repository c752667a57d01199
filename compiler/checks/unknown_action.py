"""W-UNKNOWN-ACTION: an action (or pattern) that names nothing in the catalog."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy
from ._util import actions_matching, finding

ID = "W-UNKNOWN-ACTION"


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        for item in st.action.items:
            value = item.value
            if value == "*":
                continue
            prefix = value.split(":", 1)[0]
            if not cat.has_service(prefix):
                yield finding(
                    policy,
                    ID,
                    f"service prefix {prefix!r} is not in the catalog",
                    item.span,
                    f"check the spelling; the catalog covers {', '.join(cat.services())}",
                    action=value,
                    kind="unknown-service",
                )
            elif not actions_matching(value):
                what = "pattern" if "*" in value or "?" in value else "action"
                yield finding(
                    policy,
                    ID,
                    f"{what} {value!r} matches no {prefix} action",
                    item.span,
                    "check the spelling against the Service Authorization Reference",
                    action=value,
                    kind="unknown-action",
                )

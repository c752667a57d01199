"""W-VARS-DISABLED: ``${...}`` in a policy whose Version disables variables (2008-10-17 or none)."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Diagnostic
from ..ir import Policy, Text
from ._util import finding

ID = "W-VARS-DISABLED"


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    if policy.variables_enabled:
        return
    for st in policy.statements:
        texts: list[Text] = list(st.resource.items)
        texts += [Text(v.text, v.span) for c in st.conditions for v in c.values]
        for t in texts:
            if "${" in t.value:
                yield finding(
                    policy,
                    ID,
                    f"{t.value[:80]!r} contains '${{' but this policy's Version disables policy variables",
                    t.span,
                    'add "Version": "2012-10-17" to make it a variable',
                    value=t.value,
                )

"""W-BROAD-ALLOW: an unconditional Allow on ``*`` that grants every DynamoDB backup action.

Semantic, like the gate's built-in of the same ID: the Action patterns are matched against the shared
backup actions (``catalog/facts.json`` ``backup_actions``) with the IAM wildcard matcher, so ``*``,
``dynamodb:*``, ``dynamodb:**``, ``dynamodb:*?`` and ``dynamodb:*Backup*`` are found; a NotAction that
excludes none of them (``NotAction: "s3:*"``) is too.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..catalog.facts import BACKUP_ACTIONS
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy, Statement, Text
from ._util import finding, pattern_covers

ID = "W-BROAD-ALLOW"

_BACKUP = tuple(a.lower() for a in BACKUP_ACTIONS)


def _covers_all(item: Text) -> bool:
    return all(pattern_covers(item.value, a) for a in _BACKUP)


def _broad_item(st: Statement) -> Text | None:
    items = st.action.items
    if not st.action.negated:
        return next((item for item in items if _covers_all(item)), None)
    excluded = any(pattern_covers(item.value, a) for item in items for a in _BACKUP)
    return None if excluded or not items else items[0]


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        if st.effect is not Effect.ALLOW or st.resource.negated or st.conditions:
            continue
        if not any(r.value == "*" for r in st.resource.items):
            continue
        item = _broad_item(st)
        if item is None:
            continue
        written = f"NotAction {item.value!r}" if st.action.negated else repr(item.value)
        yield finding(
            policy,
            ID,
            f"Allow {written} on every resource without conditions grants every DynamoDB backup action",
            item.span,
            "grant the specific actions and ARNs needed (least privilege)",
            action=item.value,
        )

"""W-BROAD-ALLOW: an Allow that grants every DynamoDB backup action on every backup.

One rule with the gate's built-in of the same ID (rego/iam2rego/gate/builtin.rego), on the same data
(``catalog/facts.json``): the Action patterns are matched against ``backup_actions`` with the IAM
wildcard matcher, so ``*``, ``dynamodb:*``, ``dynamodb:**``, ``dynamodb:*?`` and ``dynamodb:*Backup*``
are found, and a NotAction that excludes none of them (``NotAction: "s3:*"``); the Resource covers
every backup when a pattern matches ``unknown_backup_arn`` (``*``, ``arn:aws:dynamodb:*:*:table/*``,
``arn:*``, ...) or a NotResource names none. Conditions do not lower it: a condition narrows who may
use the grant, not what it grants (tests/e2e/test_gate_builtin.py checks both sides agree).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..catalog.facts import BACKUP_ACTIONS
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy, ResourceBlock, Statement, Text
from ._util import finding, pattern_covers, resource_covers_every_backup

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


def _covers_every_backup(block: ResourceBlock) -> bool:
    named = any(resource_covers_every_backup(r.value) for r in block.items)
    return not named and bool(block.items) if block.negated else named


def _resource_text(block: ResourceBlock) -> str:
    if block.negated:
        return "NotResource " + ", ".join(repr(r.value) for r in block.items)
    return repr(next(r.value for r in block.items if resource_covers_every_backup(r.value)))


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    for st in policy.statements:
        if st.effect is not Effect.ALLOW or not _covers_every_backup(st.resource):
            continue
        item = _broad_item(st)
        if item is None:
            continue
        written = f"NotAction {item.value!r}" if st.action.negated else repr(item.value)
        yield finding(
            policy,
            ID,
            f"Allow {written} on {_resource_text(st.resource)} grants every DynamoDB backup action on every backup",
            item.span,
            "grant the specific actions and ARNs needed (least privilege)",
            action=item.value,
        )

"""W-RESTORE-WITHOUT-WRITES: restore allowed, but not the data-plane writes a restore performs.

RestoreTableFromBackup and RestoreTableToPointInTime depend on seven data-plane actions (SEMANTICS
§1.5, §3.3) evaluated on the *table* ARN; without them the restore fails at the writes (seed Example 5
grants them only on a backup ARN).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..catalog.facts import RESTORE_DATAPLANE
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy, Statement
from ._util import dynamodb_resource_type, finding, pattern_covers

ID = "W-RESTORE-WITHOUT-WRITES"

RESTORES = ("dynamodb:RestoreTableFromBackup", "dynamodb:RestoreTableToPointInTime")
DATA_PLANE = RESTORE_DATAPLANE  # one source with the Rego side: compiler/catalog/facts.json


def _covers(st: Statement, action: str) -> bool:
    hit = any(pattern_covers(item.value, action) for item in st.action.items)
    return hit != st.action.negated


def _may_reach_table(st: Statement) -> bool:
    if st.resource.negated:
        return True
    return any(dynamodb_resource_type(r.value) in (None, "table") for r in st.resource.items)


def check(policy: Policy, cat: Catalog) -> Iterator[Diagnostic]:
    allows = [st for st in policy.statements if st.effect is Effect.ALLOW]
    missing = [a for a in DATA_PLANE if not any(_covers(st, a) and _may_reach_table(st) for st in allows)]
    if not missing:
        return
    for st in allows:
        if st.action.negated:
            continue
        for item in st.action.items:
            restores = [r for r in RESTORES if pattern_covers(item.value, r)]
            if not restores:
                continue
            yield finding(
                policy,
                ID,
                f"{' and '.join(restores)} allowed, but {', '.join(missing)} not allowed on any table ARN; "
                "the restore fails when DynamoDB writes the restored table",
                item.span,
                'allow the seven data-plane actions on the target table ARN (or "*")',
                action=restores[0],
                missing=",".join(missing),
            )

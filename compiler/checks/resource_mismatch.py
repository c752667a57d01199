"""W-RESOURCE-MISMATCH: an action paired only with resources it can never be authorised on.

* SEMANTICS §2: actions without resource-level permissions (ListBackups, ...) are evaluated against
  the resource ``*``; a statement that lists them with ARNs only grants (or denies) nothing for them.
* An action whose resource types (catalog) do not include the type of any listed DynamoDB ARN
  (§1.4) — CreateBackup on a backup ARN, PutItem only on a backup ARN (seed Example 5).
* Mode-aware (§3.1): where the evaluation mode checks an action on fewer types than the catalog lists
  (facts.json ``mode_resource_types``), those types decide. In ``docs`` mode RestoreTableFromBackup is
  checked on the backup ARN only, so granting it only on table ARNs grants nothing; under
  ``sar-strict`` such a statement is the target-table half of a restore and is not flagged.

The gate's W-RESOURCE-MISMATCH (rego/iam2rego/gate/builtin.rego) is the same rule on the same data.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog
from ..catalog.facts import MODE_RESOURCE_TYPES
from ..diagnostics import Diagnostic
from ..ir import Effect, Policy, Statement, Text
from ._util import actions_matching, dynamodb_resource_type, finding, is_star_only, is_wildcard_action

ID = "W-RESOURCE-MISMATCH"
READS_MODE = True


def check(policy: Policy, cat: Catalog, mode: str) -> Iterator[Diagnostic]:
    no_resource = cat.no_resource_actions()
    for st in policy.statements:
        if st.action.negated or st.resource.negated:
            continue
        resources = st.resource.items
        if any(is_star_only(r.value) for r in resources):
            continue
        for item in st.action.items:
            if item.value == "*":
                continue
            yield from _no_resource(policy, st, item, cat, no_resource)
            yield from _wrong_type(policy, st, item, cat, mode)


def _verb(st: Statement) -> str:
    return "grants nothing" if st.effect is Effect.ALLOW else "never denies anything"


def _no_resource(
    policy: Policy, st: Statement, item: Text, cat: Catalog, no_resource: frozenset[str]
) -> Iterator[Diagnostic]:
    matched = actions_matching(item.value)
    if not matched or not all(a.lower() in no_resource for a in matched):
        return
    name = matched[0] if len(matched) == 1 and not is_wildcard_action(item.value) else item.value
    yield finding(
        policy,
        ID,
        f"{name} supports no resource-level permissions; with only ARNs in Resource this statement {_verb(st)} for it",
        item.span,
        'use "Resource": "*" for this action (in its own statement if the others need ARNs)',
        action=name,
        kind="no-resource-action",
    )


def _wrong_type(policy: Policy, st: Statement, item: Text, cat: Catalog, mode: str) -> Iterator[Diagnostic]:
    if is_wildcard_action(item.value):
        return
    info = cat.action(item.value)
    if info is None or info.service != "dynamodb" or not info.resource_types:
        return
    accepted = {r.name for r in info.resource_types}
    in_mode = set(MODE_RESOURCE_TYPES.get(mode, {}).get(info.full, accepted))
    types = [dynamodb_resource_type(r.value) for r in st.resource.items]
    if any(t is None or t in in_mode for t in types):
        return
    listed = ", ".join(sorted({t for t in types if t}))
    if any(t in accepted for t in types):  # the catalog's types fit: only this mode leaves them out
        yield _mode_finding(policy, st, item, info.full, mode, sorted(in_mode), listed)
        return
    yield finding(
        policy,
        ID,
        f"{info.full} applies to {'/'.join(sorted(accepted))} ARNs, but this statement lists only {listed} ARNs; "
        f"it {_verb(st)} for {info.full}",
        item.span,
        f"list a {'table' if 'table' in in_mode else sorted(in_mode)[0]} ARN for {info.full}",
        action=info.full,
        kind="wrong-resource-type",
        resource_types=listed,
    )


def _mode_finding(
    policy: Policy, st: Statement, item: Text, action: str, mode: str, in_mode: list[str], listed: str
) -> Diagnostic:
    """The statement would count in ``sar-strict`` (the target-table check), not in ``mode``."""
    needed = "/".join(in_mode)
    half = (
        f"it would be the target-table half of a restore, still needing {action} on the {needed}"
        if st.effect is Effect.ALLOW
        else "it would deny restores into these tables (the target-table check)"
    )
    return finding(
        policy,
        ID,
        f"{action} is checked only on {needed} ARNs in {mode} mode (a restore's target table needs only the "
        f"data-plane writes), but this statement lists only {listed} ARNs; it {_verb(st)} for {action} in "
        f"{mode} mode. Under sar-strict {half}",
        item.span,
        f"list the {needed} ARN for {action} (table/<name>/{needed}/*), or check with --mode sar-strict if the "
        "policies are evaluated in that mode",
        action=action,
        kind="wrong-resource-type",
        mode=mode,
        resource_types=listed,
    )

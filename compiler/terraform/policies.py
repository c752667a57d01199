"""Every policy string of a plan through the same front end as ``iam2rego check``.

The gate pack reads policy text with Rego's JSON decoder, which keeps the last of two equal keys
(``"Statement"`` twice, ``"Effect"`` twice) and cannot see every rule IAM applies. Before the pack
runs, ``iam2rego gate`` parses each policy string of the plan with :func:`iam2rego.api.parse_policy`
(strict JSON, duplicate keys, every V-* rule); a document with errors is passed to the pack as
``data.iam2rego_cli.frontend[<document id>]`` and becomes IAM2REGO-UNVERIFIABLE there, exactly as
text that is not JSON does. The pack never relaxes a verdict from here (it only adds its own).

Which attributes hold policies mirrors ``policy_attrs`` and the ``inline_policy`` blocks of
``rego/iam2rego/gate/inventory.rego`` (tests/unit/test_gate_policies.py keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .. import api
from ..diagnostics import Severity
from ..ir import PolicyKind

# resource type -> (attribute, inventory kind); the inventory kind picks the front end's policy kind
POLICY_ATTRS: dict[str, tuple[str, str]] = {
    "aws_iam_policy": ("policy", "managed"),
    "aws_iam_role_policy": ("policy", "inline"),
    "aws_iam_user_policy": ("policy", "inline"),
    "aws_iam_group_policy": ("policy", "inline"),
    "aws_organizations_policy": ("content", "scp"),
    "aws_dynamodb_resource_policy": ("policy", "table_rbp"),
    "aws_backup_vault_policy": ("policy", "vault_rbp"),
}
# KMS key policies (rego/iam2rego/gate/kms.rego kms_policy_attrs): read by kms.rego, not the inventory
KEY_POLICY_ATTRS: dict[str, tuple[str, str]] = {
    "aws_kms_key": ("policy", "key_policy"),
    "aws_kms_key_policy": ("policy", "key_policy"),
}
FRONTEND_KIND = {
    "key_policy": PolicyKind.RESOURCE,
    "managed": PolicyKind.IDENTITY,
    "inline": PolicyKind.IDENTITY,
    "scp": PolicyKind.SCP,
    "rcp": PolicyKind.RCP,
    "table_rbp": PolicyKind.RESOURCE,
    "vault_rbp": PolicyKind.RESOURCE,
}
MAX_PROBLEMS = 3  # error messages quoted per document (the first ones, by position)


@dataclass(frozen=True)
class PolicyString:
    id: str  # the inventory's document id: the address, or `<role address>.inline_policy[i]`
    kind: str  # inventory kind (managed, inline, scp, rcp, table_rbp, vault_rbp)
    text: str


def _live(plan: object) -> Iterator[dict]:
    changes = plan.get("resource_changes") if isinstance(plan, dict) else None
    for rc in changes if isinstance(changes, list) else []:
        if not isinstance(rc, dict) or rc.get("mode") != "managed":
            continue
        change = rc.get("change")
        if not isinstance(change, dict) or change.get("actions") == ["delete"]:
            continue
        if isinstance(change.get("after"), dict) and isinstance(rc.get("address"), str):
            yield rc


def policy_strings(plan: object) -> list[PolicyString]:
    """Every known policy string of the resources that exist after apply."""
    out = []
    for rc in _live(plan):
        after = rc["change"]["after"]
        spec = POLICY_ATTRS.get(str(rc.get("type"))) or KEY_POLICY_ATTRS.get(str(rc.get("type")))
        if spec is not None:
            attr, kind = spec
            if kind == "scp" and after.get("type") == "RESOURCE_CONTROL_POLICY":
                kind = "rcp"  # inventory.rego: an aws_organizations_policy of that type is an RCP
            elif kind == "scp" and after.get("type") not in (None, "SERVICE_CONTROL_POLICY"):
                continue
            if isinstance(after.get(attr), str):
                out.append(PolicyString(rc["address"], kind, after[attr]))
        if rc.get("type") == "aws_iam_role" and isinstance(after.get("inline_policy"), list):
            for i, block in enumerate(after["inline_policy"]):
                if isinstance(block, dict) and isinstance(block.get("policy"), str):
                    out.append(PolicyString(f"{rc['address']}.inline_policy[{i}]", "inline", block["policy"]))
    return out


def frontend_verdicts(plan: object) -> dict[str, dict]:
    """{document id: {"codes": [...], "problem": text}} for every policy string IAM would reject."""
    verdicts = {}
    for doc in policy_strings(plan):
        _, diags = api.parse_policy(doc.text, doc.id, FRONTEND_KIND[doc.kind])
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if not errors:
            continue
        quoted = "; ".join(
            f"{d.code} at {d.span.line}:{d.span.column}: {d.message}" for d in errors[:MAX_PROBLEMS]
        )
        more = f"; and {len(errors) - MAX_PROBLEMS} more" if len(errors) > MAX_PROBLEMS else ""
        verdicts[doc.id] = {
            "codes": sorted({d.code for d in errors}),
            "problem": f"IAM would reject the policy ({quoted}{more})",
        }
    return verdicts

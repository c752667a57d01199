"""Checks: stable IDs at the offending token, on the seed examples and targeted policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.api import load_policy, parse_policy
from iam2rego.checks import FINDING_IDS, REGISTRY, check_policy
from iam2rego.ir import PolicyKind

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed" / "policies"
T = "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
B = T + "/backup/01489173575360-b308cd7d"


def _seed(name: str) -> list[tuple[str, str]]:
    (path,) = SEED.glob(f"example{name}-*.json")
    policy, _ = load_policy(str(path))
    assert policy is not None
    return [(d.code, d.span.location()) for d in check_policy(policy)]


def _findings(
    *statements: dict[str, object], version: str | None = "2012-10-17", kind: str = "identity", **top: object
):
    doc: dict[str, object] = {"Statement": list(statements), **top}
    if version:
        doc = {"Version": version, **doc}
    policy, diags = parse_policy(json.dumps(doc, indent=1), "p.json", kind)
    assert policy is not None, diags
    return check_policy(policy)


def _ids(*statements: dict[str, object], **kw: object) -> list[str]:
    return [d.code for d in _findings(*statements, **kw)]


def test_registry_ids_are_unique_and_described() -> None:
    ids = [c.id for c in REGISTRY]
    assert len(ids) == len(set(ids)) == 11
    assert all(i.startswith("W-") and FINDING_IDS[i] for i in ids)


@pytest.mark.parametrize("example", ["3", "4", "7"])
def test_listbackups_on_a_table_arn_warns_resource_mismatch_at_the_action(example: str) -> None:
    assert ("W-RESOURCE-MISMATCH", "7:17") in _seed(example)


@pytest.mark.parametrize(
    ("example", "lines"), [("2", ["9:25", "16:25"]), ("4", ["9:25", "16:25"]), ("7", ["9:25"])]
)
def test_account_id_placeholder_warns(example: str, lines: list[str]) -> None:
    assert [loc for code, loc in _seed(example) if code == "W-PLACEHOLDER"] == lines


def test_example5_warns_data_plane_actions_granted_on_a_backup_arn() -> None:
    found = _seed("5")
    assert ("W-RESTORE-WITHOUT-WRITES", "8:17") in found
    mismatches = [loc for code, loc in found if code == "W-RESOURCE-MISMATCH"]
    assert mismatches == [f"{line}:17" for line in range(9, 16)]  # PutItem ... BatchWriteItem


def test_example4_deny_deletebackup_on_a_table_arn_never_applies() -> None:
    assert ("W-RESOURCE-MISMATCH", "14:17") in _seed("4")


@pytest.mark.parametrize("example", ["1", "6"])
def test_clean_examples_have_no_findings(example: str) -> None:
    assert _seed(example) == []


def test_unknown_action_and_unknown_service() -> None:
    found = _findings(
        {
            "Effect": "Allow",
            "Action": ["dynamodb:CreateBackupp", "dynamodbx:Scan", "dynamodb:*Bakup*", "dynamodb:Create*"],
            "Resource": T,
        }
    )
    assert [(d.code, dict(d.data)["kind"], d.span.line) for d in found] == [
        ("W-UNKNOWN-ACTION", "unknown-action", 7),
        ("W-UNKNOWN-ACTION", "unknown-service", 8),
        ("W-UNKNOWN-ACTION", "unknown-action", 9),
    ]


def test_create_backup_on_a_backup_arn_is_a_mismatch() -> None:
    found = _findings({"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": B})
    assert [(d.code, dict(d.data)["action"]) for d in found] == [
        ("W-RESOURCE-MISMATCH", "dynamodb:CreateBackup")
    ]


def test_no_mismatch_when_star_or_wildcards_could_match() -> None:
    assert _ids({"Effect": "Allow", "Action": "dynamodb:ListBackups", "Resource": "*"}) == []
    assert (
        _ids(
            {"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "arn:aws:dynamodb:*:*:table/*"}
        )
        == []
    )
    wild = _ids(
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*"}
    )
    assert wild == ["W-RESOURCE-MISMATCH"]


def test_restore_with_writes_on_tables_is_clean() -> None:
    writes = [
        "dynamodb:" + a
        for a in ("BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem")
    ]
    assert (
        _ids(
            {"Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": B},
            {
                "Effect": "Allow",
                "Action": writes,
                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/*",
            },
        )
        == []
    )
    partial = _findings(
        {"Effect": "Allow", "Action": "dynamodb:RestoreTableToPointInTime", "Resource": T},
        {"Effect": "Allow", "Action": writes[:-1], "Resource": T},
    )
    assert [(d.code, dict(d.data)["missing"]) for d in partial] == [
        ("W-RESTORE-WITHOUT-WRITES", "dynamodb:UpdateItem")
    ]


def test_placeholder_region_and_partition() -> None:
    found = _findings(
        {
            "Effect": "Allow",
            "Action": "dynamodb:CreateBackup",
            "Resource": [
                "arn:aws:dynamodb:REGION:123456789012:table/x",
                "arn:partition:dynamodb:*:*:table/x",
                "arn:aws:dynamodb:*:*:table/x",
                "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/x",
            ],
        }
    )
    assert [(d.code, dict(d.data)["segment"]) for d in found] == [
        ("W-PLACEHOLDER", "region"),
        ("W-PLACEHOLDER", "partition"),
    ]


def test_vars_disabled_in_2008_and_versionless_policies() -> None:
    st = {"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": T + "-${aws:username}"}
    assert _ids(st, version="2008-10-17") == ["W-VARS-DISABLED"]
    assert _ids(st, version=None) == ["W-VARS-DISABLED"]
    assert _ids(st) == []


def test_id_in_identity_policy_but_not_in_resource_policy() -> None:
    st = {"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": T}
    assert _ids(st, Id="x") == ["W-ID-IN-IDENTITY"]
    assert _ids({**st, "Principal": "*"}, kind="resource", Id="x") == []


def test_set_operator_on_single_valued_key_and_plain_operator_on_multivalued_key() -> None:
    found = _findings(
        {
            "Effect": "Deny",
            "Action": "dynamodb:*",
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringEquals": {"aws:RequestedRegion": "us-east-1"},
                "StringEquals": {"aws:TagKeys": "env"},
                "ForAllValues:StringLike": {"aws:TagKeys": "e*"},
            },
        }
    )
    assert sorted(d.code for d in found) == ["W-PLAIN-OP-MULTIVALUED", "W-SET-OP-SINGLE-VALUED"]


def test_mfa_bool_deny_warns_and_boolifexists_does_not() -> None:
    deny = {
        "Effect": "Deny",
        "Action": "dynamodb:DeleteBackup",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert _ids(deny) == ["W-MFA-BOOL-DENY"]
    ok = {**deny, "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}}}
    assert _ids(ok) == []


def test_broad_allow() -> None:
    assert _ids({"Effect": "Allow", "Action": "DynamoDB:*", "Resource": "*"}) == ["W-BROAD-ALLOW"]
    assert _ids({"Effect": "Allow", "Action": "*", "Resource": "*"}) == ["W-BROAD-ALLOW"]
    # one rule with the gate's: a condition narrows who may use the grant, not what it grants
    conditioned = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    }
    assert _ids(conditioned) == ["W-BROAD-ALLOW"]


def test_broad_allow_on_every_backup_arn_however_the_resource_is_written() -> None:
    for resource in (
        "arn:aws:dynamodb:*:*:table/*",
        "arn:aws:dynamodb:*:*:table/*/backup/*",
        "arn:aws:dynamodb:*:*:*",
    ):
        assert "W-BROAD-ALLOW" in _ids({"Effect": "Allow", "Action": "dynamodb:*", "Resource": resource}), (
            resource
        )
    assert _ids({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::*"}) == ["W-BROAD-ALLOW"]
    assert _ids({"Effect": "Allow", "Action": "dynamodb:*", "Resource": f"{T}*"}) == []
    assert _ids({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:dynamodb:*:*:table/*"}) == []


def test_broad_allow_is_semantic_however_the_actions_are_written() -> None:
    for action in ("dynamodb:**", "dynamodb:*?", "dynamodb:*Backup*"):
        assert "W-BROAD-ALLOW" in _ids({"Effect": "Allow", "Action": action, "Resource": "*"}), action
    assert _ids({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}) == ["W-BROAD-ALLOW"]
    assert _ids({"Effect": "Allow", "NotAction": ["s3:*", "dynamodb:DeleteBackup"], "Resource": "*"}) == []
    assert _ids({"Effect": "Allow", "Action": "dynamodb:*Backups", "Resource": "*"}) == []


def test_forallvalues_allow_unless_the_key_is_required() -> None:
    st = {
        "Effect": "Allow",
        "Action": "dynamodb:TagResource",
        "Resource": T,
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}},
    }
    assert _ids(st) == ["W-FORALLVALUES-ALLOW"]
    guarded = {**st, "Condition": {**st["Condition"], "Null": {"aws:TagKeys": "false"}}}  # type: ignore[dict-item]
    assert _ids(guarded) == []


def test_findings_point_at_the_offending_token() -> None:
    (d,) = _findings({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    assert (d.code, d.span.line, d.span.end_column - d.span.column) == (
        "W-BROAD-ALLOW",
        6,
        len('"dynamodb:*"'),
    )


def test_checks_see_scp_without_resource_as_star() -> None:
    assert _ids({"Effect": "Deny", "Action": "dynamodb:ListBackups"}, kind=PolicyKind.SCP.value) == []

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


def _seed(name: str, mode: str = "docs") -> list[tuple[str, str]]:
    (path,) = SEED.glob(f"example{name}-*.json")
    policy, _ = load_policy(str(path))
    assert policy is not None
    return [(d.code, d.span.location()) for d in check_policy(policy, mode=mode)]


def _findings(
    *statements: dict[str, object],
    version: str | None = "2012-10-17",
    kind: str = "identity",
    mode: str = "docs",
    **top: object,
):
    doc: dict[str, object] = {"Statement": list(statements), **top}
    if version:
        doc = {"Version": version, **doc}
    policy, diags = parse_policy(json.dumps(doc, indent=1), "p.json", kind)
    assert policy is not None, diags
    return check_policy(policy, mode=mode)


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


def test_clean_examples_have_no_findings() -> None:
    assert _seed("6") == []
    assert _seed("6", "sar-strict") == []
    assert _seed("1", "sar-strict") == []  # docs mode: see the next test


# SEMANTICS §3.1, §7.2: in docs mode RestoreTableFromBackup is checked on the backup ARN only, so
# Example 1's grant on table/Movies grants nothing (its restore verdict is DENIED on RTFB on B2);
# under sar-strict the same statement is the target-table half and is not flagged.
def test_example1_restore_granted_only_on_a_table_arn_grants_nothing_in_docs_mode() -> None:
    assert _seed("1") == [("W-RESOURCE-MISMATCH", "8:17")]
    assert _seed("1", "sar-strict") == []


# SEMANTICS §7.5 item 11: Example 3's Deny on the table ARN does not stop RestoreTableFromBackup in
# docs mode; in sar-strict it denies restores into that table.
def test_example3_deny_restore_on_a_table_arn_never_applies_in_docs_mode() -> None:
    assert ("W-RESOURCE-MISMATCH", "15:17") in _seed("3")
    assert ("W-RESOURCE-MISMATCH", "15:17") not in _seed("3", "sar-strict")


RESTORE = "dynamodb:RestoreTableFromBackup"


def _restore_mismatch(resource: object, mode: str, effect: str = "Allow") -> list[dict[str, str]]:
    found = _findings({"Effect": effect, "Action": RESTORE, "Resource": resource}, mode=mode)
    return [{**dict(d.data), "message": d.message} for d in found if d.code == "W-RESOURCE-MISMATCH"]


def test_restore_from_backup_only_on_table_arns_grants_nothing_in_docs_mode() -> None:
    [only_tables] = _restore_mismatch([T, T + "2"], "docs")
    assert only_tables["kind"] == "wrong-resource-type"
    assert only_tables["mode"] == "docs"
    assert only_tables["message"] == (
        "dynamodb:RestoreTableFromBackup is checked only on backup ARNs in docs mode (a restore's target "
        "table needs only the data-plane writes), but this statement lists only table ARNs; it grants "
        "nothing for dynamodb:RestoreTableFromBackup in docs mode. Under sar-strict it would be the "
        "target-table half of a restore, still needing dynamodb:RestoreTableFromBackup on the backup"
    )
    [with_index] = _restore_mismatch([T, T + "/index/byDate"], "docs")
    assert with_index["resource_types"] == "index, table"
    [deny] = _restore_mismatch(T, "docs", "Deny")
    assert "it never denies anything for dynamodb:RestoreTableFromBackup in docs mode" in deny["message"]
    assert "it would deny restores into these tables" in deny["message"]


def test_restore_from_backup_on_table_arns_is_the_target_half_under_sar_strict() -> None:
    assert _restore_mismatch(T, "sar-strict") == []
    assert _restore_mismatch([T, T + "/index/byDate"], "sar-strict") == []
    assert _restore_mismatch(T, "sar-strict", "Deny") == []


@pytest.mark.parametrize("mode", ["docs", "sar-strict"])
def test_restore_from_backup_on_a_backup_or_an_unknown_type_is_no_mismatch(mode: str) -> None:
    assert _restore_mismatch(B, mode) == []
    assert _restore_mismatch([T, B], mode) == []
    assert _restore_mismatch("arn:aws:dynamodb:*:*:table/Mus*", mode) == []


@pytest.mark.parametrize("mode", ["docs", "sar-strict"])
def test_restore_from_backup_only_on_an_index_grants_nothing_in_either_mode(mode: str) -> None:
    [f] = _restore_mismatch(T + "/index/byDate", mode)
    assert f["message"].startswith("dynamodb:RestoreTableFromBackup applies to backup/table ARNs")
    assert "mode" not in f


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

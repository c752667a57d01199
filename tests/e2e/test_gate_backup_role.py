"""Built-in IAM2REGO-BACKUP-ROLE (issue 10 item 5): the real terraform plan tests/terraform/backup-role
(scripts/gen-fixtures.sh) has four aws_backup_selection resources. For each selected DynamoDB table the
analysis answers, for the ROLE the selection names (not a caller), the requests AWS Backup makes with it
(advanced DynamoDB backup, AWS's default: dynamodb:StartAwsBackupJob and dynamodb:ListTagsOfResource on
the table, SEMANTICS §3.3): denied -> deny, conditional -> warn naming the condition, a role outside the
plan -> unverifiable warning. The role with AWSBackupServiceRolePolicyForBackup passes. Same findings on
opa, the embedded engine and conftest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "backup-role"
PLAN = json.loads((CASE / "plan.json").read_text(encoding="utf-8"))
CODE = "IAM2REGO-BACKUP-ROLE"
WHEN = "allowed when aws:CurrentTime is before 2027-01-01T00:00:00Z"
# (selection, role address, table) -> (answer, severity, condition, sid of the deciding statement)
EXPECTED = {
    ("aws_backup_selection.weak", "aws_iam_role.backup_weak", "ledger"): ("denied", "deny", None, None),
    ("aws_backup_selection.tagged", "aws_iam_role.backup_office_hours", "orders"): (
        "conditional",
        "warn",
        f"{WHEN}; {WHEN}",
        "AdvancedBackupsUntil2027",
    ),
    ("aws_backup_selection.tagged", "aws_iam_role.backup_office_hours", "ledger"): (
        "conditional",
        "warn",
        f"{WHEN}; {WHEN}",
        "AdvancedBackupsUntil2027",
    ),
    ("aws_backup_selection.external", None, "orders"): ("unverifiable", "warn", None, None),
}


def _rows(findings: list[dict]) -> dict[tuple, tuple]:
    return {
        (f["selection"], (f["principal"] or {}).get("address"), f["table"]): (
            f["answer"],
            f["severity"],
            f["condition"],
            (f["statement"] or {}).get("sid"),
        )
        for f in findings
        if f["code"] == CODE
    }


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
def test_each_selection_role_is_asked_what_aws_backup_needs(engine: str) -> None:
    report = evaluate(PLAN, {}, engine)
    assert _rows(report["deny"] + report["warn"]) == EXPECTED
    assert {f["code"] for f in report["deny"]} == {CODE}  # nothing else in this plan fails


@pytest.mark.opa
def test_backup_role_findings_name_the_role_and_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["gate", str(CASE / "plan.json"), "--engine", "opa", "--source-dir", str(CASE)])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        "error[IAM2REGO-BACKUP-ROLE]: role aws_iam_role.backup_weak "
        "(arn:aws:iam::123456789012:role/backup-weak): the role of AWS Backup selection aws_backup_selection.weak "
        "is denied dynamodb:StartAwsBackupJob, dynamodb:ListTagsOfResource on table ledger in every request "
        "context: AWS Backup cannot back it up"
    ) in out
    assert (
        "warning[IAM2REGO-BACKUP-ROLE]: AWS Backup selection aws_backup_selection.external backs up table orders with a "
        "role that cannot be verified: role arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole "
        "is not managed by this plan"
    ) in out
    assert "aws_iam_role.backup_ok" not in out


@pytest.mark.opa
def test_unverifiable_role_is_never_a_silent_pass_even_when_lowered() -> None:
    config = {"iam2rego_gate": {"builtin": {CODE: {"severity": "deny"}}}}
    report = evaluate(PLAN, config, "opa")
    assert ("aws_backup_selection.external", None, "orders") in _rows(report["deny"])


@pytest.mark.conftest
def test_conftest_reports_the_same_findings(conftest_bin: str, tmp_path: Path) -> None:
    returncode, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json")
    assert returncode == 1
    found = [f["metadata"] for f in (result.get("failures") or []) + (result.get("warnings") or [])]
    assert _rows(found) == EXPECTED

"""Built-in IAM2REGO-RESTORE-WRITES-BLOCKED (issue 10 item 5): a Deny on aws:SourceIp / aws:SourceVpce
without an aws:ViaAWSService exception denies the writes DynamoDB makes for a restore (SEMANTICS §3.2:
service-made sub-requests carry aws:ViaAWSService=true and no network keys), although the caller may
start the restore; AWS cancels such a restore. The analysis answers it per check: the restore's [svc]
checks are denied while the caller's checks are not. The finding names the principal, the target table
and the blocking Deny with its condition, on opa, the embedded engine and conftest.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CLEAN = json.loads((ROOT / "tests" / "terraform" / "clean" / "plan.json").read_text(encoding="utf-8"))
AUDITOR = "aws_iam_user_policy.auditor"
CODE = "IAM2REGO-RESTORE-WRITES-BLOCKED"
TARGET = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders-restored"
GRANTS = [
    {"Sid": "Restore", "Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": "*"},
    {
        "Sid": "Writes",
        "Effect": "Allow",
        "Action": [
            "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
            "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
        ],
        "Resource": "arn:aws:dynamodb:*:*:table/*",
    },
]  # fmt: skip
NOT_CORP = {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
DENIES = {
    "source-ip": NOT_CORP,
    "source-vpce": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
}


def _plan(condition: dict) -> dict:
    deny = {"Sid": "CorpOnly", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
    plan = copy.deepcopy(CLEAN)
    [rc] = [rc for rc in plan["resource_changes"] if rc["address"] == AUDITOR]
    rc["change"]["after"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [*GRANTS, deny]})
    return plan


def _blocked(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["code"] == CODE]


ENGINES = [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(DENIES))
def test_network_deny_blocks_the_service_writes_of_a_restore(name: str, engine: str) -> None:
    [f] = _blocked(evaluate(_plan(DENIES[name]), {}, engine)["deny"])
    assert f["principal"]["address"] == "aws_iam_user.auditor"
    assert (f["table"], f["target_table"], f["resource"]) == ("Orders", TARGET, TARGET)
    assert f["statement"] == {"policy": AUDITOR, "sid": "CorpOnly", "statement_index": 2, "effect": "Deny"}
    assert f["check"]["kind"] == "svc" and f["check"]["principal"] == "caller"
    assert f["check"]["answer"] == "denied"
    assert f"meet a Deny with Condition {json.dumps(DENIES[name], separators=(',', ':'))}" in f["detail"]


@pytest.mark.parametrize("engine", ENGINES)
def test_via_aws_service_exception_lets_the_restore_write(engine: str) -> None:
    exempt = {**NOT_CORP, "Bool": {"aws:ViaAWSService": "false"}}
    assert _blocked(evaluate(_plan(exempt), {}, engine)["deny"]) == []


@pytest.mark.opa
def test_severity_setting_lowers_it_to_a_warning() -> None:
    config = {"iam2rego_gate": {"builtin": {CODE: {"severity": "warn"}}}}
    report = evaluate(_plan(NOT_CORP), config, "opa")
    assert _blocked(report["deny"]) == []
    assert len(_blocked(report["warn"])) == 1


@pytest.mark.opa
def test_cli_gate_names_principal_target_and_deny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan(NOT_CORP)), encoding="utf-8")
    rc = main(["gate", str(path), "--engine", "opa"])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        f"error[{CODE}]: user aws_iam_user.auditor (arn:aws:iam::123456789012:user/auditor): restore_table_from_backup "
        f"of table Orders to {TARGET} is allowed for the caller, but DynamoDB's writes to the restored table are "
        "denied: dynamodb:BatchWriteItem, dynamodb:DeleteItem, dynamodb:GetItem, dynamodb:PutItem, "
        "dynamodb:Query, dynamodb:Scan, dynamodb:UpdateItem made by the service (aws:ViaAWSService=true; "
        "aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp absent) meet a Deny with Condition "
        '{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}; AWS cancels the restore'
    ) in out


@pytest.mark.conftest
def test_conftest_reports_the_same_finding(conftest_bin: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(NOT_CORP)), encoding="utf-8")
    returncode, result = run_pack(conftest_bin, tmp_path, plan)
    assert returncode == 1
    [f] = _blocked([x["metadata"] for x in result["failures"]])
    assert (f["principal"]["address"], f["target_table"], f["statement"]["sid"]) == (
        "aws_iam_user.auditor",
        TARGET,
        "CorpOnly",
    )

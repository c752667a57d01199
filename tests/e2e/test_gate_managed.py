"""Every AWS managed policy (issue 20 item 5): the real terraform plan tests/terraform/managed attaches
ReadOnlyAccess, AmazonDynamoDBReadOnlyAccess, AmazonDynamoDBFullAccess, job-function/DatabaseAdministrator,
PowerUserAccess and the two AWS Backup service-role policies, one a role, with a guardrail each
(gate.yaml). Only five AWS managed policies were known: the others were IAM2REGO-UNKNOWN-MANAGED-POLICY
(deny by default), so the plan could not merge, or passed with `unverifiable: warn` although three
roles may turn off point-in-time recovery and the AWS Backup role may delete backups. The documents
come from the pinned dataset (rego/iam2rego/gate/managed/managed.rego, SEMANTICS §13.5).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.plan import load_config

from tests.pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "managed"
PLAN = json.loads((CASE / "plan.json").read_text(encoding="utf-8"))
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders"
BACKUP = f"{TABLE}/backup/01700000000000-0a1b2c3d"
G = "IAM2REGO-GUARDRAIL"
POLICY = "arn:aws:iam::aws:policy/"

# (code, guardrail, principal, answer, resource, the policy that decides)
EXPECTED_DENY = {
    (
        G,
        "no-pitr-changes",
        "aws_iam_role.dynamo_admin",
        "allowed",
        TABLE,
        POLICY + "AmazonDynamoDBFullAccess",
    ),
    (
        G,
        "no-pitr-changes",
        "aws_iam_role.dba",
        "allowed",
        TABLE,
        POLICY + "job-function/DatabaseAdministrator",
    ),
    (G, "no-pitr-changes", "aws_iam_role.power", "allowed", TABLE, POLICY + "PowerUserAccess"),
    (
        G,
        "aws-backup-cannot-delete-backups",
        "aws_iam_role.aws_backup",
        "allowed",
        BACKUP,
        POLICY + "service-role/AWSBackupServiceRolePolicyForBackup",
    ),
    # dynamodb:* / NotAction on "*": every backup action on every backup (a built-in, not a guardrail)
    (
        "W-BROAD-ALLOW",
        "W-BROAD-ALLOW",
        "aws_iam_role.dynamo_admin",
        None,
        "*",
        POLICY + "AmazonDynamoDBFullAccess",
    ),
    (
        "W-BROAD-ALLOW",
        "W-BROAD-ALLOW",
        "aws_iam_role.dba",
        None,
        "*",
        POLICY + "job-function/DatabaseAdministrator",
    ),
    ("W-BROAD-ALLOW", "W-BROAD-ALLOW", "aws_iam_role.power", None, "*", POLICY + "PowerUserAccess"),
}


def _config() -> dict:
    data, diags = load_config(str(CASE / "gate.yaml"))
    assert data is not None, diags
    return data


def _rows(findings: list[dict]) -> set[tuple]:
    return {
        (
            f["code"],
            f["guardrail"],
            f["principal"]["address"],
            f.get("answer"),
            f["resource"],
            f["statement"]["policy"].split(" via ")[0],
        )
        for f in findings
    }


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("opa", id="opa", marks=pytest.mark.opa),
        pytest.param("wasm", id="wasm", marks=pytest.mark.opa),
    ],
)
def test_every_managed_policy_is_decided_by_its_document(engine: str) -> None:
    report = evaluate(PLAN, _config(), engine)
    assert _rows(report["deny"]) == EXPECTED_DENY
    assert report["warn"] == []
    assert "IAM2REGO-UNKNOWN-MANAGED-POLICY" not in {f["code"] for f in report["deny"]}


@pytest.mark.conftest
def test_conftest_pack_decides_the_same(conftest_bin: str, tmp_path: Path) -> None:
    rc, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json", data=CASE / "gate.yaml")
    assert rc == 1
    assert _rows([f["metadata"] for f in result["failures"]]) == EXPECTED_DENY
    assert result.get("warnings", []) == []


@pytest.mark.opa
def test_access_matrix_gives_the_same_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "access.json"
    argv = ["access", str(CASE / "plan.json"), "--engine", "opa", "--format", "json", "--json", str(out)]
    argv += ["--operation", "update_continuous_backups", "--operation", "delete_backup"]
    argv += ["--operation", "describe_backup"]
    assert main(argv) == 0
    capsys.readouterr()
    cells = {(c["principal"], c["column"]): c["answer"] for c in json.loads(out.read_text())["cells"]}
    assert {p for p, col in cells if col == "update_continuous_backups" and cells[p, col] == "allowed"} == {
        "role/dynamo-admin",
        "role/dba",
        "role/power",
    }
    assert cells["role/dynamo-reader", "update_continuous_backups"] == "denied"
    assert cells["role/auditor", "delete_backup"] == "denied"
    assert cells["role/auditor", "describe_backup"] == "allowed"
    assert cells["role/aws-backup", "delete_backup"] == "allowed"
    assert "unverifiable" not in set(cells.values())


@pytest.mark.opa
def test_unverifiable_warn_no_longer_hides_the_violations(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["gate", str(CASE / "plan.json"), "--guardrails", str(CASE / "gate.yaml"), "--engine", "opa"]
    assert main([*argv, "--unverifiable", "warn"]) == 1
    out = capsys.readouterr().out
    assert "UNKNOWN-MANAGED-POLICY" not in out
    assert "[no-pitr-changes] role aws_iam_role.power" in out


OUTSIDE = {
    "iam2rego_gate": {
        "guardrails": [
            {
                "id": "no-ec2",
                "kind": "forbid",
                "action": "ec2:RunInstances",
                "principals": {"names": ["power"]},
            },
            {
                "id": "nna",
                "kind": "no-new-access",
                "actions": ["dynamodb:DeleteBackup", "rds:DeleteDBSnapshot"],
            },
        ]
    }
}


def _outside_problems(findings: list[dict]) -> set[tuple]:
    return {
        (f["code"], f["detail"].split(":", 1)[0]) for f in findings if f["code"] == "IAM2REGO-CONFIG-INVALID"
    }


@pytest.mark.opa
def test_an_action_outside_the_modelled_services_is_a_config_problem() -> None:
    """The table keeps only the catalog's services: `ec2:RunInstances` is never answered "denied"."""
    report = evaluate(PLAN, OUTSIDE, "opa")
    assert _outside_problems(report["deny"]) == {
        ("IAM2REGO-CONFIG-INVALID", "guardrail #0"),
        ("IAM2REGO-CONFIG-INVALID", "guardrail #1"),
    }
    assert not [f for f in report["deny"] if f["code"] == G]


@pytest.mark.conftest
def test_conftest_reports_the_action_outside_the_modelled_services(conftest_bin: str, tmp_path: Path) -> None:
    data = tmp_path / "gate.json"
    data.write_text(json.dumps(OUTSIDE), encoding="utf-8")
    rc, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json", data=data)
    assert rc == 1
    assert _outside_problems([f["metadata"] for f in result["failures"]]) == {
        ("IAM2REGO-CONFIG-INVALID", "guardrail #0"),
        ("IAM2REGO-CONFIG-INVALID", "guardrail #1"),
    }


@pytest.mark.opa
def test_access_refuses_an_action_outside_the_modelled_services(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["access", str(CASE / "plan.json"), "--engine", "opa", "--action", "ec2:RunInstances"]) == 2
    assert "'ec2:RunInstances': iam2rego decides only actions of backup" in capsys.readouterr().err

"""The AWS Backup plane in the gate (issue 21, SEMANTICS §14) on the real terraform plan
tests/terraform/vaults (scripts/gen-fixtures.sh): `delete_any_backup` asks both planes for each prod
table — its DynamoDB backups, and its recovery points (deleted, or retention shortened) in every vault
its backup plans send it to, copies included. The prod vault's access policy leaves deletion to the
keeper; the archive vault's compliance lock is in its grace time (the plan creates it), so whoever may
remove it can still delete, until the guardrail file says the lock is past its grace time; the open
vault protects nothing. Same findings on opa, wasm and under plain conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate, gate_config
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "vaults"
PLAN = __import__("json").loads((CASE / "plan.json").read_text(encoding="utf-8"))
JANITOR = "aws_iam_role.janitor"

# (principal, table, sub-operation, vault name or None) of every finding the guardrail makes
EXPECTED = {
    (JANITOR, "prod-orders", "delete_backup", None),
    (JANITOR, "prod-users", "delete_backup", None),
    (JANITOR, "prod-orders", "delete_recovery_point", "archive"),
    (JANITOR, "prod-orders", "update_recovery_point_lifecycle", "archive"),
    (JANITOR, "prod-users", "delete_recovery_point", "open"),
    (JANITOR, "prod-users", "update_recovery_point_lifecycle", "open"),
}
LOCKED = {row for row in EXPECTED if row[3] != "archive"}


def _rows(findings: list[dict]) -> set[tuple]:
    out = set()
    for f in findings:
        if f["code"] != "IAM2REGO-GUARDRAIL":
            continue
        sub = f["detail"].split("delete_any_backup (", 1)[1].split(")", 1)[0]
        vault = f["vault"].rsplit(":", 1)[1] if f["vault"] else None
        principal = f["principal"]["address"] if isinstance(f["principal"], dict) else f["principal"]
        out.add((principal, f["table"], sub, vault))
    return out


def _config(locked: bool) -> dict:
    data, problems = gate_config(str(CASE / "gate.yaml"))
    assert data is not None, problems
    if locked:
        data["iam2rego_gate"]["vaults"] = {"archive": {"lock": {"mode": "compliance", "locked": True}}}
    return data


ENGINES = [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)]


@pytest.mark.parametrize("engine", ENGINES)
def test_delete_any_backup_asks_both_planes_and_every_vault(engine: str) -> None:
    report = evaluate(PLAN, _config(False), engine)
    assert _rows(report["deny"]) == EXPECTED
    planes = {f["plane"] for f in report["deny"] if f["code"] == "IAM2REGO-GUARDRAIL"}
    assert planes == {"dynamodb", "aws_backup"}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_compliance_lock_past_its_grace_time_protects_the_archive(engine: str) -> None:
    report = evaluate(PLAN, _config(True), engine)
    assert _rows(report["deny"]) == LOCKED


@pytest.mark.opa
def test_the_text_report_names_the_plane_and_the_vault(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["gate", str(CASE / "plan.json"), "--engine", "opa", "--guardrails", str(CASE / "gate.yaml")])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        "is allowed delete_any_backup (delete_recovery_point) on table prod-users (recovery points in vault "
        "open) in every request context"
    ) in out
    assert (
        "on table prod-orders (recovery points in vault prod)" not in out
    )  # its policy leaves it to the keeper


@pytest.mark.conftest
def test_conftest_reports_the_same_findings(conftest_bin: str, tmp_path: Path) -> None:
    data = tmp_path / "gate.yaml"
    data.write_text(yaml.safe_dump(_config(True)))
    returncode, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json", data=data)
    assert returncode == 1
    found = [f["metadata"] for f in result.get("failures") or []]
    assert _rows(found) == LOCKED


def _builtins(report: dict) -> set[tuple]:
    out = set()
    for f in report["deny"] + report["warn"]:
        if f["code"] in (
            "IAM2REGO-VAULT-UNLOCKED",
            "IAM2REGO-VAULT-POLICY-OPEN",
            "IAM2REGO-PUBLIC-RESOURCE-POLICY",
        ):
            out.add((f["code"], f["severity"], f["resource"].split(":", 5)[5]))
    return out


BUILTINS = {
    ("IAM2REGO-VAULT-UNLOCKED", "warn", "backup-vault:prod"),
    ("IAM2REGO-VAULT-UNLOCKED", "warn", "backup-vault:archive"),
    ("IAM2REGO-VAULT-UNLOCKED", "warn", "backup-vault:open"),
    # the open vault's policy lets the janitor delete; the prod vault's Deny-only policy opens nothing
    ("IAM2REGO-VAULT-POLICY-OPEN", "deny", "backup-vault:open"),
    # Principal "*" on prod-users; dev-orders' policy is tied to the organisation (aws:PrincipalOrgID)
    ("IAM2REGO-PUBLIC-RESOURCE-POLICY", "deny", "table/prod-users"),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_vault_and_public_policy_builtins(engine: str) -> None:
    report = evaluate(PLAN, _config(False), engine)
    assert _builtins(report) == BUILTINS
    # a compliance lock past its grace time (the guardrail file says so) is no longer "unlocked"
    locked = evaluate(PLAN, _config(True), engine)
    assert _builtins(locked) == BUILTINS - {("IAM2REGO-VAULT-UNLOCKED", "warn", "backup-vault:archive")}


@pytest.mark.conftest
def test_conftest_reports_the_same_builtins(conftest_bin: str, tmp_path: Path) -> None:
    data = tmp_path / "gate.yaml"
    data.write_text(yaml.safe_dump(_config(False)))
    _, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json", data=data)
    found = [f["metadata"] for f in (result.get("failures") or []) + (result.get("warnings") or [])]
    assert _builtins({"deny": found, "warn": []}) == BUILTINS

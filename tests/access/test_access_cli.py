"""`iam2rego access` as users run it: a GAAD snapshot, policy files, real Terraform plans and their delta."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from iam2rego.cli import main

pytestmark = pytest.mark.opa

ROOT = Path(__file__).resolve().parents[2]
GAAD = ROOT / "tests" / "access" / "gaad"
TF = ROOT / "tests" / "terraform"
SCHEMA = json.loads((ROOT / "docs" / "access.schema.json").read_text())
PROD_USERS = "arn:aws:dynamodb:us-east-1:111122223333:table/prod-users"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["access", "--engine", "opa", "--no-progress", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def gaad_report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("gaad") / "report.json"
    code = main(
        [
            "access",
            "--engine",
            "opa",
            "--no-progress",
            str(GAAD / "gaad.json"),
            "--tables-file",
            str(GAAD / "tables.txt"),
            "--resource-policy",
            f"{PROD_USERS}={GAAD / 'prod-users.resource-policy.json'}",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    return json.loads(out.read_text())


def _cell(doc: dict, principal: str, table: str, column: str) -> dict:
    [cell] = [
        c for c in doc["cells"] if (c["principal"], c["table"], c["column"]) == (principal, table, column)
    ]
    return cell


def test_gaad_report_is_valid_against_the_published_schema(gaad_report: dict) -> None:
    jsonschema.validate(gaad_report, SCHEMA)
    assert len(gaad_report["cells"]) == 6 * 3 * 16


def test_boundary_deny_decides_backup_operator_delete_on_production(gaad_report: dict) -> None:
    cell = _cell(gaad_report, "role/backup-operator", "prod-orders", "delete_backup")
    assert cell["answer"] == "denied" and cell["decision"] == "explicit_deny"
    [reason] = cell["reasons"]
    assert (reason["sid"], reason["level"], reason["statement_index"]) == (
        "NoProdBackupDeletion",
        "boundary",
        1,
    )
    doc = gaad_report["documents"][reason["document"]]
    # the URL-encoded managed policy is shown decoded; the line points at the statement
    assert '"Sid": "NoProdBackupDeletion"' in doc["text"].splitlines()[reason["line"]]
    # the same role may delete dev backups (the boundary denies prod-* only)
    assert _cell(gaad_report, "role/backup-operator", "dev-orders", "delete_backup")["answer"] == "allowed"


def test_restore_needs_the_target_writes_granted_for_orders_only(gaad_report: dict) -> None:
    assert (
        _cell(gaad_report, "role/backup-operator", "prod-orders", "restore_table_from_backup")["answer"]
        == "allowed"
    )
    users = _cell(gaad_report, "role/backup-operator", "prod-users", "restore_table_from_backup")
    assert users["answer"] == "denied"
    assert any("dynamodb:restoretablefrombackup" in f for f in users["failing"])


def test_table_resource_policy_grants_create_backup_to_app_reader(gaad_report: dict) -> None:
    cell = _cell(gaad_report, "role/app-reader", "prod-users", "create_backup")
    assert cell["answer"] == "allowed"
    assert [r["level"] for r in cell["reasons"]] == ["rbp"]
    assert _cell(gaad_report, "role/app-reader", "prod-orders", "create_backup")["answer"] == "denied"


def test_group_policies_reach_their_users(gaad_report: dict) -> None:
    cell = _cell(gaad_report, "user/alice", "dev-orders", "dynamodb:ExportTableToPointInTime")
    assert cell["answer"] == "allowed"
    assert cell["reasons"][0]["origin"].endswith("group dba inline policy ExportDev")


def test_summary_names_who_can_delete_production_backups(gaad_report: dict) -> None:
    who = {w["principal"]: w for w in gaad_report["summary"]["who"]["delete"]}
    assert who["role/break-glass"]["allowed"] == ["prod-orders", "prod-users"]
    if gaad_report["analysis"] == "open":  # alice may delete with MFA
        assert set(who) == {"role/break-glass", "user/alice"}
        assert who["user/alice"]["conditional"] == ["prod-orders", "prod-users"]
    else:  # the probe decides the context the principal fixes: no MFA key, the Deny applies
        assert set(who) == {"role/break-glass"}


def test_mfa_guarded_deletion_is_conditional_with_its_condition(gaad_report: dict) -> None:
    cell = _cell(gaad_report, "user/alice", "prod-orders", "delete_backup")
    sids = {(r["sid"], r["effect"]) for r in cell["reasons"]}
    if gaad_report["analysis"] == "open":
        assert cell["answer"] == "conditional"
        assert cell["condition"] == "when aws:MultiFactorAuthPresent is true"
        assert sids == {("DeleteBackups", "Allow"), ("OnlyWithMfa", "Deny")}
    else:
        assert (cell["answer"], cell["decision"]) == ("denied", "explicit_deny")
        assert sids == {("OnlyWithMfa", "Deny")}


def test_csv_markdown_html_are_written_together(tmp_path: Path, capsys) -> None:
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("csv", "markdown", "html")}
    code, out, _ = _run(
        capsys,
        str(GAAD / "gaad.json"),
        "--tables-file",
        str(GAAD / "tables.txt"),
        *[a for fmt, p in files.items() for a in (f"--{fmt}", str(p))],
    )
    assert code == 0 and "who can touch production backups" in out
    rows = files["csv"].read_text().splitlines()
    assert rows[0].startswith("principal,table,column,answer")
    assert len(rows) == 1 + 6 * 3 * 16
    assert "| delete production backups | <code>role/break-glass</code> |" in files["markdown"].read_text()
    page = files["html"].read_text()
    assert 'id="report-data"' in page and "http://" not in page.split("<body>")[1].replace(
        "http://www.w3.org", ""
    )


def test_policy_files_per_principal(capsys) -> None:
    seed = ROOT / "scenarios" / "seed" / "policies"
    code, out, _ = _run(
        capsys,
        f"operator={seed / 'example5-allow-restore-describe-deny-delete.json'}",
        "--table",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Music",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert [p["id"] for p in doc["principals"]] == ["policies/operator"]


def test_bad_input_is_located_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "gaad.json"
    bad.write_text('{"RoleDetailList": [\n  {"RoleName": "x",}\n]}\n')
    out = tmp_path / "out.json"
    code, _, err = _run(capsys, str(bad), "--table", PROD_USERS, "--json", str(out))
    assert code == 2
    assert f"{bad}:2:" in err
    assert not out.exists()


def test_gaad_document_iam_rejects_makes_the_principal_unknown_not_denied(tmp_path: Path, capsys) -> None:
    doc = json.loads((GAAD / "gaad.json").read_text())
    role = next(r for r in doc["RoleDetailList"] if r["RoleName"] == "app-reader")
    role["RolePolicyList"][0]["PolicyDocument"] = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    snap = tmp_path / "gaad.json"
    snap.write_text(json.dumps(doc))
    code, out, _ = _run(
        capsys, str(snap), "--table", PROD_USERS, "--principal", "role/app-reader", "--format", "json"
    )
    assert code == 0
    cells = json.loads(out)["cells"]
    assert {c["answer"] for c in cells} == {"unknown"}
    assert "V-DUP" in cells[0]["problems"][0]


def test_diff_of_a_plan_fails_on_a_new_principal_deleting_production_backups(tmp_path: Path, capsys) -> None:
    out = tmp_path / "delta.json"
    code, text, _ = _run(
        capsys, "--diff", "--fail-on-gain", str(TF / "access-gain" / "plan.json"), "--json", str(out)
    )
    assert code == 1
    delta = json.loads(out.read_text())
    jsonschema.validate(delta, SCHEMA)
    gained = {(c["principal"], c["table"], c["column"]) for c in delta["changes"] if c["gain"]}
    assert ("role/ci-deployer", "prod-orders", "delete_backup") in gained
    assert "gained             role/ci-deployer delete_backup on prod-orders [production]" in text
    assert "aws_iam_role_policy.ci_deployer statement 0 (Sid CleanupBackups), line 3 of the policy" in text


def test_diff_of_a_plan_that_only_narrows_passes(capsys) -> None:
    code, text, _ = _run(
        capsys, "--diff", "--fail-on-gain", str(TF / "access-narrow" / "plan.json"), "--format", "json"
    )
    assert code == 0
    delta = json.loads(text)
    assert delta["gains"] == 0
    assert {(c["principal"], c["column"], c["change"]) for c in delta["changes"]} == {
        ("role/backup-operator", "delete_backup", "lost"),
        ("role/backup-operator", "dynamodb:DeleteBackup", "lost"),
    }


def test_diff_of_two_reports(tmp_path: Path, capsys) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    for path, plan in ((before, "access-narrow"), (after, "access-gain")):
        code, _, _ = _run(capsys, str(TF / plan / "plan.json"), "--json", str(path))
        assert code == 0
    code, text, _ = _run(capsys, "--diff", str(before), str(after), "--format", "json")
    assert code == 0
    changes = {(c["principal"], c["column"], c["change"]) for c in json.loads(text)["changes"]}
    assert ("role/backup-operator", "delete_backup", "gained") in changes
    assert ("role/ci-deployer", "delete_backup", "gained") in changes


def test_an_scp_export_denies_deletion_to_everyone_but_break_glass(capsys) -> None:
    code, out, _ = _run(
        capsys,
        str(GAAD / "gaad.json"),
        "--tables-file",
        str(GAAD / "tables.txt"),
        "--scp",
        str(GAAD / "scp-only-break-glass-deletes.json"),
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    cell = _cell(doc, "role/backup-operator", "dev-orders", "delete_backup")
    assert cell["answer"] == "denied"
    [reason] = cell["reasons"]
    assert (reason["level"], reason["sid"], reason["effect"]) == (
        "scp0",
        "OnlyBreakGlassDeletesBackups",
        "Deny",
    )
    assert _cell(doc, "role/break-glass", "prod-orders", "delete_backup")["answer"] == "allowed"
    # alice's MFA path is closed too: the SCP denies her whatever the context
    assert _cell(doc, "user/alice", "prod-orders", "delete_backup")["answer"] == "denied"

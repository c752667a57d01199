"""The gate's `no-new-access` guardrail on real terraform plans (tests/terraform/access-*)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from iam2rego.cli import main
from iam2rego.terraform import gate
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "tests" / "terraform"


def _gate(capsys, case: str, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "gate",
            "--engine",
            "opa",
            str(TF / case / "plan.json"),
            "--guardrails",
            str(TF / case / "gate.yaml"),
            "--format",
            "json",
            *extra,
        ]
    )
    out, _ = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}


@pytest.mark.opa
def test_new_principal_deleting_production_backups_fails_the_gate(capsys) -> None:
    code, report = _gate(capsys, "access-gain")
    assert code == 1
    found = {(f["code"], f["guardrail"], f["principal"]["address"], f["detail"]) for f in report["deny"]}
    assert found == {
        (
            "IAM2REGO-NEW-ACCESS",
            "no-new-backup-deleters",
            "aws_iam_role.ci_deployer",
            "gains delete_backup on table prod-orders (denied -> allowed)",
        ),
        (
            "IAM2REGO-NEW-ACCESS",
            "no-new-backup-deleters",
            "aws_iam_role.ci_deployer",
            "gains dynamodb:DeleteBackup on table prod-orders (denied -> allowed)",
        ),
    }
    [statement] = {json.dumps(f["statement"], sort_keys=True) for f in report["deny"]}
    assert json.loads(statement) == {
        "policy": "aws_iam_role_policy.ci_deployer",
        "sid": "CleanupBackups",
        "statement_index": 0,
        "effect": "Allow",
    }


@pytest.mark.opa
def test_a_plan_that_only_narrows_access_passes(capsys) -> None:
    code, report = _gate(capsys, "access-narrow")
    assert code == 0
    assert report["deny"] == []


@pytest.mark.opa
def test_tables_outside_the_guardrail_do_not_fail_it(tmp_path: Path, capsys) -> None:
    cfg = yaml.safe_load((TF / "access-gain" / "gate.yaml").read_text())
    cfg["iam2rego_gate"]["guardrails"][0]["resources"] = {"tables": ["staging-*"]}
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    code = main(["gate", "--engine", "opa", str(TF / "access-gain" / "plan.json"), "--guardrails", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0, out


@pytest.mark.opa
def test_the_pack_alone_fails_closed_on_no_new_access() -> None:
    plan = json.loads((TF / "access-narrow" / "plan.json").read_text())
    data = yaml.safe_load((TF / "access-narrow" / "gate.yaml").read_text())
    report = gate.evaluate(plan, data, "opa")
    [finding] = [f for f in report["deny"] if f["guardrail"] == "no-new-backup-deleters"]
    assert "need `iam2rego gate`" in finding["detail"]


@pytest.mark.conftest
def test_conftest_fails_closed_on_no_new_access(conftest_bin: str, tmp_path: Path) -> None:
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    proc = subprocess.run(
        [
            conftest_bin,
            "test",
            "--no-color",
            "--namespace",
            NAMESPACE,
            "-p",
            str(pack),
            "-o",
            "json",
            "--data",
            str(TF / "access-narrow" / "gate.yaml"),
            str(TF / "access-narrow" / "plan.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    [result] = json.loads(proc.stdout)
    assert any("no-new-access guardrails need `iam2rego gate`" in f["msg"] for f in result["failures"])

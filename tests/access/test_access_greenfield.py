"""A plan that only creates resources (issue 20 item 7): tests/terraform/greenfield has no prior state.

The prior world of a created resource is "nothing", so every grant of the plan is new. `iam2rego
access --diff PLAN` and the gate's `no-new-access` guardrail stopped with "no tables" (exit 2) on the
most common pull request of all, a new stack.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main

from tests.pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "greenfield"
PLAN = CASE / "plan.json"


def test_the_fixture_creates_everything() -> None:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    assert not (CASE / "prior.tfstate").exists()
    assert {tuple(rc["change"]["actions"]) for rc in plan["resource_changes"]} == {("create",)}


@pytest.mark.opa
def test_access_diff_lists_every_grant_as_a_gain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "diff.json"
    argv = ["access", "--diff", str(PLAN), "--engine", "opa", "--format", "json", "--json", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    doc = json.loads(out.read_text(encoding="utf-8"))
    got = {
        (c["principal"], c["table"], c["column"], c["before"], c["after"], c["gain"]) for c in doc["changes"]
    }
    assert got == {
        ("role/backup-admin", "prod-orders", "delete_backup", "denied", "allowed", True),
        ("role/backup-admin", "prod-orders", "describe_backup", "denied", "allowed", True),
        ("role/backup-admin", "prod-orders", "dynamodb:DeleteBackup", "denied", "allowed", True),
        ("role/reader", "prod-orders", "describe_backup", "denied", "allowed", True),
    }
    assert doc["gains"] == 4


@pytest.mark.opa
def test_access_diff_fail_on_gain_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["access", "--diff", str(PLAN), "--engine", "opa", "--fail-on-gain"]) == 1
    out, err = capsys.readouterr()
    assert "no tables" not in err
    assert out.startswith("iam2rego access --diff: 4 cell(s) changed, 4 gain(s)")


@pytest.mark.parametrize(
    "engine",
    [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)],
)
def test_no_new_access_fails_for_the_new_deleter(engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "gate",
        "--engine",
        engine,
        str(PLAN),
        "--guardrails",
        str(CASE / "gate.yaml"),
        "--format",
        "json",
    ]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "no tables" not in err
    report = json.loads(out)
    found = {(f["code"], f["guardrail"], f["principal"]["address"], f["detail"]) for f in report["deny"]}
    assert found == {
        (
            "IAM2REGO-NEW-ACCESS",
            "no-new-backup-deleters",
            "aws_iam_role.backup_admin",
            "gains delete_backup on table prod-orders (denied -> allowed)",
        ),
        (
            "IAM2REGO-NEW-ACCESS",
            "no-new-backup-deleters",
            "aws_iam_role.backup_admin",
            "gains dynamodb:DeleteBackup on table prod-orders (denied -> allowed)",
        ),
    }


@pytest.mark.conftest
def test_plain_conftest_fails_closed(conftest_bin: str, tmp_path: Path) -> None:
    """The pack alone cannot compare the prior state: a denial saying it needs `iam2rego gate`."""
    rc, result = run_pack(conftest_bin, tmp_path, PLAN, data=CASE / "gate.yaml")
    assert rc == 1
    assert {(f["metadata"]["code"], f["metadata"]["guardrail"]) for f in result["failures"]} == {
        ("IAM2REGO-GUARDRAIL", "no-new-backup-deleters")
    }

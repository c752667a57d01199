"""No silent account default: the gate takes the account from the plan or --account-id, and says so
(exit 2 for `iam2rego gate`, an IAM2REGO-ACCOUNT-AMBIGUOUS denial for conftest) when the plan names
none, names several, or disagrees with --account-id.

tests/terraform/account is a real plan for account 999988887777 (known only from the
aws_caller_identity data source) in which the ops role may delete prod backups. Before this check
the gate assumed 123456789012, built the table ARNs in the wrong account and reported no findings.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "terraform" / "account"
PLAN = json.loads((ACCOUNT / "plan.json").read_text(encoding="utf-8"))
CLEAN = json.loads((ROOT / "tests" / "terraform" / "clean" / "plan.json").read_text(encoding="utf-8"))
AMBIGUOUS = "IAM2REGO-ACCOUNT-AMBIGUOUS"
VIOLATION = (
    "IAM2REGO-GUARDRAIL",
    "aws_iam_role.ops",
    "arn:aws:dynamodb:us-east-1:999988887777:table/prod-orders/backup/01700000000000-0a1b2c3d",
)


def _without_account(plan: dict) -> dict:
    """The clean plan with its provider's allowed_account_ids removed: it names no account."""
    out = copy.deepcopy(plan)
    for provider in out["configuration"]["provider_config"].values():
        provider["expressions"].pop("allowed_account_ids", None)
    return out


def _with_second_account(plan: dict) -> dict:
    """The account plan plus a provider that allows only another account: two accounts."""
    out = copy.deepcopy(plan)
    expressions = out["configuration"]["provider_config"]["aws"]["expressions"]
    expressions["allowed_account_ids"] = {"constant_value": ["111122223333"]}
    return out


def _gate(tmp_path: Path, plan: dict, *extra: str) -> int:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return main(["gate", str(path), "--engine", "opa", "--format", "json", *extra])


def _rows(report: dict) -> set[tuple]:
    return {(f["code"], (f["principal"] or {}).get("address"), f["resource"]) for f in report["deny"]}


@pytest.mark.opa
def test_account_comes_from_the_caller_identity_in_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["gate", str(ACCOUNT / "plan.json"), "--guardrails", str(ACCOUNT / "gate.yaml"),
         "--engine", "opa", "--format", "json"]
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert (rc, _rows(report)) == (1, {VIOLATION})


@pytest.mark.opa
def test_account_id_that_agrees_with_the_plan_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["gate", str(ACCOUNT / "plan.json"), "--guardrails", str(ACCOUNT / "gate.yaml"),
         "--account-id", "999988887777", "--engine", "opa", "--format", "json"]
    )  # fmt: skip
    assert (rc, _rows(json.loads(capsys.readouterr().out))) == (1, {VIOLATION})


@pytest.mark.opa
def test_account_id_that_disagrees_with_the_plan_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["gate", str(ACCOUNT / "plan.json"), "--guardrails", str(ACCOUNT / "gate.yaml"),
         "--account-id", "123456789012", "--engine", "opa"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert f"error[{AMBIGUOUS}]" in err
    assert "123456789012 disagrees with the plan: data.aws_caller_identity.current says 999988887777" in err


@pytest.mark.opa
def test_plan_naming_two_accounts_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = _gate(tmp_path, _with_second_account(PLAN))
    out, err = capsys.readouterr()
    assert (rc, out) == (2, "")
    assert "the plan names several accounts" in err
    assert "111122223333" in err and "999988887777" in err


@pytest.mark.opa
def test_plan_naming_no_account_exits_2_unless_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = _gate(tmp_path, _without_account(CLEAN))
    _, err = capsys.readouterr()
    assert rc == 2
    assert "the plan does not say which account it deploys to" in err
    rc = _gate(tmp_path, _without_account(CLEAN), "--account-id", "123456789012")
    assert rc == 0
    assert json.loads(capsys.readouterr().out) == {"deny": [], "warn": [], "findings": []}


# ---- conftest: the same decisions as denials ----


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(str(tmp_path_factory.mktemp("pack") / "pack"), pack_files())


def _conftest(conftest_bin: str, pack: Path, plan: dict, data: dict, tmp: Path) -> tuple[int, list[dict]]:
    (tmp / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    (tmp / "gate.json").write_text(json.dumps(data), encoding="utf-8")
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json",
           "--data", str(tmp / "gate.json"), str(tmp / "plan.json")]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    return proc.returncode, result.get("failures") or []


GUARDRAIL = {"id": "no-prod-backup-deletion", "kind": "forbid", "operation": "delete_backup",
             "resources": {"tables": ["prod-*"]}}  # fmt: skip


@pytest.mark.conftest
@pytest.mark.parametrize(
    ("plan", "config", "expected"),
    [
        pytest.param(PLAN, {"guardrails": [GUARDRAIL]}, {VIOLATION}, id="from-plan"),
        pytest.param(
            PLAN, {"guardrails": [GUARDRAIL], "account_id": "123456789012"}, {(AMBIGUOUS, None, None)},
            id="disagrees",
        ),
        pytest.param(_with_second_account(PLAN), {"guardrails": [GUARDRAIL]}, {(AMBIGUOUS, None, None)}, id="two"),
        pytest.param(_without_account(CLEAN), {}, {(AMBIGUOUS, None, None)}, id="none"),
    ],
)  # fmt: skip
def test_conftest_denies_an_ambiguous_account(
    plan: dict, config: dict, expected: set, conftest_bin: str, pack_dir: Path, tmp_path: Path
) -> None:
    rc, failures = _conftest(conftest_bin, pack_dir, plan, {"iam2rego_gate": config}, tmp_path)
    rows = {(f["metadata"]["code"], (f["metadata"]["principal"] or {}).get("address"), f["metadata"]["resource"])
            for f in failures}  # fmt: skip
    assert (rc, rows) == (1, expected)

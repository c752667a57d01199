"""Fail-closed: unreadable plans and policies are denials (or exit 2), never a pass."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.pack import pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
CLEAN = json.loads((ROOT / "tests" / "terraform" / "clean" / "plan.json").read_text())


def _gate(tmp_path: Path, plan: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict | None]:
    path = tmp_path / "plan.json"
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    rc = main(["gate", str(path), "--engine", "opa", "--format", "json"])
    out = capsys.readouterr().out
    return rc, (json.loads(out) if out.strip() else None)


def _with_policy(text: str) -> dict:
    plan = copy.deepcopy(CLEAN)
    for rc in plan["resource_changes"]:
        if rc["address"] == "aws_iam_user_policy.auditor":
            rc["change"]["after"]["policy"] = text
    return plan


def _codes(report: dict | None) -> set[str]:
    assert report is not None
    return {f["code"] for f in report["deny"]}


@pytest.mark.opa
def test_clean_plan_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _gate(tmp_path, CLEAN, capsys) == (0, {"deny": [], "warn": [], "findings": []})


@pytest.mark.opa
def test_plan_that_is_not_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, report = _gate(tmp_path, '{"format_version": "1.2",', capsys)
    assert (rc, report) == (2, None)


@pytest.mark.opa
@pytest.mark.parametrize("plan", [[], {"format_version": "1.2"}, {"resource_changes": []}])
def test_malformed_plan_is_denied(plan: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, report = _gate(tmp_path, plan, capsys)
    assert rc == 1
    assert _codes(report) == {"IAM2REGO-PLAN-MALFORMED"}


@pytest.mark.opa
def test_unknown_format_version_is_denied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = dict(CLEAN, format_version="2.0")
    rc, report = _gate(tmp_path, plan, capsys)
    assert rc == 1
    assert _codes(report) == {"IAM2REGO-PLAN-FORMAT"}


@pytest.mark.opa
@pytest.mark.parametrize("text", ["not json", '{"Statement": []', "[1, 2]"])
def test_policy_text_that_is_not_a_json_object_is_denied(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, report = _gate(tmp_path, _with_policy(text), capsys)
    assert rc == 1
    assert _codes(report) == {"IAM2REGO-UNVERIFIABLE"}
    [finding] = report["deny"]
    assert finding["principal"]["address"] == "aws_iam_user.auditor"
    assert finding["statement"]["policy"] == "aws_iam_user_policy.auditor"


@pytest.mark.opa
def test_policy_unknown_until_apply_is_denied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = copy.deepcopy(CLEAN)
    for rc in plan["resource_changes"]:
        if rc["address"] == "aws_iam_user_policy.auditor":
            del rc["change"]["after"]["policy"]
            rc["change"]["after_unknown"]["policy"] = True
    rc, report = _gate(tmp_path, plan, capsys)
    assert rc == 1
    assert _codes(report) == {"IAM2REGO-UNVERIFIABLE"}


@pytest.mark.opa
def test_unknown_managed_policy_arn_is_denied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = copy.deepcopy(CLEAN)
    for rc in plan["resource_changes"]:
        if rc["address"] == "aws_iam_role_policy_attachment.operator":
            rc["change"]["after"]["policy_arn"] = "arn:aws:iam::aws:policy/NotShippedAccess"
    rc, report = _gate(tmp_path, plan, capsys)
    assert rc == 1
    assert _codes(report) == {"IAM2REGO-UNKNOWN-MANAGED-POLICY"}


@pytest.mark.opa
def test_deleted_resources_do_not_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = copy.deepcopy(CLEAN)
    plan["resource_changes"].append(
        {
            "address": "aws_iam_user_policy.legacy",
            "mode": "managed",
            "type": "aws_iam_user_policy",
            "name": "legacy",
            "change": {
                "actions": ["delete"],
                "before": {"user": "auditor", "policy": "not json"},
                "after": None,
                "after_unknown": {},
            },
        }
    )
    assert _gate(tmp_path, plan, capsys) == (0, {"deny": [], "warn": [], "findings": []})


@pytest.mark.conftest
def test_conftest_denies_unknown_format_version(tmp_path: Path, conftest_bin: str) -> None:
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(dict(CLEAN, format_version="9.0")))
    proc = subprocess.run(
        [
            conftest_bin,
            "test",
            "--no-color",
            "--namespace",
            "iam2rego.gate",
            "-p",
            str(pack),
            "-o",
            "json",
            str(plan),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    [result] = json.loads(proc.stdout)
    assert [f["metadata"]["code"] for f in result["failures"]] == ["IAM2REGO-PLAN-FORMAT"]

"""Semantic built-ins (issue 10 item 5): W-BROAD-ALLOW is decided with the library's matchers.

A statement that grants every DynamoDB backup action (compiler/catalog/facts.json ``backup_actions``)
on every backup raises W-BROAD-ALLOW however it is written. The gate used to compare the action text
with ``*`` / ``dynamodb:*`` and passed ``dynamodb:**``, ``dynamodb:*?`` and ``NotAction: "s3:*"``,
which grant DeleteBackup on every backup.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate

ROOT = Path(__file__).resolve().parents[2]
CLEAN = json.loads((ROOT / "tests" / "terraform" / "clean" / "plan.json").read_text(encoding="utf-8"))
AUDITOR = "aws_iam_user_policy.auditor"

BROAD = {
    "double-star": {"Sid": "Broad", "Effect": "Allow", "Action": "dynamodb:**", "Resource": "*"},
    "star-question-mark": {"Sid": "Broad", "Effect": "Allow", "Action": "dynamodb:*?", "Resource": "*"},
    "not-action-s3": {"Sid": "Broad", "Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
}


def _with_statement(statement: dict) -> dict:
    plan = copy.deepcopy(CLEAN)
    [rc] = [rc for rc in plan["resource_changes"] if rc["address"] == AUDITOR]
    rc["change"]["after"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return plan


def _broad(report: dict) -> list[dict]:
    return [f for f in report["deny"] if f["code"] == "W-BROAD-ALLOW"]


@pytest.mark.opa
def test_the_clean_plan_has_no_broad_allow() -> None:
    assert _broad(evaluate(CLEAN, {}, "opa")) == []


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
@pytest.mark.parametrize("name", sorted(BROAD))
def test_every_backup_action_on_every_backup_is_broad_allow(name: str, engine: str) -> None:
    report = evaluate(_with_statement(BROAD[name]), {}, engine)
    [finding] = _broad(report)
    assert finding["principal"]["address"] == "aws_iam_user.auditor"
    assert finding["statement"]["policy"] == AUDITOR
    assert finding["statement"]["sid"] == "Broad"
    assert finding["detail"].endswith("grants every DynamoDB backup action on every backup")


@pytest.mark.opa
def test_a_statement_leaving_out_delete_backup_is_not_broad_allow() -> None:
    narrow = {
        "Sid": "Narrow",
        "Effect": "Allow",
        "NotAction": ["s3:*", "dynamodb:DeleteBackup"],
        "Resource": "*",
    }
    assert _broad(evaluate(_with_statement(narrow), {}, "opa")) == []


@pytest.mark.opa
def test_cli_gate_exits_1_on_double_star(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_with_statement(BROAD["double-star"])), encoding="utf-8")
    rc = main(["gate", str(path), "--engine", "opa", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert [f["code"] for f in report["deny"]].count("W-BROAD-ALLOW") == 1

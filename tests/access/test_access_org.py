"""`iam2rego access` on a plan follows where SCPs apply (issue 20 item 1, SEMANTICS §13.1).

Before the fix the pack applied every SCP of the plan to every principal: the matrix said
update_continuous_backups "denied" for a dynamodb:* role although the only SCP denying it is attached
to an OU the account is not in. Now the matrix uses the gate's policy sets: SCPs whose target holds
the account (from the plan, or from a guardrails file's `organization:` block given with
`--organization`); a principal whose answers an SCP of unknown scope can change is unknown in every
cell, naming the attachment (the matrix does not answer for both worlds yet; the gate does).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "tests" / "terraform"
OPS = ["delete_backup", "update_continuous_backups", "export_table_to_point_in_time"]


def _cells(capsys: pytest.CaptureFixture[str], case: str, *extra: str) -> dict[str, dict]:
    args = ["access", str(TF / case / "plan.json"), "--engine", "opa", "--format", "json", *extra]
    args += ["--export-bucket", "exports"]
    for op in OPS:
        args += ["--operation", op]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    return {c["column"]: c for c in doc["cells"] if c["principal"] == "role/dba"}


@pytest.mark.opa
def test_the_matrix_follows_the_scoped_scps(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    describe = TF / "scp-org-block" / "org" / "deny-export.describe-policy.json"
    org.write_text(
        "iam2rego_gate:\n"
        "  organization:\n"
        '    management_account: "999999999999"\n'
        "    path: [r-ab12, ou-ab12-11111111, ou-ab12-22222222]\n"
        f"    scps: {{ou-ab12-11111111: [{describe}]}}\n",
        encoding="utf-8",
    )
    cells = _cells(capsys, "scp-org-block", "--organization", str(org))
    answers = {c: cells[c]["answer"] for c in OPS}
    assert answers == {
        "delete_backup": "denied",  # the plan's SCP on ou-ab12-22222222, on the account's path
        "update_continuous_backups": "allowed",  # the plan's SCP is on ou-ab12-33333333: not the account's
        "export_table_to_point_in_time": "denied",  # the SCP the organization block attaches
    }


@pytest.mark.opa
def test_an_scp_of_unknown_scope_makes_the_cells_unknown_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cells = _cells(capsys, "scp-scope")
    assert {cells[c]["answer"] for c in OPS} == {"unknown"}
    [problem] = cells["delete_backup"]["problems"]
    assert "aws_organizations_policy_attachment.unknown_ou" in problem
    assert "ou-ab12-99999999" in problem


@pytest.mark.opa
def test_without_the_management_account_scps_only_may_apply(capsys: pytest.CaptureFixture[str]) -> None:
    cells = _cells(capsys, "scp-org-block")
    assert cells["update_continuous_backups"]["answer"] == "unknown"
    assert any("management account" in p for p in cells["update_continuous_backups"]["problems"])

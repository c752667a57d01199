"""SCPs and RCPs apply only where they are attached (issue 20 item 1, SEMANTICS §13.1).

The defect fixed here (every test below fails on the code before the fix): the pack keyed SCP
attachments on the policy only, so an SCP attached to ANOTHER account (or to an OU the plan's account
is not shown to be in) still denied for the plan's principals, and a `forbid` guardrail that must fail
on a `dynamodb:*` role passed. Now an SCP applies where its target provably holds the account, does
not apply where it provably does not, and an answer an SCP of unknown scope can change is
unverifiable, naming the attachment. Two fixtures made with real terraform:

- tests/terraform/scp-scope: the OU tree is in the plan (aws_organizations_account.parent_id, an OU's
  parent_id, the organisation's master_account_id);
- tests/terraform/scp-org-block: the tree, the management account and SCP/RCP files come from the
  guardrail file's `organization:` block (`iam2rego gate` reads the files into the data document; the
  conftest pack reads the same documents inline).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate, gate_config
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "terraform"
G = "IAM2REGO-GUARDRAIL"
ROLE = "aws_iam_role.dba"
ORDERS = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"

# (guardrail, answer) of every IAM2REGO-GUARDRAIL denial, per fixture; the guardrails not listed pass
EXPECTED = {
    "scp-scope": {
        ("no-pitr-changes", "allowed"),  # its SCP is attached to account 111122223333
        ("no-export", "unverifiable"),  # its SCP is on ou-ab12-99999999, which the plan cannot place
    },
    "scp-org-block": {
        ("no-pitr-changes", "allowed"),  # the plan's SCP is on ou-ab12-33333333, off the account's path
        ("no-pitr-reads", "unverifiable"),  # only an RCP denies it; DynamoDB and RCPs: SEMANTICS Q7
    },
}
ENGINES = [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)]


def _plan(case: str) -> dict:
    return json.loads((FIXTURES / case / "plan.json").read_text(encoding="utf-8"))


def _data(case: str) -> dict:
    data, diags = gate_config(str(FIXTURES / case / "gate.yaml"))
    assert data is not None, diags
    return data


def _guardrail_hits(findings: list[dict]) -> set[tuple]:
    return {(f["guardrail"], f["answer"]) for f in findings if f["code"] == G}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_scps_apply_only_where_attached(case: str, engine: str) -> None:
    report = evaluate(_plan(case), _data(case), engine)
    assert _guardrail_hits(report["deny"]) == EXPECTED[case]
    assert {f["principal"]["address"] for f in report["deny"] if f["code"] == G} == {ROLE}
    assert not [f for f in report["deny"] if f["code"] == "IAM2REGO-CONFIG-INVALID"]


@pytest.mark.opa
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_wasm_and_opa_agree_on_every_field(case: str) -> None:
    assert evaluate(_plan(case), _data(case), "wasm") == evaluate(_plan(case), _data(case), "opa")


@pytest.mark.opa
def test_the_unverifiable_answer_names_the_attachment() -> None:
    report = evaluate(_plan("scp-scope"), _data("scp-scope"), "opa")
    [f] = [f for f in report["deny"] if f["code"] == G and f["guardrail"] == "no-export"]
    assert f["resource"] == ORDERS
    assert f["decision"] is None
    assert "aws_organizations_policy_attachment.unknown_ou" in f["detail"]
    assert "ou-ab12-99999999" in f["detail"]


@pytest.mark.opa
def test_the_organization_model() -> None:
    """data.iam2rego.gate.organization on the scp-scope plan (ARCHITECTURE §8 shape)."""
    from iam2rego import api
    from iam2rego.terraform.pack import pack_files

    engine = api.get_engine("opa", quiet=True)
    [org] = engine.evaluate(
        pack_files(), "data.iam2rego.gate.organization", [_plan("scp-scope")], _data("scp-scope")
    )
    assert org["management_account"] == "999999999999"
    assert org["accounts"] == {
        "123456789012": {"path": ["ou-ab12-11111111", "ou-ab12-22222222"], "source": "plan"},
    }
    assert org["known"] is False  # the plan does not show what is above ou-ab12-11111111
    assert {(a["address"], a["target"], a["applies"]) for a in org["attachments"]} == {
        ("aws_organizations_policy_attachment.other_account", "111122223333", False),
        ("aws_organizations_policy_attachment.team", "ou-ab12-22222222", True),
        ("aws_organizations_policy_attachment.parent_ou", "ou-ab12-11111111", True),
        ("aws_organizations_policy_attachment.unknown_ou", "ou-ab12-99999999", "unknown"),
    }


@pytest.mark.conftest
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_plain_conftest_reports_the_same(case: str, conftest_bin: str, tmp_path: Path) -> None:
    """Under plain conftest (`--data`): the scp-scope guardrails as they are; for scp-org-block the data
    file carries the SCP/RCP documents inline (what `iam2rego gate` builds from the files)."""
    data = tmp_path / "gate.json"
    data.write_text(json.dumps(_data(case)), encoding="utf-8")
    rc, result = run_pack(conftest_bin, tmp_path, FIXTURES / case / "plan.json", data=data)
    assert rc == 1
    hits = {
        (f["metadata"]["guardrail"], f["metadata"]["answer"])
        for f in result["failures"]
        if f["metadata"]["code"] == G
    }
    assert hits == EXPECTED[case]


@pytest.mark.conftest
def test_plain_conftest_cannot_read_policy_files(conftest_bin: str, tmp_path: Path) -> None:
    rc, result = run_pack(
        conftest_bin,
        tmp_path,
        FIXTURES / "scp-org-block" / "plan.json",
        data=FIXTURES / "scp-org-block" / "gate.yaml",
    )
    assert rc == 1
    invalid = [
        f["metadata"]["detail"]
        for f in result["failures"]
        if f["metadata"]["code"] == "IAM2REGO-CONFIG-INVALID"
    ]
    assert invalid == [
        "iam2rego_gate.organization.rcps.r-ab12[0]: a file name: plain conftest cannot read files; "
        "put the policy inline ({name, document}) or run `iam2rego gate`",
        "iam2rego_gate.organization.scps.ou-ab12-11111111[0]: a file name: plain conftest cannot read files; "
        "put the policy inline ({name, document}) or run `iam2rego gate`",
    ]


@pytest.mark.opa
def test_gate_cli_fails_and_names_what_it_cannot_place(capsys: pytest.CaptureFixture[str]) -> None:
    case = FIXTURES / "scp-scope"
    rc = main(["gate", str(case / "plan.json"), "--guardrails", str(case / "gate.yaml"), "--engine", "opa"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "[no-pitr-changes] role aws_iam_role.dba" in out
    assert "[no-backup-deletion]" not in out and "[no-backup-creation]" not in out


def test_organization_files_are_checked_at_their_entry(tmp_path: Path) -> None:
    """A missing file, describe-policy output of the wrong type and a policy IAM rejects: TF-CONFIG at the entry."""
    (tmp_path / "rcp.json").write_text(
        json.dumps({"Policy": {"PolicySummary": {"Type": "RESOURCE_CONTROL_POLICY"}, "Content": "{}"}}),
        encoding="utf-8",
    )
    (tmp_path / "bad.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Refuse"}]}', encoding="utf-8"
    )
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        "iam2rego_gate:\n"
        "  organization:\n"
        "    scps:\n"
        "      r-ab12: [missing.json, rcp.json]\n"
        "      ou-ab12-11111111:\n"
        "        - bad.json\n",
        encoding="utf-8",
    )
    data, diags = gate_config(str(gate))
    assert data is None
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [
        ("TF-CONFIG", 4, 16),
        ("TF-CONFIG", 4, 30),
        ("TF-CONFIG", 6, 11),
    ]
    assert "a RESOURCE_CONTROL_POLICY (expected SERVICE_CONTROL_POLICY)" in diags[1].message
    assert "IAM would reject the policy (V-" in diags[2].message


def test_scp_scope_all_is_rejected_with_its_position(tmp_path: Path) -> None:
    gate = tmp_path / "gate.yaml"
    gate.write_text("iam2rego_gate:\n  scp_scope: all\n", encoding="utf-8")
    data, diags = gate_config(str(gate))
    assert data is None
    assert [(d.code, d.span.line) for d in diags] == [("TF-CONFIG", 2)]


def test_rcps_of_the_plan_go_through_the_rcp_front_end() -> None:
    """An aws_organizations_policy of type RESOURCE_CONTROL_POLICY is judged as an RCP (Principal "*"
    required), not skipped and not as an SCP."""
    from iam2rego.terraform.policies import frontend_verdicts

    def plan(statement: dict) -> dict:
        after = {
            "type": "RESOURCE_CONTROL_POLICY",
            "content": json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        }
        rc = {"address": "aws_organizations_policy.r", "mode": "managed", "type": "aws_organizations_policy",
              "name": "r", "change": {"actions": ["create"], "after": after}}  # fmt: skip
        return {"resource_changes": [rc]}

    deny = {"Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": "*"}
    assert frontend_verdicts(plan({**deny, "Principal": "*"})) == {}
    [(doc, verdict)] = frontend_verdicts(plan(deny)).items()
    assert doc == "aws_organizations_policy.r"
    assert verdict["codes"] == ["V-PRINCIPAL"]

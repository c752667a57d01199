"""The gate reads policies like IAM: every policy string of the plan goes through the same front end
as `iam2rego check` before evaluation, and a document IAM would reject is IAM2REGO-UNVERIFIABLE.

Before this, a policy with `"Statement"` twice was judged by its last Statement (what Rego's JSON
decoder keeps) and passed, although `iam2rego check` rejects it (V-DUP) and so does IAM. The conftest
pack detects duplicate keys itself (inventory.rego); rules only the Python front end knows (an ARN
with too few parts, an action with a space, an empty Statement list) need `iam2rego gate`.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack
from iam2rego.terraform.policies import POLICY_ATTRS, frontend_verdicts, policy_strings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "terraform"
CLEAN = json.loads((FIXTURES / "clean" / "plan.json").read_text(encoding="utf-8"))
AUDITOR = "aws_iam_user_policy.auditor"

# the auditor's own policy, then a second "Statement": only the second survives json.unmarshal
DUP_STATEMENT = (
    '{"Version":"2012-10-17",'
    '"Statement":[{"Effect":"Allow","Action":"dynamodb:DeleteBackup","Resource":"*"}],'
    '"Statement":[{"Effect":"Allow","Action":"dynamodb:ListBackups","Resource":"*"}]}'
)
DUP_EFFECT = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow",'
    '"Action":"dynamodb:ListBackups","Resource":"*"}]}'
)
EMPTY_STATEMENT = '{"Version":"2012-10-17","Statement":[]}'
BAD_ARN = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:DescribeBackup",'
    '"Resource":"arn:aws:dynamodb"}]}'
)


def _with_policy(text: str) -> dict:
    plan = copy.deepcopy(CLEAN)
    [rc] = [rc for rc in plan["resource_changes"] if rc["address"] == AUDITOR]
    rc["change"]["after"]["policy"] = text
    return plan


def _gate(tmp_path: Path, plan: dict, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    rc = main(["gate", str(path), "--engine", "opa", "--format", "json"])
    return rc, json.loads(capsys.readouterr().out)


@pytest.mark.opa
@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(DUP_STATEMENT, "V-DUP", id="statement-twice"),
        pytest.param(DUP_EFFECT, "V-DUP", id="effect-twice"),
        pytest.param(EMPTY_STATEMENT, "V-TOP", id="empty-statement"),
        pytest.param(BAD_ARN, "V-RESOURCE", id="arn-with-three-parts"),
    ],
)
def test_gate_denies_a_policy_iam_would_reject(
    text: str, code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, report = _gate(tmp_path, _with_policy(text), capsys)
    assert rc == 1
    [finding] = report["deny"]
    assert finding["code"] == "IAM2REGO-UNVERIFIABLE"
    assert finding["principal"]["address"] == "aws_iam_user.auditor"
    assert finding["statement"]["policy"] == AUDITOR
    assert f"IAM would reject the policy ({code} at 1:" in finding["detail"]


def test_front_end_verdicts_name_the_rule_and_position() -> None:
    verdicts = frontend_verdicts(_with_policy(DUP_STATEMENT))
    assert list(verdicts) == [AUDITOR]
    assert verdicts[AUDITOR]["codes"] == ["V-DUP"]
    assert verdicts[AUDITOR]["problem"].startswith("IAM would reject the policy (V-DUP at 1:")
    assert frontend_verdicts(CLEAN) == {}


@pytest.mark.parametrize("case", ["clean", "breakglass", "modules", "update", "conditional", "account"])
def test_every_fixture_policy_passes_the_front_end(case: str) -> None:
    plan = json.loads((FIXTURES / case / "plan.json").read_text(encoding="utf-8"))
    assert policy_strings(plan), "the fixture has policies"
    assert frontend_verdicts(plan) == {}


@pytest.mark.opa
@pytest.mark.parametrize("case", ["breakglass", "modules", "clean"])
def test_policy_strings_are_the_pack_documents(case: str) -> None:
    """The Python list of policy attributes and the pack's inventory name the same documents."""
    plan = json.loads((FIXTURES / case / "plan.json").read_text(encoding="utf-8"))
    [docs] = _pack_query(plan, "data.iam2rego.gate.documents")
    with_text = {
        i for i, d in docs.items() if d["status"] != "unknown" and d.get("problem") != "the policy is missing"
    }
    assert {p.id for p in policy_strings(plan)} == with_text


@pytest.mark.opa
def test_policy_attribute_table_is_the_pack_table() -> None:
    [attrs] = _pack_query(CLEAN, "data.iam2rego.gate.policy_attrs")
    assert {t: (v["attr"], v["kind"]) for t, v in attrs.items()} == POLICY_ATTRS


def _pack_query(plan: dict, entrypoint: str) -> list:
    from iam2rego import api

    # opa: regopy cannot print documents holding policy text (quotes inside input strings)
    return api.get_engine("opa", quiet=True).evaluate(pack_files(), entrypoint, [plan], {"iam2rego_gate": {}})


@pytest.mark.opa
def test_the_pack_itself_detects_duplicate_keys() -> None:
    """Without the CLI's verdicts (as under conftest) the pack scans the policy text itself. The pack
    is run directly, as conftest runs it: `evaluate` always adds the CLI's data (and its canary)."""
    from iam2rego.api import get_engine
    from iam2rego.terraform.pack import ENTRYPOINT

    data = {"iam2rego_gate": {}, "iam2rego_cli": {}}
    [report] = get_engine("opa").evaluate(pack_files(), ENTRYPOINT, [_with_policy(DUP_STATEMENT)], data)
    assert [(f["code"], f["detail"]) for f in report["deny"]] == [
        (
            "IAM2REGO-UNVERIFIABLE",
            "inline policy cannot be verified: the policy is not a valid IAM policy document (V-DUP)",
        )
    ]


@pytest.mark.conftest
def test_conftest_denies_duplicate_keys(conftest_bin: str, tmp_path: Path) -> None:
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    (tmp_path / "plan.json").write_text(json.dumps(_with_policy(DUP_EFFECT)), encoding="utf-8")
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json",
           str(tmp_path / "plan.json")]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [f["metadata"]["code"] for f in result["failures"]] == ["IAM2REGO-UNVERIFIABLE"]
    assert "(V-DUP)" in result["failures"][0]["msg"]

"""Guardrails ask the open question (issue 10): the real terraform plan tests/terraform/conditional
grants DeleteBackup behind MFA (a Deny with BoolIfExists aws:MultiFactorAuthPresent=false) and behind
aws:SourceIp: one forbid guardrail fails with two conditional findings that name the conditions, on
opa, the embedded engine and conftest. The gate used to decide one request with an almost empty
context and passed them.

Backups carry no resource tags (SEMANTICS §1.5, §6.6, §13.5; issue 20 item 6): the tagger's Allow on
aws:ResourceTag/retention=disposable never applies (no finding; it was reported "allowed when
aws:ResourceTag/retention is disposable"), and legal-hold's Deny on aws:ResourceTag/retention=legal-hold
never applies either, so legal-hold is ALLOWED (it was "allowed unless ...", lowered to a warning by
`conditional: warn`).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack
from iam2rego.terraform.plan import load_config

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "conditional"
PLAN = json.loads((CASE / "plan.json").read_text(encoding="utf-8"))
BACKUP = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/01700000000000-0a1b2c3d"
EXPECTED = {
    "aws_iam_role.mfa_admin": ("allowed when aws:MultiFactorAuthPresent is true", "ManageBackups"),
    "aws_iam_role.net_ops": ("allowed when aws:SourceIp is in 10.0.0.0/8", "DeleteFromCorpNetwork"),
}
# allowed in every request context: the Deny on aws:ResourceTag never applies to a backup
ALLOWED = {"aws_iam_role.legal_hold": (None, "ManageBackups")}


def _config(**guardrail: object) -> dict:
    data, diags = load_config(str(CASE / "gate.yaml"))
    assert data is not None, diags
    data["iam2rego_gate"]["guardrails"][0].update(guardrail)
    return data


def _rows(findings: list[dict]) -> dict[str, tuple]:
    return {
        f["principal"]["address"]: (
            f["answer"],
            f["condition"],
            f["statement"]["sid"],
            f["resource"],
            f["severity"],
        )
        for f in findings
    }


def _expected(severity: str) -> dict[str, tuple]:
    return {a: ("conditional", words, sid, BACKUP, severity) for a, (words, sid) in EXPECTED.items()}


def _allowed(severity: str) -> dict[str, tuple]:
    return {a: ("allowed", words, sid, BACKUP, severity) for a, (words, sid) in ALLOWED.items()}


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("embedded", id="embedded"),
        pytest.param("opa", id="opa", marks=pytest.mark.opa),
        pytest.param("wasm", id="wasm", marks=pytest.mark.opa),
    ],
)
def test_forbid_fails_on_every_conditional_grant_naming_the_condition(engine: str) -> None:
    report = evaluate(PLAN, _config(), engine)
    assert _rows(report["deny"]) == _expected("deny") | _allowed("deny")
    assert report["warn"] == []
    for f in report["deny"]:
        if f["answer"] == "allowed":
            continue
        assert f["msg"].endswith(
            f"can be allowed delete_backup on table prod-orders: {f['condition']} [resource {BACKUP}]; "
            f'decided by {f["statement"]["policy"]} Sid "{f["statement"]["sid"]}" (statement 0)'
        )


@pytest.mark.opa
def test_conditional_warn_lowers_conditional_findings_only(tmp_path: Path) -> None:
    report = evaluate(PLAN, _config(conditional="warn"), "opa")
    assert _rows(report["deny"]) == _allowed("deny")
    assert _rows(report["warn"]) == _expected("warn")


@pytest.mark.opa
def test_pinned_context_narrows_the_question() -> None:
    """Pinning MFA off and an outside address leaves only the grant no context key limits."""
    context = {"aws:MultiFactorAuthPresent": "false", "aws:SourceIp": "203.0.113.7"}
    report = evaluate(PLAN, _config(context=context), "opa")
    assert _rows(report["deny"]) == _allowed("deny")


@pytest.mark.opa
def test_cli_exits_1_with_the_three_conditions(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["gate", str(CASE / "plan.json"), "--guardrails", str(CASE / "gate.yaml"), "--engine", "opa"])
    out = capsys.readouterr().out
    assert rc == 1
    for words, _ in EXPECTED.values():
        assert f"can be allowed delete_backup on table prod-orders: {words}" in out
    assert "role aws_iam_role.legal_hold (arn:aws:iam::123456789012:role/legal-hold): is allowed" in out
    assert "aws_iam_role.reader" not in out
    assert "aws_iam_role.tagger" not in out
    assert "ResourceTag" not in out


@pytest.mark.conftest
def test_conftest_fails_with_the_same_three_findings(conftest_bin: str, tmp_path: Path) -> None:
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json",
           "--data", str(CASE / "gate.yaml"), str(CASE / "plan.json")]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert _rows([f["metadata"] for f in result["failures"]]) == _expected("deny") | _allowed("deny")

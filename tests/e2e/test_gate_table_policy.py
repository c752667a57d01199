"""Table resource policies in the guardrails: read, bound to their table, and fail closed when unreadable.

Two defects of the gate fixed here (each test below fails on the code before the fix):
- the guardrail analysis ignored every table resource policy (aws_dynamodb_resource_policy bound by
  resource_arn): an Allow in it that grants a forbidden action to a principal passed the forbid;
- a table policy that could not be read (not JSON, rejected by the front end, e.g. V-DUP) counted as
  "no resource policy": a Deny (or an Allow) in it was silently dropped from every decision. Now each
  check on that table is unverifiable (the guardrail fails with answer "unverifiable", at the
  guardrail's severity, whatever `unverifiable:` says for the document-level finding).
A table's policy governs the table, its indexes and streams, not its backups (SEMANTICS §3.5): a
Deny dynamodb:DeleteBackup in it changes nothing, so delete_backup is probed with create_backup here.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
BREAKGLASS = json.loads(
    (ROOT / "tests" / "terraform" / "breakglass" / "plan.json").read_text(encoding="utf-8")
)
RBP = "aws_dynamodb_resource_policy.prod_orders"  # bound to prod-orders by resource_arn (a reference)
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders"
CAROL = "arn:aws:iam::123456789012:user/carol"  # no identity grant of CreateBackup


def _stmt(effect: str, action: str, principal: object = "*", dup: bool = False) -> str:
    extra = ',"Resource":"*"' if dup else ""
    return (
        f'{{"Sid":"S","Effect":"{effect}","Principal":{json.dumps(principal)},'
        f'"Action":"{action}","Resource":"*"{extra}}}'
    )


def _policy(stmt: str) -> str:
    return '{"Version":"2012-10-17","Statement":[' + stmt + "]}"


DENY_CREATE = _policy(_stmt("Deny", "dynamodb:CreateBackup"))
UNREADABLE_DENY_CREATE = {
    "duplicate-key": _policy(_stmt("Deny", "dynamodb:CreateBackup", dup=True)),
    "broken-json": _policy(_stmt("Deny", "dynamodb:CreateBackup"))[:-1],
    "unknown-effect": _policy(_stmt("Refuse", "dynamodb:CreateBackup")),
}
ALLOW_CAROL = _policy(_stmt("Allow", "dynamodb:CreateBackup", {"AWS": CAROL}))
UNREADABLE_ALLOW_CAROL = _policy(_stmt("Allow", "dynamodb:CreateBackup", {"AWS": CAROL}, dup=True))


def _plan(rbp_text: str) -> dict:
    plan = copy.deepcopy(BREAKGLASS)
    [rc] = [rc for rc in plan["resource_changes"] if rc["address"] == RBP]
    rc["change"]["after"]["policy"] = rbp_text
    return plan


def _config(kind: str, operation: str, who: str, **extra: object) -> dict:
    g = {"id": "g", "kind": kind, "operation": operation, "principals": {"names": [who]},
         "resources": {"tables": ["prod-orders"]}}  # fmt: skip
    return {"iam2rego_gate": {"account_id": "123456789012", "guardrails": [g], **extra}}


def _rows(report: dict) -> list[tuple]:
    return sorted(
        (f["principal"]["address"], f["resource"], f["answer"], f["severity"])
        for f in report["deny"] + report["warn"]
        if f["code"] == "IAM2REGO-GUARDRAIL"
    )


@pytest.mark.opa
def test_readable_table_policy_deny_passes_the_forbid() -> None:
    # ops may create backups of every table (identity); the table policy denies it to everyone
    report = evaluate(_plan(DENY_CREATE), _config("forbid", "create_backup", "ops"), "opa")
    assert _rows(report) == []


@pytest.mark.parametrize(
    "engine",
    ["embedded", pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)],
)
@pytest.mark.parametrize("case", sorted(UNREADABLE_DENY_CREATE))
def test_unreadable_table_policy_deny_is_unverifiable(case: str, engine: str) -> None:
    plan = _plan(UNREADABLE_DENY_CREATE[case])
    report = evaluate(plan, _config("forbid", "create_backup", "ops", unverifiable="warn"), engine)
    assert _rows(report) == [("aws_iam_role.ops", TABLE, "unverifiable", "deny")]
    [finding] = [f for f in report["deny"] if f["code"] == "IAM2REGO-GUARDRAIL"]
    assert finding["detail"].startswith("cannot be verified for create_backup on table prod-orders")
    assert RBP in finding["detail"]
    # the document itself is reported too, at the `unverifiable:` severity
    assert [f["code"] for f in report["warn"]] == ["IAM2REGO-UNVERIFIABLE"]


@pytest.mark.opa
def test_readable_table_policy_allow_fails_the_forbid() -> None:
    report = evaluate(_plan(ALLOW_CAROL), _config("forbid", "create_backup", "carol"), "opa")
    assert _rows(report) == [("aws_iam_user.carol", TABLE, "allowed", "deny")]


@pytest.mark.opa
def test_unreadable_table_policy_allow_fails_the_forbid() -> None:
    """The hidden grant cannot pass: before, carol had no grant left and the forbid passed."""
    plan = _plan(UNREADABLE_ALLOW_CAROL)
    report = evaluate(plan, _config("forbid", "create_backup", "carol", unverifiable="warn"), "opa")
    assert _rows(report) == [("aws_iam_user.carol", TABLE, "unverifiable", "deny")]


@pytest.mark.opa
def test_unreadable_table_policy_deny_fails_the_require() -> None:
    """Before, the dropped Deny left ops allowed and the require passed."""
    plan = _plan(UNREADABLE_DENY_CREATE["duplicate-key"])
    report = evaluate(plan, _config("require", "create_backup", "ops"), "opa")
    assert _rows(report) == [("aws_iam_role.ops", TABLE, "unverifiable", "deny")]


@pytest.mark.opa
def test_unreadable_policy_of_another_table_changes_nothing() -> None:
    """Only checks on the policy's own table are unverifiable: dev-orders keeps its answer."""
    plan = _plan(UNREADABLE_DENY_CREATE["broken-json"])
    cfg = _config("forbid", "create_backup", "ops")
    cfg["iam2rego_gate"]["guardrails"][0]["resources"] = {"tables": ["dev-orders"]}
    report = evaluate(plan, cfg, "opa")
    assert _rows(report) == [
        ("aws_iam_role.ops", "arn:aws:dynamodb:us-west-2:123456789012:table/dev-orders", "allowed", "deny")
    ]


@pytest.mark.opa
def test_forbid_delete_backup_does_not_pass_with_an_unreadable_table_policy() -> None:
    """The brief's case: a Deny DeleteBackup in the table policy, with a duplicate key. The table
    policy does not govern backup ARNs (SEMANTICS §3.5), so ops stays allowed: the forbid fails."""
    plan = _plan(_policy(_stmt("Deny", "dynamodb:DeleteBackup", dup=True)))
    report = evaluate(plan, _config("forbid", "delete_backup", "ops"), "opa")
    [(who, resource, answer, severity)] = _rows(report)
    assert (who, answer, severity) == ("aws_iam_role.ops", "allowed", "deny")
    assert resource.startswith(TABLE + "/backup/")


@pytest.mark.conftest
def test_conftest_unreadable_table_policy_is_unverifiable(conftest_bin: str, tmp_path: Path) -> None:
    """The pack alone (no front-end verdicts) finds the duplicate key and fails the forbid."""
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    (tmp_path / "plan.json").write_text(
        json.dumps(_plan(UNREADABLE_DENY_CREATE["duplicate-key"])), encoding="utf-8"
    )
    cfg = _config("forbid", "create_backup", "ops", unverifiable="warn")
    (tmp_path / "gate.json").write_text(json.dumps(cfg), encoding="utf-8")
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json",
           "--data", str(tmp_path / "gate.json"), str(tmp_path / "plan.json")]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    assert proc.returncode == 1
    failures = [f["metadata"] for f in result["failures"] if f["metadata"]["code"] == "IAM2REGO-GUARDRAIL"]
    assert [(f["principal"]["address"], f["answer"]) for f in failures] == [
        ("aws_iam_role.ops", "unverifiable")
    ]

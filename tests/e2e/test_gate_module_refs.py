"""References resolved like terraform (issue 20 item 3, issue 25 item 3): the real terraform plan
tests/terraform/module-refs (scripts/gen-fixtures.sh) passes boundaries into a module as
``each.value.bounded ? aws_iam_policy.b.arn : null``, out of another module's output, and as a role's ARN;
attaches ``managed_policy_arns = [aws_iam_policy.evil.arn]``; builds a boundary from a role's unique_id;
and leaves a table out of a backup selection with ``not_resources = [aws_dynamodb_table.t["scratch"].arn]``.
Every one of those values is unknown until apply; the plan's ``configuration`` names the reference
(SEMANTICS §13.4). Same findings on opa, wasm and plain conftest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.terraform.config import load_config
from iam2rego.terraform.gate import evaluate
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "module-refs"
PLAN = json.loads((CASE / "plan.json").read_text(encoding="utf-8"))
GUARD = "IAM2REGO-GUARDRAIL"
UNV = "IAM2REGO-UNVERIFIABLE"
FORBID = "no-backup-deletion"
REQUIRE = "opaque-can-describe"
BOUNDED = [
    'module.team["alpha"].aws_iam_role.r',
    'module.squad["alpha"].aws_iam_role.r',
    "module.shared.aws_iam_role.r",
]
BROAD = {
    ("W-BROAD-ALLOW", "W-BROAD-ALLOW", f"module.{m}.aws_iam_role.r", "*")
    for m in ['team["alpha"]', 'team["beta"]', 'squad["alpha"]', 'squad["beta"]', "shared", "misfit"]
}
ORDERS_BACKUP = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-0a1b2c3d"
EXPECTED_DENY = BROAD | {
    (GUARD, FORBID, 'module.team["beta"].aws_iam_role.r', ORDERS_BACKUP),
    (GUARD, FORBID, 'module.squad["beta"].aws_iam_role.r', ORDERS_BACKUP),
    (GUARD, FORBID, "aws_iam_role.evil_holder", ORDERS_BACKUP),
}
EXPECTED_WARN = {
    (GUARD, REQUIRE, "aws_iam_role.opaque", ORDERS_BACKUP),
    (UNV, UNV, "aws_iam_role.opaque", None),
    (UNV, UNV, "aws_iam_role.evil_holder", None),
    (UNV, UNV, "aws_iam_role.mixed", None),
    (UNV, UNV, "module.misfit.aws_iam_role.r", None),
}
ENGINES = [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)]


def _config(**settings: object) -> dict:
    data, diags = load_config(str(CASE / "gate.yaml"))
    assert data is not None, diags
    data["iam2rego_gate"].update(settings)
    return data


def _key(f: dict) -> tuple:
    return (f["code"], f["guardrail"], (f["principal"] or {}).get("address"), f["resource"])


def _by_principal(findings: list[dict], code: str) -> dict[str, dict]:
    return {f["principal"]["address"]: f for f in findings if f["code"] == code and f["principal"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_reference_is_resolved_or_named(engine: str) -> None:
    report = evaluate(PLAN, _config(), engine)
    assert {_key(f) for f in report["deny"]} == EXPECTED_DENY
    assert {_key(f) for f in report["warn"]} == EXPECTED_WARN


@pytest.mark.parametrize("engine", ENGINES)
def test_a_boundary_passed_through_a_module_bounds_the_role(engine: str) -> None:
    """each.value.bounded ? aws_iam_policy.b.arn : null (module for_each with a constant map and with a
    root variable) and module.pol.arn: the boundary has no DeleteBackup, so the forbid passes."""
    report = evaluate(PLAN, _config(), engine)
    flagged = {
        (f["principal"] or {}).get("address")
        for f in report["deny"] + report["warn"]
        if f["code"] != "W-BROAD-ALLOW"
    }
    assert flagged.isdisjoint(BOUNDED)


@pytest.mark.parametrize("engine", ENGINES)
def test_managed_policy_arns_known_only_after_apply_is_not_ignored(engine: str) -> None:
    report = evaluate(PLAN, _config(), engine)
    f = _by_principal(report["deny"], GUARD)["aws_iam_role.evil_holder"]
    assert (f["guardrail"], f["answer"], f["severity"]) == (FORBID, "unverifiable", "deny")
    unv = _by_principal(report["warn"], UNV)["aws_iam_role.evil_holder"]
    assert "`managed_policy_arns` of aws_iam_role.evil_holder is known only after apply" in unv["detail"]


def _expression(address: str, attr: str) -> dict:
    [conf] = [r for r in PLAN["configuration"]["root_module"]["resources"] if r["address"] == address]
    return conf["expressions"][attr]


def test_the_plan_does_not_show_a_list_literals_constants() -> None:
    """Why a list unknown as a whole keeps an unresolved element: [evil.arn] and
    [evil.arn, "arn:aws:iam::aws:policy/AdministratorAccess"] are written the same (SEMANTICS §13.4)."""
    assert _expression("aws_iam_role.mixed", "managed_policy_arns") == _expression(
        "aws_iam_role.evil_holder", "managed_policy_arns"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("severity", ["warn", "deny"])
def test_require_with_an_unresolved_boundary_is_reported_at_the_unverifiable_severity(
    engine: str, severity: str
) -> None:
    report = evaluate(PLAN, _config(unverifiable=severity), engine)
    f = _by_principal(report[severity], GUARD)["aws_iam_role.opaque"]
    assert (f["guardrail"], f["answer"], f["severity"]) == (REQUIRE, "unverifiable", severity)


@pytest.mark.parametrize("engine", ENGINES)
def test_messages_name_what_the_reference_refers_to(engine: str) -> None:
    warn = _by_principal(evaluate(PLAN, _config(), engine)["warn"], UNV)
    assert warn["module.misfit.aws_iam_role.r"]["detail"] == (
        "boundary policy cannot be verified: `permissions_boundary` of module.misfit.aws_iam_role.r is known "
        "only after apply; it refers to aws_iam_role.seed.arn through module.misfit's input "
        "`permissions_boundary`, which is not an IAM policy of this plan"
    )
    assert (
        "it refers to aws_iam_role.seed.unique_id, which is not an IAM policy"
        in warn["aws_iam_role.opaque"]["detail"]
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_not_resources_by_reference_leaves_the_table_out(engine: str) -> None:
    report = evaluate(PLAN, _config(), engine)
    assert [f for f in report["deny"] + report["warn"] if f["code"] == "IAM2REGO-BACKUP-ROLE"] == []


@pytest.mark.opa
def test_wasm_and_opa_agree_on_every_field() -> None:
    assert evaluate(PLAN, _config(), "wasm") == evaluate(PLAN, _config(), "opa")


@pytest.mark.conftest
def test_conftest_reports_the_same_findings(conftest_bin: str, tmp_path: Path) -> None:
    returncode, result = run_pack(conftest_bin, tmp_path, CASE / "plan.json", data=CASE / "gate.yaml")
    assert returncode == 1
    deny = [f["metadata"] for f in result.get("failures") or []]
    warn = [f["metadata"] for f in result.get("warnings") or []]
    assert {_key(f) for f in deny} == EXPECTED_DENY
    assert {_key(f) for f in warn} == EXPECTED_WARN

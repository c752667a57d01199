"""Semantic built-ins (issue 10 item 5): W-BROAD-ALLOW is decided with the library's matchers, and the
gate's ineffective-ListBackups check is check's W-RESOURCE-MISMATCH rule on the same catalog data.

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
from iam2rego.api import check, parse_policy
from iam2rego.cli import main
from iam2rego.terraform.gate import evaluate
from pack_run import run_pack

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


# The gate's ineffective-ListBackups built-in and check's W-RESOURCE-MISMATCH (no-resource-action) are
# the same rule on the same data (catalog.no_resource_actions from compiler/catalog/catalog.json).
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
BACKUP = f"{TABLE}/backup/01700000000000-0a1b2c3d"
# name: (Action, Resource, flagged by both)
LISTBACKUPS_CASES = {
    "listbackups-on-table": ("dynamodb:ListBackups", TABLE, True),
    "listbackups-on-backup": ("dynamodb:ListBackups", BACKUP, True),
    "listbackups-wildcard-name": ("dynamodb:ListBack*", [TABLE, BACKUP], True),
    "listbackups-on-every-dynamodb-arn": ("dynamodb:ListBackups", "arn:aws:dynamodb:*:*:*", True),
    "listbackups-with-star": ("dynamodb:ListBackups", [TABLE, "*"], False),
    "list-star-covers-table-actions": ("dynamodb:List*", TABLE, False),
    "dynamodb-star": ("dynamodb:*", TABLE, False),
    "listbackups-on-star": ("dynamodb:ListBackups", "*", False),
}


def _check_flags_listbackups(action: str, resource: object) -> bool:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }
    policy, diags = parse_policy(json.dumps(doc), "p.json", "identity")
    assert policy is not None, diags
    return any(
        d.code == "W-RESOURCE-MISMATCH" and dict(d.data).get("kind") == "no-resource-action"
        for d in check(policy)
    )


@pytest.mark.opa
@pytest.mark.parametrize("name", sorted(LISTBACKUPS_CASES))
def test_gate_and_check_agree_on_ineffective_listbackups(name: str) -> None:
    action, resource, flagged = LISTBACKUPS_CASES[name]
    plan = _with_statement({"Effect": "Allow", "Action": action, "Resource": resource})
    gate_flags = any(f["code"] == "IAM2REGO-LISTBACKUPS-ON-TABLE" for f in evaluate(plan, {}, "opa")["deny"])
    assert (gate_flags, _check_flags_listbackups(action, resource)) == (flagged, flagged)


# The gate's W-RESOURCE-MISMATCH (wrong-resource-type) and check's are the same rule on the same data:
# the catalog's per-action resource types (catalog.dynamodb_resource_types, from catalog.json) and the
# ARN-type patterns (catalog.dynamodb_arn_types, from facts.json, which checks/_util reads too).
# The gate looks at Allow statements (an ineffective grant); data-plane actions only on backup ARNs are
# its IAM2REGO-DATAPLANE-ON-BACKUP. name: (Action, Resource, flagged by both)
ALL_BACKUPS = "arn:aws:dynamodb:*:*:table/*/backup/*"
MISMATCH_CASES = {
    "describebackup-on-table": ("dynamodb:DescribeBackup", TABLE, True),
    "deletebackup-on-two-tables": ("dynamodb:DeleteBackup", [TABLE, f"{TABLE}2"], True),
    # table/prod-* also matches table/prod-x/backup/...: its type is not known, as in check
    "deletebackup-on-table-prefix-covers-backups": (
        "dynamodb:DeleteBackup",
        "arn:aws:dynamodb:*:*:table/prod-*",
        False,
    ),
    "deletebackup-on-an-index": ("dynamodb:DeleteBackup", f"{TABLE}/index/byDate", True),
    "createbackup-on-every-backup": ("dynamodb:CreateBackup", ALL_BACKUPS, True),
    "lower-case-action": ("dynamodb:deletebackup", TABLE, True),
    "deletebackup-on-backup": ("dynamodb:DeleteBackup", BACKUP, False),
    "deletebackup-on-table-and-backup": ("dynamodb:DeleteBackup", [TABLE, BACKUP], False),
    "deletebackup-on-every-table": ("dynamodb:DeleteBackup", "arn:aws:dynamodb:*:*:table/*", False),
    "deletebackup-on-star": ("dynamodb:DeleteBackup", [TABLE, "*"], False),
    "wildcard-action": ("dynamodb:Delete*", TABLE, False),
    "s3-arn-type-unknown": ("dynamodb:DeleteBackup", "arn:aws:s3:::bucket", False),
    "restore-pitr-on-backup": ("dynamodb:RestoreTableToPointInTime", BACKUP, True),
}


def _check_wrong_type(action: str, resource: object, mode: str = "docs") -> list[str]:
    """check's wrong-resource-type messages for one Allow statement in ``mode``."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }
    policy, diags = parse_policy(json.dumps(doc), "p.json", "identity")
    assert policy is not None, diags
    return [
        d.message
        for d in check(policy, mode=mode)
        if d.code == "W-RESOURCE-MISMATCH" and dict(d.data).get("kind") == "wrong-resource-type"
    ]


def _check_flags_wrong_type(action: str, resource: object) -> bool:
    return bool(_check_wrong_type(action, resource))


def _mismatches(report: dict) -> list[dict]:
    return [f for f in report["deny"] if f["code"] == "W-RESOURCE-MISMATCH"]


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
@pytest.mark.parametrize("name", sorted(MISMATCH_CASES))
def test_gate_and_check_agree_on_ineffective_resource_types(name: str, engine: str) -> None:
    action, resource, flagged = MISMATCH_CASES[name]
    plan = _with_statement({"Sid": "Grant", "Effect": "Allow", "Action": action, "Resource": resource})
    found = _mismatches(evaluate(plan, {}, engine))
    assert (bool(found), _check_flags_wrong_type(action, resource)) == (flagged, flagged)
    for f in found:
        assert f["principal"]["address"] == "aws_iam_user.auditor"
        assert f["statement"] == {"policy": AUDITOR, "sid": "Grant", "statement_index": 0, "effect": "Allow"}
        assert f["severity"] == "deny"


# RestoreTableFromBackup is checked on the backup ARN only in docs mode (the default; SEMANTICS §3.1,
# facts.json mode_resource_types), also on the target table under sar-strict: only on table ARNs it
# grants nothing in docs mode and is the target-table half under sar-strict. The gate reads the mode
# from its config (`mode`), check from --mode; both say the same words.
# name: (Resource, flagged in docs, flagged in sar-strict)
INDEX = f"{TABLE}/index/byDate"
RESTORE_CASES = {
    "restore-on-table": (TABLE, True, False),
    "restore-on-table-and-index": ([TABLE, INDEX], True, False),
    "restore-on-two-tables": ([TABLE, f"{TABLE}2"], True, False),
    "restore-on-index": (INDEX, True, True),
    "restore-on-backup": (BACKUP, False, False),
    "restore-on-table-and-backup": ([TABLE, BACKUP], False, False),
    "restore-on-every-backup": (ALL_BACKUPS, False, False),
    "restore-on-table-prefix": ("arn:aws:dynamodb:*:*:table/Ord*", False, False),
}


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
@pytest.mark.parametrize("mode", ["docs", "sar-strict"])
@pytest.mark.parametrize("name", sorted(RESTORE_CASES))
def test_gate_and_check_agree_on_restore_from_backup_per_mode(name: str, mode: str, engine: str) -> None:
    resource, in_docs, in_sar_strict = RESTORE_CASES[name]
    flagged = in_docs if mode == "docs" else in_sar_strict
    action = "dynamodb:RestoreTableFromBackup"
    plan = _with_statement({"Sid": "Grant", "Effect": "Allow", "Action": action, "Resource": resource})
    found = _mismatches(evaluate(plan, {"iam2rego_gate": {"mode": mode}}, engine))
    messages = _check_wrong_type(action, resource, mode)
    assert (bool(found), bool(messages)) == (flagged, flagged)
    assert [f["detail"] for f in found] == messages  # one rule, one message
    for f in found:
        assert f["statement"] == {"policy": AUDITOR, "sid": "Grant", "statement_index": 0, "effect": "Allow"}
        assert ("in docs mode" in f["detail"]) == (mode == "docs" and name != "restore-on-index")


@pytest.mark.opa
def test_gate_without_a_mode_is_docs_mode() -> None:
    statement = {"Effect": "Allow", "Action": "dynamodb:RestoreTableFromBackup", "Resource": TABLE}
    [found] = _mismatches(evaluate(_with_statement(statement), {}, "opa"))
    assert found["detail"] == _check_wrong_type(statement["Action"], TABLE)[0]
    assert "grants nothing for dynamodb:RestoreTableFromBackup in docs mode" in found["detail"]


@pytest.mark.opa
def test_cli_gate_names_deletebackup_on_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    statement = {"Sid": "Grant", "Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": TABLE}
    path.write_text(json.dumps(_with_statement(statement)), encoding="utf-8")
    rc = main(["gate", str(path), "--engine", "opa"])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        "error[W-RESOURCE-MISMATCH]: user aws_iam_user.auditor (arn:aws:iam::123456789012:user/auditor): "
        "dynamodb:DeleteBackup applies to backup ARNs, but this statement lists only table ARNs; "
        f"it grants nothing for dynamodb:DeleteBackup [resource {TABLE}]; "
        f'in {AUDITOR} Sid "Grant" (statement 0)'
    ) in out


# W-BROAD-ALLOW is one rule in check and the gate (checks/broad_allow.py, gate builtin.rego): the same
# backup_actions and unknown_backup_arn (compiler/catalog/facts.json), conditions do not lower it.
# name: (statement without Effect, flagged by both)
BROAD_CASES = {
    "star-on-star": ({"Action": "*", "Resource": "*"}, True),
    "conditioned": (
        {
            "Action": "dynamodb:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
        True,
    ),
    "every-table-pattern": ({"Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/*"}, True),
    "every-backup-pattern": ({"Action": "dynamodb:*Backup*", "Resource": ALL_BACKUPS}, True),
    "not-resource-s3": ({"Action": "*", "NotResource": "arn:aws:s3:::*"}, True),
    "not-action-s3": ({"NotAction": "s3:*", "Resource": "*"}, True),
    "one-region": ({"Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:*:table/*"}, False),
    "one-table-prefix": ({"Action": "dynamodb:*", "Resource": f"{TABLE}*"}, False),
    "not-resource-every-table": ({"Action": "*", "NotResource": "arn:aws:dynamodb:*:*:table/*"}, False),
    "delete-backup-left-out": ({"NotAction": ["s3:*", "dynamodb:DeleteBackup"], "Resource": "*"}, False),
}


def _check_flags_broad(statement: dict) -> bool:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}
    policy, diags = parse_policy(json.dumps(doc), "p.json", "identity")
    assert policy is not None, diags
    return any(d.code == "W-BROAD-ALLOW" for d in check(policy))


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
@pytest.mark.parametrize("name", sorted(BROAD_CASES))
def test_gate_and_check_agree_on_broad_allow(name: str, engine: str) -> None:
    statement, flagged = BROAD_CASES[name]
    gate_flags = bool(_broad(evaluate(_with_statement({"Effect": "Allow", **statement}), {}, engine)))
    assert (gate_flags, _check_flags_broad(statement)) == (flagged, flagged)


@pytest.mark.conftest
def test_conftest_reports_deletebackup_on_a_table(conftest_bin: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    statement = {"Sid": "Grant", "Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": TABLE}
    plan.write_text(json.dumps(_with_statement(statement)), encoding="utf-8")
    returncode, result = run_pack(conftest_bin, tmp_path, plan)
    assert returncode == 1
    [f] = [x["metadata"] for x in result["failures"] if x["metadata"]["code"] == "W-RESOURCE-MISMATCH"]
    assert (f["resource"], f["statement"]["sid"]) == (TABLE, "Grant")


def _restore_on_table_plan(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.json"
    statement = {
        "Sid": "Grant",
        "Effect": "Allow",
        "Action": "dynamodb:RestoreTableFromBackup",
        "Resource": TABLE,
    }
    plan.write_text(json.dumps(_with_statement(statement)), encoding="utf-8")
    return plan


@pytest.mark.opa
@pytest.mark.parametrize(("mode", "flagged"), [(None, True), ("docs", True), ("sar-strict", False)])
def test_cli_gate_reads_the_mode_from_its_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str | None, flagged: bool
) -> None:
    plan = _restore_on_table_plan(tmp_path)
    config = tmp_path / "gate.yaml"
    config.write_text(
        "iam2rego_gate:\n" + (f"  mode: {mode}\n" if mode else "  guardrails: []\n"), encoding="utf-8"
    )
    rc = main(["gate", str(plan), "--guardrails", str(config), "--engine", "opa", "--format", "json"])
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "W-RESOURCE-MISMATCH"]
    assert len(found) == (1 if flagged else 0)  # other findings (W-RESTORE-WITHOUT-WRITES) decide rc
    assert rc == 1
    if flagged:
        assert "grants nothing for dynamodb:RestoreTableFromBackup in docs mode" in found[0]["message"]


@pytest.mark.conftest
@pytest.mark.parametrize(("mode", "flagged"), [("docs", True), ("sar-strict", False)])
def test_conftest_reads_the_mode_from_its_data(
    conftest_bin: str, tmp_path: Path, mode: str, flagged: bool
) -> None:
    plan = _restore_on_table_plan(tmp_path)
    data = tmp_path / "gate.yaml"
    data.write_text(f"iam2rego_gate:\n  mode: {mode}\n", encoding="utf-8")
    _, result = run_pack(conftest_bin, tmp_path, plan, data=data)
    found = [
        x["metadata"] for x in result.get("failures") or [] if x["metadata"]["code"] == "W-RESOURCE-MISMATCH"
    ]
    assert [(f["resource"], f["statement"]["sid"]) for f in found] == ([(TABLE, "Grant")] if flagged else [])

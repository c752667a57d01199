"""Customer managed KMS keys in the gate (issue 20 item 2, SEMANTICS §13.2).

tests/terraform/kms (real terraform): every restore role has dynamodb:* (and restore-iam-only kms:*)
in IAM; the tables differ by their key. Before this change the gate never asked a key policy: a
restore of `strict` (key policy names only kms-admin, no account delegation) passed a require for
restore-iam-only, a forbid of it failed, the key outside the plan was not mentioned, and the grant on
`granted` was ignored. Each test below fails on that code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.terraform.gate import evaluate, gate_config

from tests.pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
PLAN_PATH = ROOT / "tests" / "terraform" / "kms" / "plan.json"
PLAN = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
ACCOUNT = "123456789012"
EXTERNAL_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/8e1f3c2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b"
CMK_TABLES = ["defaulted", "external", "granted", "open", "separate", "strict"]
DELEGATING = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
ENGINES = [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm", marks=pytest.mark.opa)]


def _config(
    kind: str, who: str, tables: list[str], operation: str = "restore_table_from_backup", **extra
) -> dict:
    g = {"id": "g", "kind": kind, "operation": operation, "principals": {"names": [who]},
         "resources": {"tables": tables}}  # fmt: skip
    return {"iam2rego_gate": {"account_id": ACCOUNT, "guardrails": [g], **extra}}


def _hits(report: dict) -> list[dict]:
    return [f for f in report["deny"] + report["warn"] if f["code"] == "IAM2REGO-GUARDRAIL"]


def _rows(report: dict) -> list[tuple]:
    return sorted((f["table"], f["answer"]) for f in _hits(report))


@pytest.mark.parametrize("engine", ENGINES)
def test_require_restore_fails_when_the_key_policy_neither_names_nor_delegates(engine: str) -> None:
    report = evaluate(PLAN, _config("require", "restore-iam-only", ["strict", "open"]), engine)
    [f] = _hits(report)
    assert (f["table"], f["answer"], f["decision"]) == ("strict", "denied", "implicit_deny")
    assert f["check"]["action"].startswith("kms:")
    assert f["check"]["kind"] == "kms"
    assert f["check"]["resource"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/aws_kms_key.strict"


@pytest.mark.parametrize("engine", ENGINES)
def test_forbid_restore_passes_when_the_key_policy_refuses(engine: str) -> None:
    report = evaluate(PLAN, _config("forbid", "restore-iam-only", ["strict", "open"]), engine)
    # open delegates to the account: IAM's kms:* counts; strict: the key policy refuses
    assert _rows(report) == [("open", "allowed")]


@pytest.mark.opa
def test_delegating_key_policies_allow_through_iam() -> None:
    # open: key policy delegates; defaulted: no policy = AWS's default key policy (delegates);
    # separate: aws_kms_key_policy delegates; owned/managed: no CMK, nothing to ask
    tables = ["open", "defaulted", "separate", "owned", "managed", "strict"]
    assert _rows(evaluate(PLAN, _config("require", "restore-iam-only", tables), "opa")) == [
        ("strict", "denied")
    ]


@pytest.mark.opa
def test_aws_owned_and_managed_keys_need_no_kms_permission() -> None:
    # restore-granted has no kms action in IAM: only tables on a CMK need one
    report = evaluate(PLAN, _config("require", "restore-granted", ["*"]), "opa")
    failing = {t for t, _ in _rows(report)}
    assert failing == set(CMK_TABLES) - {"granted"}
    assert "owned" not in failing and "managed" not in failing


@pytest.mark.parametrize("engine", ENGINES)
def test_grant_allows_its_grantee(engine: str) -> None:
    # the key policy of `granted` names only kms-admin; aws_kms_grant.restore grants restore-granted
    assert _rows(evaluate(PLAN, _config("require", "restore-granted", ["granted"]), engine)) == []
    assert _rows(evaluate(PLAN, _config("require", "restore-iam-only", ["granted"]), engine)) == [
        ("granted", "denied")
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_key_outside_the_plan_is_unverifiable_naming_the_key(engine: str) -> None:
    for kind in ("require", "forbid"):
        report = evaluate(PLAN, _config(kind, "restore-iam-only", ["external"]), engine)
        [f] = _hits(report)
        assert (f["table"], f["answer"], f["severity"]) == ("external", "unverifiable", "deny")
        assert EXTERNAL_KEY in f["detail"] and "kms_keys" in f["detail"]


@pytest.mark.opa
def test_key_outside_the_plan_supplied_by_file(tmp_path: Path) -> None:
    (tmp_path / "external.json").write_text(
        json.dumps({"Policy": json.dumps(DELEGATING), "PolicyName": "default"}), encoding="utf-8"
    )
    cfg = _config("require", "restore-iam-only", ["external"], kms_keys={EXTERNAL_KEY: "external.json"})
    (tmp_path / "gate.json").write_text(json.dumps(cfg), encoding="utf-8")
    data, problems = gate_config(str(tmp_path / "gate.json"))
    assert problems == [] and data is not None
    assert data["iam2rego_gate"]["kms_keys"][EXTERNAL_KEY]["policy"] == json.dumps(DELEGATING)
    assert _rows(evaluate(PLAN, data, "opa")) == []
    # a key policy that names someone else: the restore is denied
    other = {**DELEGATING, "Statement": [{**DELEGATING["Statement"][0], "Principal": {"AWS": "arn:aws:iam::123456789012:role/x"}}]}  # fmt: skip
    (tmp_path / "external.json").write_text(json.dumps(other), encoding="utf-8")
    data, _ = gate_config(str(tmp_path / "gate.json"))
    assert _rows(evaluate(PLAN, data, "opa")) == [("external", "denied")]


def test_kms_keys_file_that_cannot_be_read_is_a_located_config_error(tmp_path: Path) -> None:
    text = f'iam2rego_gate:\n  account_id: "123456789012"\n  kms_keys:\n    {EXTERNAL_KEY}: missing.json\n'
    (tmp_path / "gate.yaml").write_text(text, encoding="utf-8")
    data, problems = gate_config(str(tmp_path / "gate.yaml"))
    assert data is None
    [d] = problems
    assert (d.code, d.span.line, d.span.column) == ("TF-CONFIG", 4, 5 + len(EXTERNAL_KEY) + 2)


@pytest.mark.conftest
def test_conftest_pack_asks_key_policies(conftest_bin: str, tmp_path: Path) -> None:
    """Plain conftest: the strict key refuses, the grant allows, the external key is unverifiable
    until the data file carries its policy inline; a file name there cannot be read by the pack."""

    def run(cfg: dict) -> list[tuple]:
        (tmp_path / "gate.json").write_text(json.dumps(cfg), encoding="utf-8")
        _, result = run_pack(conftest_bin, tmp_path, PLAN_PATH, data=tmp_path / "gate.json")
        hits = [
            f["metadata"]
            for f in result.get("failures") or []
            if f["metadata"]["code"] == "IAM2REGO-GUARDRAIL"
        ]
        return sorted((f["principal"]["address"], f["table"], f["answer"]) for f in hits)

    base = _config("require", "restore-iam-only", ["strict", "open", "external"])
    assert run(base) == [
        ("aws_iam_role.restore_iam_only", "external", "unverifiable"),
        ("aws_iam_role.restore_iam_only", "strict", "denied"),
    ]
    inline = _config(
        "require",
        "restore-iam-only",
        ["strict", "open", "external"],
        kms_keys={EXTERNAL_KEY: {"policy": DELEGATING}},
    )
    assert run(inline) == [("aws_iam_role.restore_iam_only", "strict", "denied")]
    as_file = _config("require", "restore-iam-only", ["external"], kms_keys={EXTERNAL_KEY: "external.json"})
    assert run(as_file) == [("aws_iam_role.restore_iam_only", "external", "unverifiable")]
    assert run(_config("require", "restore-granted", ["granted"])) == []


@pytest.mark.opa
def test_key_policy_attrs_match_the_pack() -> None:
    from iam2rego.engines import get_engine
    from iam2rego.terraform.pack import pack_files
    from iam2rego.terraform.policies import KEY_POLICY_ATTRS

    [attrs] = get_engine("opa").evaluate(pack_files(), "data.iam2rego.gate.kms_policy_attrs", [{}], {})
    assert {t: (v["attr"], v["kind"]) for t, v in attrs.items()} == KEY_POLICY_ATTRS


@pytest.mark.parametrize("engine", ENGINES)
def test_table_outside_the_plan_is_unverifiable_for_operations_that_need_its_key(engine: str) -> None:
    legacy = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/legacy"
    guardrails = [
        {"id": op, "kind": "require", "operation": op, "principals": {"names": ["restore-iam-only"]},
         "resources": {"arns": [legacy]}}
        for op in ("restore_table_from_backup", "create_backup")
    ]  # fmt: skip
    report = evaluate(PLAN, {"iam2rego_gate": {"account_id": ACCOUNT, "guardrails": guardrails}}, engine)
    [f] = _hits(report)
    assert (f["guardrail"], f["answer"]) == ("restore_table_from_backup", "unverifiable")
    assert "the table is not in the plan" in f["detail"]


@pytest.mark.slow
def test_embedded_engine_binds_the_right_key_policy() -> None:
    """regopy 1.5.2 mis-handles a function argument inside a comprehension: kms.rego once bound the
    policy of aws_kms_key_policy.separate to every key on the embedded engine (strict then passed)."""
    cfg = _config("require", "restore-iam-only", ["strict", "granted", "open", "separate"])
    assert _rows(evaluate(PLAN, cfg, "embedded")) == [("granted", "denied"), ("strict", "denied")]

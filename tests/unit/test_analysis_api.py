"""The analysis from Python (iam2rego.api.analyze) and the CLI's --open mode, on real OPA and on the
embedded engine (regopy): the issue 10 examples answer `conditional` with the condition in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.api import analyze, policy_doc, policy_set, question
from iam2rego.cli import main

BACKUP = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d"
ALICE = {"arn": "arn:aws:iam::123456789012:user/alice", "account": "123456789012", "type": "IAMUser"}


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}
MFA_DENY = {
    "Sid": "NeedMFA",
    "Effect": "Deny",
    "Action": "dynamodb:DeleteBackup",
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def _grant(op: str, key: str, value: str) -> dict:
    return {
        "Effect": "Allow",
        "Action": "dynamodb:DeleteBackup",
        "Resource": "*",
        "Condition": {op: {key: value}},
    }


CASES = [
    (_doc(ALLOW, MFA_DENY), "conditional", "allowed when aws:MultiFactorAuthPresent is true"),
    (
        _doc(_grant("IpAddress", "aws:SourceIp", "10.0.0.0/8")),
        "conditional",
        "allowed when aws:SourceIp is in 10.0.0.0/8",
    ),
    (
        _doc(_grant("StringEquals", "aws:PrincipalTag/team", "ops")),
        "conditional",
        "allowed when aws:PrincipalTag/team is ops",
    ),
    (
        _doc(_grant("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z")),
        "conditional",
        "allowed when aws:CurrentTime is before 2027-01-01T00:00:00Z",
    ),
    (_doc(ALLOW), "allowed", "allowed in every request context"),
    (
        _doc({"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "*"}),
        "denied",
        "denied in every request context",
    ),
]


def _questions() -> list[dict]:
    return [
        question(
            {"caller": policy_set([policy_doc("p", json.dumps(doc))])},
            {"action": "dynamodb:DeleteBackup", "resource": BACKUP, "principal": ALICE},
        )
        for doc, _, _ in CASES
    ]


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "embedded"])
def test_why_examples_answer_conditional_with_words(engine: str, opa_bin: str) -> None:
    opts = {"opa_path": opa_bin} if engine == "opa" else {}
    answers = analyze(_questions(), engine=engine, **opts)
    assert [(a["answer"], a["words"]) for a in answers if a] == [(ans, words) for _, ans, words in CASES]


@pytest.mark.opa
def test_pins_fix_a_key(opa_bin: str) -> None:
    policies = {"caller": policy_set([policy_doc("p", _doc(ALLOW, MFA_DENY))])}
    req = {"action": "dynamodb:DeleteBackup", "resource": BACKUP, "principal": ALICE}
    with_mfa, without = analyze(
        [
            question(policies, req, pins={"aws:MultiFactorAuthPresent": True}),
            question(policies, req, fixed=["aws:MultiFactorAuthPresent"]),
        ],
        engine="opa",
        opa_path=opa_bin,
    )
    assert with_mfa and with_mfa["answer"] == "allowed"
    assert without and without["answer"] == "denied"
    assert without["checks"][0]["best"]["reasons"][0]["sid"] == "NeedMFA"


def _write(tmp_path: Path, doc: dict) -> str:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc, indent=2))
    return str(path)


@pytest.mark.opa
def test_explain_open_prints_the_condition(
    tmp_path: Path, opa_bin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    req = json.dumps({"action": "dynamodb:DeleteBackup", "resource": BACKUP})
    rc = main(
        [
            "explain",
            "--open",
            "--engine",
            "opa",
            "--input",
            req,
            _write(tmp_path, _doc(ALLOW, MFA_DENY)),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert out.splitlines()[:2] == [
        "answer: conditional",
        "  allowed when aws:MultiFactorAuthPresent is true",
    ]


@pytest.mark.opa
def test_eval_open_with_pin(tmp_path: Path, opa_bin: str, capsys: pytest.CaptureFixture[str]) -> None:
    req = json.dumps({"action": "dynamodb:DeleteBackup", "resource": BACKUP})
    argv = ["eval", "--open", "--engine", "opa", "--input", req]
    rc = main([*argv, "--pin", "aws:MultiFactorAuthPresent=false", _write(tmp_path, _doc(ALLOW, MFA_DENY))])
    answer = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert answer["answer"] == "denied"


def test_pin_without_open_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = json.dumps({"action": "dynamodb:DeleteBackup", "resource": BACKUP})
    rc = main(["eval", "--engine", "embedded", "--input", req, "--pin", "a=b", _write(tmp_path, _doc(ALLOW))])
    assert rc == 2
    assert "--pin and --fixed need --open" in capsys.readouterr().err


def test_open_rejects_an_invalid_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}'
    )
    req = json.dumps({"action": "dynamodb:DeleteBackup", "resource": BACKUP})
    rc = main(["eval", "--open", "--engine", "embedded", "--input", req, str(bad)])
    assert rc == 2
    assert "V-DUP" in capsys.readouterr().err


OFFICE_DENY = {
    "Sid": "OfficeOnly",
    "Effect": "Deny",
    "Action": "*",
    "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
}


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "embedded"])
def test_restore_sourceip_deny_needs_a_viaawsservice_exception(engine: str, opa_bin: str) -> None:
    with_exception = {
        **OFFICE_DENY,
        "Condition": {**OFFICE_DENY["Condition"], "Bool": {"aws:ViaAWSService": "false"}},
    }
    op = {
        "operation": "restore_table_from_backup",
        "backup": BACKUP,
        "target_table": "arn:aws:dynamodb:us-east-1:123456789012:table/OrdersRestored",
        "principal": ALICE,
    }
    questions = [
        question({"caller": policy_set([policy_doc("p", _doc(ALLOW, deny))])}, op)
        for deny in (OFFICE_DENY, with_exception)
    ]
    blocked, allowed = analyze(questions, engine=engine)
    assert blocked and blocked["answer"] == "denied"
    denied = [c for c in blocked["failing"] if c["answer"] == "denied"]
    assert {c["kind"] for c in denied} == {"svc"} and len(denied) == 7
    assert all(c["best"]["reasons"][0]["sid"] == "OfficeOnly" for c in denied)
    assert [c["words"] for c in blocked["failing"] if c["kind"] == "primary"] == [
        "allowed when aws:SourceIp is in 192.0.2.0/24"
    ]
    assert allowed and allowed["answer"] == "conditional"
    assert allowed["words"] == (
        "allowed unless aws:SourceIp is not in 192.0.2.0/24 (or absent) and aws:ViaAWSService is false"
    )


GOOD = {
    "answer": "conditional",
    "exact": True,
    "words": "allowed when x",
    "condition": {"all": []},
    "atoms": {},
    "checks": [{"answer": "conditional", "exact": True, "words": "allowed when x", "condition": {"all": []}}],
}


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {**GOOD, "answer": "maybe"},
        {**GOOD, "condition": None},
        {**GOOD, "checks": []},
        {**GOOD, "answer": "allowed"},  # a conditional check cannot make the answer allowed
        {**GOOD, "answer": "conditional", "checks": [{**GOOD["checks"][0], "answer": "denied"}]},
    ],
)
def test_wrong_shaped_analysis_answers_are_engine_errors(bad: object) -> None:
    from iam2rego import answers
    from iam2rego.errors import EngineError

    assert answers.problem("analysis", GOOD) is None
    with pytest.raises(EngineError):
        answers.require("analysis", [bad], "fake", "data.iam2rego.analysis.answer")

"""terraform/findings.py without an engine: the suppression policy, baseline entries, JUnit skipped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from iam2rego.codes import CODES, INLINE_LINT
from iam2rego.diagnostics import Severity
from iam2rego.report import gate_junit
from iam2rego.terraform.findings import (
    BaselineError,
    Policy,
    answer_key,
    baseline_text,
    build,
    failed,
    read_baseline,
)
from iam2rego.terraform.locate import SourceIndex

STATEMENT = {"policy": "aws_iam_role_policy.p", "sid": "Delete", "statement_index": 0, "effect": "Allow"}
ALLOW = {"Effect": "Allow", "Action": "dynamodb:DeleteBackup", "Resource": "*"}
CONDITIONAL = {**ALLOW, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}


def _finding(answer: str = "allowed", condition: str | None = None, code: str = "IAM2REGO-GUARDRAIL") -> dict:
    return {
        "code": code,
        "guardrail": "no-delete" if code == "IAM2REGO-GUARDRAIL" else code,
        "msg": f"{code} a finding",
        "severity": "deny",
        "principal": {"address": "aws_iam_role.r", "arn": None, "type": "role"},
        "resource": None,
        "statement": STATEMENT,
        "answer": answer,
        "condition": condition,
    }


def _report(finding: dict, statement: dict) -> dict:
    return {"deny": [finding], "warn": [], "statements": {"aws_iam_role_policy.p#0": statement}}


INDEX = SourceIndex({}, "plan.json", None)


def test_the_default_inline_policy_allows_lint_codes_only() -> None:
    policy = Policy.from_config({})
    assert (policy.inline, policy.baseline) == ("lint", "allow")
    assert set(CODES) >= INLINE_LINT
    for code in INLINE_LINT:
        assert policy.inline_allows(code, code)
    for code in ("IAM2REGO-GUARDRAIL", "IAM2REGO-NEW-ACCESS", "IAM2REGO-UNVERIFIABLE", "W-BROAD-ALLOW"):
        assert not policy.inline_allows(code, code)
    assert not policy.inline_allows("IAM2REGO-GUARDRAIL", "no-delete")  # a guardrail id is not lint


@pytest.mark.parametrize(
    ("inline", "code", "key", "allowed"),
    [
        ("deny", "W-PLACEHOLDER", "W-PLACEHOLDER", False),
        ("allow", "IAM2REGO-GUARDRAIL", "no-delete", True),
        (["no-delete"], "IAM2REGO-GUARDRAIL", "no-delete", True),
        (["IAM2REGO-GUARDRAIL"], "IAM2REGO-GUARDRAIL", "no-delete", True),
        (["W-PLACEHOLDER"], "IAM2REGO-GUARDRAIL", "IAM2REGO-GUARDRAIL", False),
        (["W-PLACEHOLDER"], "IAM2REGO-LISTBACKUPS-ON-TABLE", "IAM2REGO-LISTBACKUPS-ON-TABLE", False),
    ],
)
def test_suppressions_inline_modes(inline: object, code: str, key: str, allowed: bool) -> None:
    assert Policy.from_config({"suppressions": {"inline": inline}}).inline_allows(code, key) is allowed


def test_the_answer_key_changes_with_the_answer_and_the_deciding_statement() -> None:
    conditional = answer_key(_finding("conditional", "MFA"), {"aws_iam_role_policy.p#0": CONDITIONAL})
    assert conditional == answer_key(
        _finding("conditional", "MFA"), {"aws_iam_role_policy.p#0": dict(CONDITIONAL)}
    )
    assert answer_key(_finding("allowed"), {"aws_iam_role_policy.p#0": CONDITIONAL}) != conditional
    same_answer = answer_key(
        _finding("conditional", "MFA"), {"aws_iam_role_policy.p#0": {**CONDITIONAL, "Resource": "x"}}
    )
    assert same_answer["answer"] == "conditional" and same_answer["statements"] != conditional["statements"]


def test_a_baseline_matches_only_the_recorded_answer(tmp_path: Path) -> None:
    before = build(_report(_finding("conditional", "MFA"), CONDITIONAL), INDEX)
    path = tmp_path / "baseline.json"
    path.write_text(baseline_text(before, {"aws_iam_role_policy.p#0": CONDITIONAL}))
    baseline = read_baseline(str(path))
    [same] = build(_report(_finding("conditional", "MFA"), CONDITIONAL), INDEX, baseline)
    assert same.baselined and not failed([same], "deny")
    assert same.diagnostic().severity == Severity.INFO  # listed, not dropped
    [wider] = build(_report(_finding("allowed"), ALLOW), INDEX, baseline)
    assert wider.fingerprint == same.fingerprint and not wider.baselined and failed([wider], "deny")
    assert wider.notes == ("in the baseline as conditional, but its answer or deciding statement changed",)


def test_old_and_foreign_baselines_are_refused(tmp_path: Path) -> None:
    old = tmp_path / "v1.json"
    old.write_text(json.dumps({"version": 1, "findings": {"a" * 32: "message"}}))
    with pytest.raises(BaselineError, match=r"version 1 baseline .* --write-baseline"):
        read_baseline(str(old))
    odd = tmp_path / "v2.json"
    odd.write_text(json.dumps({"version": 2, "findings": {"a" * 32: "message"}}))
    with pytest.raises(BaselineError, match="not an iam2rego baseline"):
        read_baseline(str(odd))


def test_junit_lists_a_suppressed_deny_as_skipped() -> None:
    excepted = {**_finding(), "exception": {"guardrail": "no-delete", "reason": "SEC-1", "owner": "ops"}}
    located = build({"deny": [], "warn": [excepted]}, INDEX)
    root = ET.fromstring(gate_junit.render(located, guardrails=["no-delete"], principals=["aws_iam_role.r"]))
    [case] = root.iter("testcase")
    [skipped] = case.findall("skipped")
    assert "SEC-1 (owner ops)" in skipped.get("message", "") and case.find("failure") is None
    assert root.get("skipped") == "1"
    active = build({"deny": [_finding()], "warn": [excepted]}, INDEX)
    root = ET.fromstring(gate_junit.render(active, guardrails=["no-delete"], principals=["aws_iam_role.r"]))
    [case] = root.iter("testcase")
    assert case.find("failure") is not None and case.find("skipped") is None

"""Documented limits (docs/LIMITS.md): just below each one works, just above is one clear V-LIMIT
diagnostic with a location, and every limit is well above the AWS quota it guards."""

from __future__ import annotations

import json

import pytest
from iam2rego.api import parse_policy
from iam2rego.diagnostics import Severity
from iam2rego.ir import PolicyKind
from iam2rego.lower import DEFAULT_LIMITS
from iam2rego.validate import SIZE_QUOTAS

STATEMENT = {"Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": "*"}
# The most statements an AWS policy can hold: the largest quota (20,480 chars, resource policies)
# over the smallest valid statement ('{"Effect":"Allow","Action":"*","Resource":"*"}', 46 chars).
AWS_MAX_STATEMENTS = max(limit for limit, _, _ in SIZE_QUOTAS.values()) // 46


def _policy(n_statements: int, pad_to: int | None = None) -> str:
    text = json.dumps(
        {"Version": "2012-10-17", "Statement": [STATEMENT] * n_statements}, separators=(",", ":")
    )
    if pad_to is not None:
        assert len(text) <= pad_to
        text = text[:-1] + " " * (pad_to - len(text)) + "}"
    return text


def _limit_errors(text: str, kind: PolicyKind = PolicyKind.RESOURCE) -> list:
    policy, diags = parse_policy(text, "big.json", kind)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert (policy is None) == bool(errors)
    return [d for d in errors if d.code == "V-LIMIT"]


def test_limits_are_well_above_aws_quotas() -> None:
    assert DEFAULT_LIMITS.max_chars >= 50 * max(limit for limit, _, _ in SIZE_QUOTAS.values())
    assert DEFAULT_LIMITS.max_depth >= 10 * 6  # an IAM document nests at most 6 levels
    assert DEFAULT_LIMITS.max_statements >= 4 * AWS_MAX_STATEMENTS


def test_input_of_exactly_the_size_limit_is_accepted() -> None:
    text = _policy(3, pad_to=DEFAULT_LIMITS.max_chars)
    assert len(text) == DEFAULT_LIMITS.max_chars
    assert _limit_errors(text) == []
    policy, _ = parse_policy(text, "big.json", PolicyKind.RESOURCE)
    assert policy is None or len(policy.statements) == 3  # (V-PRINCIPAL: no Principal) - not a limit


def test_input_one_character_over_the_size_limit_is_v_limit() -> None:
    text = _policy(3, pad_to=DEFAULT_LIMITS.max_chars + 1)
    [d] = _limit_errors(text)
    assert (d.span.line, d.span.column, dict(d.data)["limit"]) == (1, 1, "max_chars")


def _nested(depth: int) -> str:
    # depth counts every [ and { : the policy object, the Statement array, the statement, then arrays
    inner = "[" * (depth - 3) + '"x"' + "]" * (depth - 3)
    return '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":' + inner + ',"Resource":"*"}]}'


def test_nesting_at_the_depth_limit_is_not_a_limit_error() -> None:
    text = _nested(DEFAULT_LIMITS.max_depth)
    assert _limit_errors(text, PolicyKind.IDENTITY) == []  # (V-ACTION: nested arrays) - not a limit


def test_nesting_one_deeper_than_the_limit_is_v_limit_at_the_opener() -> None:
    text = _nested(DEFAULT_LIMITS.max_depth + 1)
    [d] = _limit_errors(text, PolicyKind.IDENTITY)
    offset = text.index("[" * (DEFAULT_LIMITS.max_depth - 2)) + DEFAULT_LIMITS.max_depth - 3
    assert (d.span.line, d.span.column, dict(d.data)["limit"]) == (1, offset + 1, "max_depth")


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.SCP])
def test_statement_count_at_the_limit_is_accepted(kind: PolicyKind) -> None:
    policy, diags = parse_policy(_policy(DEFAULT_LIMITS.max_statements), "many.json", kind)
    assert policy is not None, [(d.code, d.message) for d in diags if d.severity is Severity.ERROR]
    assert len(policy.statements) == DEFAULT_LIMITS.max_statements


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.SCP])
def test_one_statement_over_the_limit_is_v_limit_at_the_statement_array(kind: PolicyKind) -> None:
    text = _policy(DEFAULT_LIMITS.max_statements + 1)
    policy, diags = parse_policy(text, "many.json", kind)
    assert policy is None
    [d] = [d for d in diags if d.code == "V-LIMIT"]
    assert (d.span.line, d.span.column, dict(d.data)["limit"]) == (1, text.index("[") + 1, "max_statements")
    assert d.hint


def test_statement_limit_is_configurable() -> None:
    from iam2rego.lower import Limits

    policy, diags = parse_policy(_policy(3), "p.json", limits=Limits(max_statements=2))
    assert policy is None and [d.code for d in diags] == ["V-LIMIT"]

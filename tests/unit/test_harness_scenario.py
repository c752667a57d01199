"""Scenario loading: YAML syntax errors, duplicate keys, schema and case errors carry file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from iam2rego.diagnostics import IamError
from iam2rego.harness.scenario import (
    CASE,
    DUPLICATE_KEY,
    POLICY,
    SCHEMA,
    YAML_SYNTAX,
    discover,
    load_suite,
    merge_context,
)

POLICY_JSON = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}'
)


def write(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    (tmp_path / "p.json").write_text(POLICY_JSON)
    path = tmp_path / name
    path.write_text(text)
    return path


def errors(path: Path) -> list[tuple[str, int, int]]:
    with pytest.raises(IamError) as exc:
        load_suite(path)
    return [(d.code, d.span.line, d.span.column) for d in exc.value.diagnostics]


def test_yaml_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "cases:\n  - name: a\n    action: [x\n")
    assert errors(path) == [(YAML_SYNTAX, 4, 1)]


def test_duplicate_key_reports_the_second_key(tmp_path: Path) -> None:
    path = write(tmp_path, "policies: {identity: p.json}\ncases:\n  - name: a\n    name: b\n")
    assert errors(path) == [(DUPLICATE_KEY, 4, 5)]


def test_bad_expect_value_points_at_the_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "cases:\n"
            "  - name: a\n"
            "    action: dynamodb:CreateBackup\n"
            "    resource: '*'\n"
            "    expect: alow\n"
        ),
    )
    assert errors(path) == [(SCHEMA, 6, 13)]


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "cases:\n"
            "  - name: a\n"
            "    create_backup: {table: t}\n"
            "    expect: allowed\n"
            "    expectt: denied\n"
        ),
    )
    assert errors(path) == [(SCHEMA, 6, 5)]


def test_missing_operation_parameter_points_at_the_operation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "cases:\n"
            "  - name: a\n"
            "    restore_table_from_backup: {backup: b}\n"
            "    expect: denied\n"
        ),
    )
    assert errors(path) == [(SCHEMA, 4, 32)]


def test_request_with_operation_expectation_is_a_case_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "cases:\n"
            "  - name: a\n"
            "    action: dynamodb:CreateBackup\n"
            "    resource: '*'\n"
            "    expect: allowed\n"
        ),
    )
    assert errors(path) == [(CASE, 6, 13)]


def test_duplicate_case_names_are_rejected(tmp_path: Path) -> None:
    case = "  - {name: a, action: dynamodb:ListBackups, resource: '*', expect: allow}\n"
    path = write(tmp_path, "policies: {identity: p.json}\ncases:\n" + case + case)
    assert errors(path) == [(CASE, 4, 12)]


def test_missing_policy_file_is_reported_where_it_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "policies:\n  identity:\n    - nope.json\ncases: []\n")
    assert errors(path) == [(POLICY, 3, 7)]


def test_case_context_overrides_suite_context_case_insensitively_and_null_removes() -> None:
    merged = merge_context(
        {"aws:SourceIp": "1.2.3.4", "aws:ViaAWSService": "false"},
        {"AWS:SOURCEIP": "5.6.7.8", "aws:viaawsservice": None},
    )
    assert merged == {"AWS:SOURCEIP": "5.6.7.8"}


def test_request_gets_the_region_of_its_arn_unless_given(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "context: {aws:PrincipalAccount: '123456789012'}\n"
            "cases:\n"
            "  - {name: a, action: dynamodb:CreateBackup, expect: allow,\n"
            "     resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T'}\n"
            "  - {name: b, action: dynamodb:CreateBackup, expect: allow, context: {aws:RequestedRegion: us-east-1},\n"
            "     resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T'}\n"
        ),
    )
    a, b = load_suite(path).cases
    assert a.input["context"] == {"aws:PrincipalAccount": "123456789012", "aws:RequestedRegion": "eu-west-1"}
    assert b.input["context"]["aws:RequestedRegion"] == "us-east-1"


def test_case_options_override_suite_options(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        (
            "policies: {identity: p.json}\n"
            "options: {mode: docs, lenient_json: true}\n"
            "cases:\n"
            "  - {name: a, create_backup: {table: t}, expect: allowed, options: {mode: sar-strict}}\n"
        ),
    )
    (case,) = load_suite(path).cases
    assert case.options == {"mode": "sar-strict", "lenient_json": True}
    assert case.input == {"operation": "create_backup", "table": "t", "context": {}}


def test_discover_finds_only_yaml_files_with_cases(tmp_path: Path) -> None:
    write(tmp_path, "policies: {identity: p.json}\ncases: []\n", "a.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text("expect_compile_error: V-JSON\npolicies: {identity: ../p.json}\n")
    (tmp_path / "other.yaml").write_text("not_a_suite: true\n")
    assert [p.name for p in discover([tmp_path])] == ["a.yaml", "b.yml"]

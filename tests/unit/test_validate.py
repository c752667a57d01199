"""Policy validation: every V-* code with its position; IR shape; load_policy IO errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.api import load_policy, parse_policy
from iam2rego.diagnostics import Severity
from iam2rego.ir import Effect, PolicyKind

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed" / "policies"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Music"


def _codes(text: str, kind: PolicyKind = PolicyKind.IDENTITY, **kw: object) -> list[tuple[str, str]]:
    policy, diags = parse_policy(text, "p.json", kind, **kw)  # type: ignore[arg-type]
    errors = [(d.code, d.span.location()) for d in diags if d.severity is Severity.ERROR]
    if errors:
        assert policy is None
    return errors


def _stmt(body: str, version: str = '"Version": "2012-10-17", ') -> str:
    return "{\n" + version + '"Statement": [\n' + body + "\n]}"


def _at(body: str, needle: str, line: int = 3) -> str:
    """line:col of the first occurrence of ``needle`` in a statement body placed on ``line``."""
    return f"{line}:{body.index(needle) + 1}"


OK = '{"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "' + ARN + '"}'


@pytest.mark.parametrize("path", sorted(p.name for p in SEED.glob("example[1-7]*.json")))
def test_seed_examples_1_to_7_are_valid(path: str) -> None:
    policy, diags = load_policy(str(SEED / path))
    assert policy is not None
    assert [d for d in diags if d.severity is Severity.ERROR] == []


def test_example8_is_rejected_with_v_json_at_18_1() -> None:
    policy, diags = load_policy(str(SEED / "example8-allow-aws-backup-features.json"))
    assert policy is None
    assert [(d.code, d.span.location()) for d in diags] == [("V-JSON", "18:1")]


def test_example8_lenient_is_accepted_with_warning() -> None:
    policy, diags = load_policy(str(SEED / "example8-allow-aws-backup-features.json"), lenient_json=True)
    assert policy is not None and policy.statements[0].sid is not None
    assert policy.statements[0].sid.value == "DescribeQueryScanBooksTable"
    assert [(d.code, d.span.location()) for d in diags] == [("W-TRAILING-DATA", "18:1")]


def test_ir_shape_of_a_lone_statement_object_with_scalars() -> None:
    text = '{"Version": "2012-10-17", "Statement": ' + OK + "}"
    policy, diags = parse_policy(text, "dir/my-policy.json")
    assert diags == [] and policy is not None
    assert policy.name == "my-policy" and policy.variables_enabled
    (st,) = policy.statements
    assert st.index == 0 and st.effect is Effect.ALLOW and st.sid is None
    assert [a.value for a in st.action.items] == ["dynamodb:CreateBackup"] and not st.action.negated
    assert [r.value for r in st.resource.items] == [ARN]
    column = text.index('"dynamodb:CreateBackup"') + 1
    assert st.action.items[0].span.location() == f"1:{column}"


def test_conditions_are_canonicalised() -> None:
    body = (
        '{"Effect": "Deny", "NotAction": ["s3:*"], "NotResource": "*", "Condition": {'
        '"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]}, '
        '"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:max-keys": 10}}}'
    )
    policy, diags = parse_policy(_stmt(body), "c.json")
    assert diags == [] and policy is not None
    conds = policy.statements[0].conditions
    assert [(c.base, c.qualifier, c.if_exists, c.key.value) for c in conds] == [
        ("StringLike", "ForAnyValue", True, "aws:TagKeys"),
        ("Bool", "", False, "aws:SecureTransport"),
        ("NumericLessThan", "", False, "s3:max-keys"),
    ]
    assert [(v.text, v.json_type) for c in conds for v in c.values] == [
        ("a*", "string"),
        ("b", "string"),
        ("false", "boolean"),
        ("10", "number"),
    ]
    assert policy.statements[0].action.negated and policy.statements[0].resource.negated


def test_missing_version_warns_and_disables_variables() -> None:
    policy, diags = parse_policy(_stmt(OK, version=""), "v.json")
    assert policy is not None and not policy.variables_enabled
    assert [(d.code, d.span.location()) for d in diags] == [("W-VERSION-MISSING", "1:1")]


# ---------------------------------------------------------------- one test per V-* code


def test_v_dup_duplicate_member_anywhere() -> None:
    body = '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",\n "Effect": "Deny"}'
    assert ("V-DUP", "4:2") in _codes(_stmt(body))
    assert ("V-DUP", "1:19") in _codes('{"Statement": [], "Statement": []}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", [("V-TOP", "1:1")]),
        ('{"Version": "2012-10-17"}', [("V-TOP", "1:1")]),
        ('{"Version": "2012-10-18", "Statement": ' + OK + "}", [("V-TOP", "1:13")]),
        ('{"Version": "2012-10-17", "Statment": [], "Statement": ' + OK + "}", [("V-TOP", "1:27")]),
        ('{"Statement": []}', [("V-TOP", "1:15")]),
        ('{"Statement": "x"}', [("V-TOP", "1:15")]),
        ('{"Id": 5, "Statement": ' + OK + "}", [("V-TOP", "1:8")]),
    ],
)
def test_v_top(text: str, expected: list[tuple[str, str]]) -> None:
    assert _codes(text) == expected


def test_v_stmt_unknown_or_miscased_element_and_non_object() -> None:
    body = '{"effect": "Allow", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n42'
    assert _codes(_stmt(body)) == [("V-STMT", "3:2"), ("V-STMT", "4:1")]


@pytest.mark.parametrize(
    ("effect", "location"),
    [('"allow"', "3:12"), ('"Permit"', "3:12"), ("true", "3:12")],
)
def test_v_effect_value(effect: str, location: str) -> None:
    body = '{"Effect": ' + effect + ', "Action": "s3:GetObject", "Resource": "*"}'
    assert _codes(_stmt(body)) == [("V-EFFECT", location)]


def test_v_effect_missing() -> None:
    assert _codes(_stmt('{"Action": "s3:GetObject", "Resource": "*"}')) == [("V-EFFECT", "3:1")]


@pytest.mark.parametrize(
    ("action", "location"),
    [
        ('"GetObject"', "3:31"),
        ('"s3:Get:Object"', "3:31"),
        ('"s*:GetObject"', "3:31"),
        ('"s3:"', "3:31"),
        ('"s 3:GetObject"', "3:31"),
        ("[]", "3:31"),
        ("[1]", "3:32"),
    ],
)
def test_v_action_values(action: str, location: str) -> None:
    body = '{"Effect": "Allow", "Action": ' + action + ', "Resource": "*"}'
    assert _codes(_stmt(body)) == [("V-ACTION", location)]


def test_v_action_both_and_neither() -> None:
    both = '{"Effect": "Allow", "Action": "s3:A", "NotAction": "s3:B", "Resource": "*"}'
    assert _codes(_stmt(both)) == [("V-ACTION", _at(both, '"NotAction"'))]
    assert _codes(_stmt('{"Effect": "Allow", "Resource": "*"}')) == [("V-ACTION", "3:1")]


@pytest.mark.parametrize(
    "resource",
    [
        '"table/Music"',
        '"arn:aws:dynamodb:us-east-1:123456789012"',
        '"arn:aws:dynamo*:us-east-1:123456789012:table/x"',
        '"aws:arn:dynamodb:us-east-1:123456789012:table/x"',
    ],
)
def test_v_resource_values(resource: str) -> None:
    body = '{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": ' + resource + "}"
    assert _codes(_stmt(body)) == [("V-RESOURCE", _at(body, resource))]


def test_v_resource_missing_in_identity_but_optional_in_scp() -> None:
    body = '{"Effect": "Deny", "Action": "dynamodb:DeleteBackup"}'
    assert _codes(_stmt(body)) == [("V-RESOURCE", "3:1")]
    policy, diags = parse_policy(_stmt(body), "scp.json", PolicyKind.SCP)
    assert diags == [] and policy is not None
    assert [r.value for r in policy.statements[0].resource.items] == ["*"]


def test_v_principal_forbidden_in_identity_kinds() -> None:
    body = '{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}'
    for kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP):
        assert _codes(_stmt(body), kind) == [("V-PRINCIPAL", "3:21")]


def test_v_principal_required_and_parsed_in_resource_policies() -> None:
    missing = '{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}'
    assert _codes(_stmt(missing), PolicyKind.RESOURCE) == [("V-PRINCIPAL", "3:1")]
    body = (
        '{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"], "Service": "backup.amazonaws.com"},'
        ' "Action": "dynamodb:GetItem", "Resource": "*"}'
    )
    policy, diags = parse_policy(_stmt(body), "rbp.json", PolicyKind.RESOURCE)
    assert diags == [] and policy is not None and policy.statements[0].principal is not None
    assert [(e.kind, e.value.value) for e in policy.statements[0].principal.entries] == [
        ("AWS", "arn:aws:iam::123456789012:root"),
        ("Service", "backup.amazonaws.com"),
    ]
    bad = '{"Effect": "Allow", "Principal": {"Aws": "x"}, "Action": "dynamodb:GetItem", "Resource": "*"}'
    assert _codes(_stmt(bad), PolicyKind.RESOURCE) == [("V-PRINCIPAL", "3:35")]
    notp = '{"Effect": "Allow", "NotPrincipal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}'
    assert _codes(_stmt(notp), PolicyKind.RESOURCE) == [("V-PRINCIPAL", "3:21")]


def test_v_principal_rcp_must_be_star() -> None:
    ok = '{"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}'
    assert _codes(_stmt(ok), PolicyKind.RCP) == []
    bad = '{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*"}'
    assert _codes(_stmt(bad), PolicyKind.RCP) == [("V-PRINCIPAL", "3:33")]


@pytest.mark.parametrize(
    ("condition", "offender"),
    [
        ('{"StringEqualz": {"aws:username": "a"}}', '"StringEqualz"'),
        ('{"stringequals": {"aws:username": "a"}}', '"stringequals"'),
        ('{"ForEveryValue:StringEquals": {"aws:TagKeys": "a"}}', '"ForEveryValue'),
        ('{"NullIfExists": {"aws:TagKeys": "true"}}', '"NullIfExists"'),
        ('{"StringEquals": "a"}', '"a"'),
        ('{"StringEquals": {"aws:username": {"x": 1}}}', '{"x"'),
        ('{"StringEquals": {"aws:username": [null]}}', "null"),
        ('"x"', '"x"'),
    ],
)
def test_v_cond(condition: str, offender: str) -> None:
    body = '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": ' + condition + "}"
    assert _codes(_stmt(body)) == [("V-COND", _at(body, offender))]


def test_v_sid_characters_and_uniqueness() -> None:
    a = '{"Sid": "Bad Sid!", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}'
    assert _codes(_stmt(a)) == [("V-SID", "3:9")]
    b = '{"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n' + (
        '{"Sid": "One", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}'
    )
    assert _codes(_stmt(b)) == [("V-SID", "4:9")]
    # resource-based policies allow other Sid characters (other services do)
    c = '{"Sid": "Allow backup", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}'
    assert _codes(_stmt(c), PolicyKind.RESOURCE) == []


@pytest.mark.parametrize(
    ("resource", "bad"),
    [
        ('"arn:aws:dynamodb:${aws:RequestedRegion}:123456789012:table/x"', True),
        ('"arn:aws:dynamodb:us-east-1:123456789012:table/${aws:username"', True),
        ('"arn:aws:dynamodb:us-east-1:123456789012:table/${}"', True),
        ('"arn:aws:dynamodb:us-east-1:123456789012:table/${aws:username}"', False),
        ("\"arn:aws:dynamodb:us-east-1:123456789012:table/${aws:PrincipalTag/t, 'd'}-${*}\"", False),
    ],
)
def test_v_var(resource: str, bad: bool) -> None:
    body = '{"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": ' + resource + "}"
    assert _codes(_stmt(body)) == ([("V-VAR", _at(body, resource))] if bad else [])


def test_v_var_malformed_in_condition_value_and_not_in_2008() -> None:
    body = (
        '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", '
        '"Condition": {"StringLike": {"s3:prefix": "home/${aws:username"}}}'
    )
    assert _codes(_stmt(body)) == [("V-VAR", "3:106")]
    assert _codes(_stmt(body, version='"Version": "2008-10-17", ')) == []


def test_v_size_warns_and_errors_with_enforce_size() -> None:
    actions = ", ".join(f'"dynamodb:Action{i:05d}"' for i in range(300))
    body = '{"Effect": "Allow", "Action": [' + actions + '], "Resource": "*"}'
    policy, diags = parse_policy(_stmt(body), "big.json")
    assert policy is not None
    assert [(d.code, d.severity) for d in diags] == [("V-SIZE", Severity.WARNING)]
    assert _codes(_stmt(body), enforce_size=True) == [("V-SIZE", "1:1")]


def test_v_size_resource_policy_counts_whitespace() -> None:
    body = '{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}'
    padded = _stmt(body) + " " * 21_000
    assert _codes(padded, PolicyKind.RESOURCE, enforce_size=True) == [("V-SIZE", "1:1")]
    no_principal = _stmt(body.replace('"Principal": "*", ', "")) + " " * 21_000
    assert _codes(no_principal, PolicyKind.IDENTITY, enforce_size=True) == []


def test_v_chars_only_in_iam_kinds_and_reported_per_character() -> None:
    body = '{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u4e2d"}'
    assert _codes(_stmt(body)) == [("V-CHARS", _at(body, "\u4e2d"))]
    # Latin-1 is fine; escaped characters are ASCII text in the document.
    ok = '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u00e9\\u4e2d"}'
    assert _codes(_stmt(ok)) == []
    rbp = (
        '{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\u4e2d"}'
    )
    assert _codes(_stmt(rbp), PolicyKind.RESOURCE) == []


def test_all_errors_collected_in_one_pass_and_sorted() -> None:
    body = (
        '{"Effect": "allow", "Action": "GetObject", "Resource": "bucket"},\n'
        '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Foo": {}}}'
    )
    line4 = body.split("\n")[1]
    assert _codes(_stmt(body)) == [
        ("V-EFFECT", _at(body, '"allow"')),
        ("V-ACTION", _at(body, '"GetObject"')),
        ("V-RESOURCE", _at(body, '"bucket"')),
        ("V-COND", _at(line4, '"Foo"', line=4)),
    ]


def test_load_policy_missing_file_and_non_utf8(tmp_path: Path) -> None:
    policy, diags = load_policy(str(tmp_path / "nope.json"))
    assert policy is None and [d.code for d in diags] == ["IO001"]
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"Statement": "\xe9"}')
    policy, diags = load_policy(str(bad))
    assert policy is None and [(d.code, d.span.location()) for d in diags] == [("IO001", "1:16")]


def test_name_override_and_kind_as_string() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": json.loads(OK)})
    policy, _ = parse_policy(text, "x.json", "boundary", name="pb")
    assert policy is not None and policy.name == "pb" and policy.kind is PolicyKind.BOUNDARY

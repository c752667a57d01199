"""The front end never raises on hostile input, and valid documents round-trip into the IR.

Five properties x 2,100 examples = 10,500 examples in the default ``ci`` profile;
HYPOTHESIS_PROFILE=fuzz runs 100,000 per property.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from iam2rego.api import parse_policy
from iam2rego.diagnostics import Diagnostic
from iam2rego.ir import JArray, JBool, JNull, JNumber, JObject, JString, JValue, Policy, PolicyKind
from iam2rego.lower import lower_text

KINDS = list(PolicyKind)
ELEMENT_NAMES = [
    "Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition", "AWS", "Service", "StringEquals", "ForAllValues:StringLike",
    "BoolIfExists", "NullIfExists", "aws:TagKeys", "effect", "",
]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(["Allow", "Deny", "*", "2012-10-17", "2008-10-17", "dynamodb:CreateBackup", "s3:*",
                     "arn:aws:dynamodb:us-east-1:123456789012:table/Music", "arn:aws:dynamodb:*:*:table/${aws:username}",
                     "${", "arn:${x}:s3:::b", "x:y:z"]),
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)  # fmt: skip
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(ELEMENT_NAMES), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=25,
)


def _assert_only_diagnostics(result: tuple[Policy | None, list[Diagnostic]]) -> None:
    policy, diags = result
    assert policy is None or isinstance(policy, Policy)
    assert all(isinstance(d, Diagnostic) for d in diags)
    if policy is None:
        assert diags, "a rejected policy must say why"


@given(st.text(max_size=300), st.sampled_from(KINDS), st.booleans())
def test_arbitrary_text_only_yields_diagnostics(text: str, kind: PolicyKind, lenient: bool) -> None:
    _assert_only_diagnostics(parse_policy(text, "fuzz.json", kind, lenient_json=lenient))


@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_yield_diagnostics(data: bytes) -> None:
    text = data.decode("utf-8", errors="surrogateescape")  # lone surrogates reach the parser too
    _assert_only_diagnostics(parse_policy(text, "fuzz.json"))


@given(JSONISH, st.sampled_from(KINDS), st.sampled_from([None, 1, 2]))
def test_iam_shaped_documents_only_yield_diagnostics(doc: Any, kind: PolicyKind, indent: int | None) -> None:
    text = json.dumps(
        {"Version": "2012-10-17", "Statement": doc} if not isinstance(doc, dict) else doc, indent=indent
    )
    _assert_only_diagnostics(parse_policy(text, "doc.json", kind))


@given(st.text(alphabet=st.sampled_from('{}[]":,01 tnruefals\\/\n'), max_size=200), st.booleans())
def test_json_punctuation_soup_only_yields_diagnostics(text: str, lenient: bool) -> None:
    _assert_only_diagnostics(parse_policy(text, "soup.json", lenient_json=lenient))


def _plain(value: JValue) -> Any:
    if isinstance(value, JObject):
        return {m.key.value: _plain(m.value) for m in value.members}
    if isinstance(value, JArray):
        return [_plain(v) for v in value.items]
    if isinstance(value, JString):
        return value.value
    if isinstance(value, JNumber):
        return json.loads(value.text)
    if isinstance(value, JBool):
        return value.value
    assert isinstance(value, JNull)
    return None


def no_var_text(n: int) -> st.SearchStrategy[str]:
    """Condition text without "${": in a 2012-10-17 policy that starts a policy variable, and a
    malformed one is a V-VAR error, which is not what the round trip is about."""
    return st.text(max_size=n).filter(lambda s: "${" not in s)


STATEMENT = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.one_of(st.just("*"), st.lists(st.sampled_from(["dynamodb:CreateBackup", "s3:Get*", "kms:?ecrypt"]),
                                                   min_size=1, max_size=3)),
        "Resource": st.one_of(st.just("*"), st.lists(st.text(alphabet="abcXYZ09/-_*?", min_size=1, max_size=8)
                                                     .map(lambda s: f"arn:aws:dynamodb:us-east-1:123456789012:table/{s}"),
                                                     min_size=1, max_size=3)),
    },
    optional={
        "Sid": st.text(alphabet="abcXYZ019", max_size=6),
        "Condition": st.dictionaries(
            st.sampled_from(["StringEquals", "ForAnyValue:StringLike", "BoolIfExists", "NumericLessThan", "Null"]),
            st.dictionaries(st.sampled_from(["aws:username", "aws:TagKeys", "aws:SecureTransport"]),
                            st.one_of(no_var_text(5), st.integers(), st.booleans(),
                                      st.lists(no_var_text(4), max_size=3)), max_size=2),
            max_size=3,
        ),
    },
)  # fmt: skip


@given(st.lists(STATEMENT, min_size=1, max_size=3), st.sampled_from([None, 2]), st.booleans())
def test_valid_policies_round_trip_into_the_ir(
    statements: list[dict[str, Any]], indent: int | None, ascii_: bool
) -> None:
    for i, s in enumerate(statements):  # Sids must be unique and non-empty to be meaningful
        if "Sid" in s:
            s["Sid"] = f"S{i}{s['Sid']}"
    doc = {"Version": "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_)
    root, diags = lower_text(text, "rt.json")
    assert diags == [] and root is not None
    assert _plain(root) == json.loads(text)
    policy, diags = parse_policy(text, "rt.json", kind="scp")  # scp: no V-CHARS for raw non-Latin-1 text
    assert policy is not None, diags
    for st_ir, st_json in zip(policy.statements, statements, strict=True):
        assert st_ir.effect.value == st_json["Effect"]
        actions = st_json["Action"] if isinstance(st_json["Action"], list) else [st_json["Action"]]
        assert [a.value for a in st_ir.action.items] == actions
        resources = st_json["Resource"] if isinstance(st_json["Resource"], list) else [st_json["Resource"]]
        assert [r.value for r in st_ir.resource.items] == resources
        conds = st_json.get("Condition", {})
        expected = [
            (
                op,
                key,
                [
                    json.dumps(v) if not isinstance(v, str) else v
                    for v in (vals if isinstance(vals, list) else [vals])
                ],
            )
            for op, keys in conds.items()
            for key, vals in keys.items()
        ]
        got = [(c.operator.value, c.key.value, [v.text for v in c.values]) for c in st_ir.conditions]
        assert got == expected
        assert all(text[v.span.offset : v.span.end_offset].startswith(('"', "t", "f", "-")) or
                   text[v.span.offset].isdigit() for c in st_ir.conditions for v in c.values)  # fmt: skip

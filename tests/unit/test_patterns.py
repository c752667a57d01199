"""IAM wildcard translation (SEMANTICS §1.3 table, §4.4 segment rule, §4.5 variables)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam2rego.codegen.patterns import (
    MalformedVariable,
    action_regex,
    parse_pattern,
    plain_resource_regex,
    resource_regex,
    resource_tokens,
)

P = "arn:aws:dynamodb:us-east-1:123456789012:"
COLUMNS = [
    "table/Music",
    "table/MusicCollection",
    "table/Music/backup/01489173575360-b308cd7d",
    "table/Music/index/I",
    "table/Music/stream/2021-12-10T00:00:00.000",
]
# SEMANTICS §1.3, row by row: which of the five request ARNs each Resource pattern covers.
TABLE = {
    "table/Music": [1, 0, 0, 0, 0],
    "table/Music*": [1, 1, 1, 1, 1],
    "table/Music/*": [0, 0, 1, 1, 1],
    "table/Music/backup/*": [0, 0, 1, 0, 0],
    "table/*": [1, 1, 1, 1, 1],
    "table/*/backup/*": [0, 0, 1, 0, 0],
}


def rmatch(pattern: str, value: str, mode: str = "segment", variables: bool = True) -> bool:
    # RE2 and Python re agree on the subset emitted here (no \x{..} escapes in these patterns).
    return re.fullmatch(resource_regex(parse_pattern(pattern, variables), mode)[1:-1], value) is not None


@pytest.mark.parametrize(("pattern", "row"), TABLE.items())
@pytest.mark.parametrize("column", range(5))
def test_semantics_1_3_table_cell(pattern: str, row: list[int], column: int) -> None:
    assert rmatch(P + pattern, P + COLUMNS[column]) is bool(row[column])


def test_inner_star_does_not_cross_a_colon_in_segment_mode_but_does_in_naive_mode() -> None:
    pattern, stream = P + "table/Music/stream/2021-12-10T*.000", P + COLUMNS[4]
    assert not rmatch(pattern, stream)
    assert rmatch(pattern, stream, mode="naive")


def test_segment_final_star_crosses_colons() -> None:
    assert rmatch("arn:aws:dynamodb:*:*:table/Music", P + "table/Music")
    assert rmatch(P + "table/Music/stream/*", P + COLUMNS[4])


def test_question_mark_is_exactly_one_character() -> None:
    assert rmatch(P + "table/M?sic", P + "table/Music")
    assert not rmatch(P + "table/M?sic", P + "table/Msic")


def test_only_star_patterns_match_the_no_resource_request() -> None:
    assert not rmatch("arn:aws:dynamodb:*:*:*", "*")
    assert not rmatch(P + "table/*", "*")


@pytest.mark.parametrize("meta", [".", "[", "]", "{", "}", "(", ")", "|", "^", "$", "+", "\\"])
def test_regex_and_glob_metacharacters_are_literal(meta: str) -> None:
    assert rmatch(P + f"table/a{meta}b", P + f"table/a{meta}b")
    assert not rmatch(P + f"table/a{meta}b", P + "table/aXb")


def test_escaped_wildcards_are_literal_only_with_variables_enabled() -> None:
    assert rmatch(P + "table/Music${*}", P + "table/Music*")
    assert not rmatch(P + "table/Music${*}", P + "table/MusicCollection")
    # 2008-10-17: no substitution, so ${*} is the text "${" + a star + "}"
    assert rmatch(P + "table/Music${*}", P + "table/Music${anything}", variables=False)


def test_variables_become_tokens_with_lower_case_keys_and_defaults() -> None:
    tokens = resource_tokens(
        parse_pattern(P + "table/t-${aws:PrincipalTag/Team, 'shared'}*", True), "segment"
    )
    assert tokens == [
        {"t": "lit", "v": P + "table/t-"},
        {"t": "var", "k": "aws:principaltag/team", "d": "shared"},
        {"t": "star", "cross": True},
    ]


def test_star_before_a_colon_literal_crosses_and_inner_star_does_not() -> None:
    tokens = resource_tokens(parse_pattern("arn:aws:dynamodb:*:${aws:x}*/y", True), "segment")
    assert [t for t in tokens if t["t"] == "star"] == [
        {"t": "star", "cross": True},
        {"t": "star", "cross": False},
    ]
    naive = resource_tokens(parse_pattern("arn:aws:dynamodb:*:${aws:x}*/y", True), "naive")
    assert all(t["cross"] for t in naive if t["t"] == "star")


@pytest.mark.parametrize("text", ["x${", "x${}", "${a,'b'}", "${a b}", "${a, b}"])
def test_malformed_variables_are_rejected(text: str) -> None:
    with pytest.raises(MalformedVariable):
        parse_pattern(text, True)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("dynamodb:*Backup*", "dynamodb:describecontinuousbackups", True),
        ("DynamoDB:createBACKUP", "dynamodb:createbackup", True),
        ("dynamodb:Describe?ackup", "dynamodb:describebackup", True),
        ("dynamodb:*", "s3:putobject", False),
        ("dynamo*:x", "dynamodb:x", False),  # the prefix is literal
        ("dynamodb:[a]*", "dynamodb:a", False),  # [ ] are literal, not a class
        ("dynamodb:[a]*", "dynamodb:[a]x", True),
    ],
)
def test_action_patterns(pattern: str, action: str, expected: bool) -> None:
    rx = action_regex(pattern)
    assert rx is not None
    assert (re.fullmatch(rx[1:-1], action) is not None) is expected


def test_action_pattern_without_service_prefix_matches_nothing() -> None:
    assert action_regex("CreateBackup*") is None


@given(
    st.text(alphabet=st.sampled_from("ab:/*?.$[{\\`\n\u2028é😀"), max_size=30),
    st.sampled_from(["segment", "naive"]),
)
def test_plain_resource_regex_is_the_regex_of_the_pattern_pieces(text: str, mode: str) -> None:
    """The codegen fast path for patterns without ``${`` builds the very same regex."""
    assert plain_resource_regex(text, mode) == resource_regex(parse_pattern(text, False), mode)

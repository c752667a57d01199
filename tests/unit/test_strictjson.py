"""The one strict JSON reader (iam2rego.strictjson): what it refuses, where it says, and that it
reads every other JSON text exactly as json.loads does."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iam2rego import strictjson


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"a": 1,\n "a": 2}', (2, 2), 'duplicate key "a" (first at 1:2)'),
        ('{"a\\u0041": 1, "aA": 2}', (1, 16), 'duplicate key "aA"'),  # the same key spelled twice
        ('{"a": [{"b": 1, "b": 2}]}', (1, 17), 'duplicate key "b"'),
        ('{"x": [NaN]}', (1, 8), "NaN is not a JSON number"),
        ("[1, -Infinity]", (1, 5), "-Infinity is not a JSON number"),
        ('{"n":\n  Infinity}', (2, 3), "Infinity is not a JSON number"),
        ('{"a": 1e999}', (1, 7), "beyond the range of a double"),
        ("[1e-999]", (1, 2), "underflows to zero"),
        ("[" + "1" * 5000 + "]", (1, 2), "more than 4300 digits"),
    ],
)
def test_refused_and_located(text: str, where: tuple[int, int], words: str) -> None:
    with pytest.raises(strictjson.StrictJSONError) as info:
        strictjson.loads(text)
    assert (info.value.lineno, info.value.colno) == where
    assert words in info.value.msg and not info.value.syntax


def test_syntax_errors_keep_json_s_position() -> None:
    with pytest.raises(strictjson.StrictJSONError) as info:
        strictjson.loads('{"a": 1,}')
    assert info.value.syntax and (info.value.lineno, info.value.colno) == (1, 9)


@pytest.mark.parametrize(
    "text",
    [
        '{"s": "NaN \\" Infinity {\\"a\\": 1, \\"a\\": 2}"}',  # keys and constants inside strings
        '[{"k": 1}, {"k": 1}]',  # the same key in two objects
        "[0.0e5, 0e-999, -0.0, 18446744073709551617, 1.5, 1e308]",
    ],
)
def test_accepted(text: str) -> None:
    assert strictjson.loads(text) == json.loads(text)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_json, st.booleans())
def test_reads_every_strict_text_as_json_loads_does(value: object, indent: bool) -> None:
    text = json.dumps(value, indent=2 if indent else None)
    assert strictjson.loads(text) == json.loads(text)

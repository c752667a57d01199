"""-k selection: substrings over names and tags with and/or/not and parentheses."""

from __future__ import annotations

import pytest
from iam2rego.harness.select import SelectionError, compile_expression


@pytest.mark.parametrize(
    ("expr", "names", "selected"),
    [
        ("", ["anything"], True),
        ("restore", ["row5 Restore from backup", "seed-e1"], True),
        ("restore and sar", ["restore B2 (docs)", "seed"], False),
        ("restore and not sar", ["restore B2 (docs)", "seed"], True),
        ("kms or pitr", ["PITR Music", "restore"], True),
        ("not (kms or pitr)", ["PITR Music", "restore"], False),
        ("e1 and (row1 or row2)", ["row2 create", "seed-e1"], True),
    ],
)
def test_expression_selects_by_substring(expr: str, names: list[str], selected: bool) -> None:
    assert compile_expression(expr)(names) is selected


@pytest.mark.parametrize("expr", ["(a", "a and", "and a", "a b", ")"])
def test_malformed_expression_is_an_error(expr: str) -> None:
    with pytest.raises(SelectionError):
        compile_expression(expr)

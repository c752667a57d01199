"""The shipped JSON Schema is a valid draft 2020-12 schema, and every shipped suite loads cleanly."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from iam2rego.harness.scenario import OPERATIONS, discover, load_suite, schema

ROOT = Path(__file__).resolve().parents[2]
SUITES = discover([ROOT / "scenarios"])


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_schema_lists_every_operation_of_the_architecture() -> None:
    case_props = schema()["$defs"]["case"]["properties"]
    assert set(OPERATIONS) <= set(case_props)


def test_every_area_ships_suites() -> None:
    areas = {p.relative_to(ROOT / "scenarios").parts[0] for p in SUITES}
    assert {"seed", "aws-2023", "aws-current", "targeted", "restore", "awsbackup", "team-example"} <= areas


@pytest.mark.parametrize("path", SUITES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_suite_loads(path: Path) -> None:
    suite = load_suite(path)
    assert suite.cases or suite.expect_compile_error

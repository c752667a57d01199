"""The shipped JSON Schema is a valid draft 2020-12 schema, and every shipped suite loads cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from iam2rego.diagnostics import IamError
from iam2rego.harness.fastschema import compile_schema
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


# --------------------------------------------------------------------------- compiled check == jsonschema


def _mutations(data: Any) -> list[Any]:
    """Every variant of ``data`` with one value replaced, one key removed or one unknown key added."""
    out: list[Any] = []
    replacements: list[Any] = [None, 1, 1.5, True, "", "x", [], {}, ["x"], {"k": "v"}]
    if isinstance(data, dict):
        out.append({**data, "zz_unknown": 1})
        for key, value in data.items():
            out.append({k: v for k, v in data.items() if k != key})
            out += [{**data, key: r} for r in replacements]
            out += [{**data, key: m} for m in _mutations(value)[:12]]
    elif isinstance(data, list):
        out.append([])
        for i, value in enumerate(data[:2]):
            out += [[*data[:i], r, *data[i + 1 :]] for r in replacements]
            out += [[*data[:i], m, *data[i + 1 :]] for m in _mutations(value)[:12]]
    return out


def _shipped_data() -> list[Any]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SUITES]


def test_schema_uses_only_keywords_the_compiled_check_knows() -> None:
    compile_schema(schema())  # raises Unsupported otherwise (the loader would then be slow, not wrong)


def test_compiled_check_agrees_with_jsonschema_on_shipped_and_mutated_suites() -> None:
    check = compile_schema(schema())
    validator = jsonschema.Draft202012Validator(schema())
    samples = []
    for data in _shipped_data():
        samples.append(data)
        samples += _mutations(data)
    assert len(samples) > 5_000
    disagree = [s for s in samples if check(s) != validator.is_valid(s)]
    assert disagree == []
    assert sum(1 for s in samples if not check(s)) > 500  # the mutations do hit invalid shapes


def test_schema_error_still_located_with_the_compiled_check(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    case = "{name: %s, action: 's3:GetObject', resource: y, expect: allow%s}"
    bad.write_text(
        f"policies: {{identity: [p.json]}}\ncases:\n  - {case % ('a', '')}\n  - {case % ('b', ', bogus: 1')}\n",
        encoding="utf-8",
    )
    with pytest.raises(IamError) as exc:
        load_suite(bad)
    [diag] = exc.value.diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("SCN-SCHEMA", 4, 67)

"""Facts shared by Python and Rego have one source (compiler/catalog/facts.json); copies match it."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from iam2rego import validate
from iam2rego.access import columns
from iam2rego.catalog import facts, load_catalog
from iam2rego.checks import _util
from iam2rego.checks.restore_without_writes import DATA_PLANE
from iam2rego.codegen import MODES, CompileOptions
from iam2rego.harness import scenario

ROOT = Path(__file__).resolve().parents[2]


def test_generated_rego_copy_matches_the_source() -> None:
    text = (ROOT / "rego/iam2rego/catalog/facts.rego").read_text(encoding="utf-8")
    assert text == facts.render_rego(), "regenerate: python3 scripts/gen_catalog.py --rego-only"
    for action in facts.RESTORE_DATAPLANE:
        assert f'"{action}",' in text


def test_the_check_uses_the_shared_data_plane_actions() -> None:
    assert DATA_PLANE == facts.RESTORE_DATAPLANE
    assert len(set(DATA_PLANE)) == 7


def test_compile_option_defaults_are_the_shared_defaults() -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(CompileOptions) if f.name != "package"}
    assert defaults == facts.OPTION_DEFAULTS
    assert CompileOptions(package="p").rego_options() == facts.OPTION_DEFAULTS


def test_no_rego_file_spells_the_shared_facts_again() -> None:
    offenders = []
    for path in (ROOT / "rego").rglob("*.rego"):
        if path.name.endswith("_test.rego") or path.name == "facts.rego":
            continue
        text = path.read_text(encoding="utf-8").lower()
        spelled = (
            '"dynamodb:batchwriteitem", "dynamodb:deleteitem"',
            '"resource_glob": "segment"',
            '"describe_backup", "delete_backup"',  # the operation table
            '"create_backup": "dynamodb:createbackup"',
            '"version", "id", "statement"',  # the policy members
            '"sid", "effect", "principal"',
        )
        if any(s in text for s in spelled):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_generated_scenario_schema_operations_match_the_source() -> None:
    text = (ROOT / "compiler/harness/scenario.schema.json").read_text(encoding="utf-8")
    assert text == facts.render_scenario_schema(text), (
        "regenerate: python3 scripts/gen_catalog.py --rego-only"
    )
    case = json.loads(text)["$defs"]["case"]["properties"]
    for name, op in facts.OPERATIONS.items():
        assert case[name]["required"] == op["required"]
        assert list(case[name]["properties"]) == [*op["required"], *op["optional"]]


def test_the_scenario_loader_reads_the_shared_operation_table() -> None:
    assert list(scenario.OPERATIONS) == [op["name"] for op in facts.FACTS["operations"]]
    assert scenario.OPERATIONS["restore_table_from_backup"] == ("backup", "target_table")
    assert scenario.OPERATIONS["list_backups"] == ()
    assert set(columns.ALL_OPERATIONS) == set(facts.OPERATIONS)  # the access matrix asks every one


def test_the_gate_schema_names_the_operations_guardrails_can_name() -> None:
    defs = json.loads((ROOT / "compiler/terraform/gate.schema.json").read_text(encoding="utf-8"))["$defs"]
    gate_ops = [name for name, op in facts.OPERATIONS.items() if op["gate"] is not None]
    assert defs["operation"]["enum"] == gate_ops + list(facts.FACTS["gate_composites"])
    assert defs["awsBackupOperation"]["enum"] == [
        n for n in gate_ops if facts.OPERATIONS[n]["gate"] == "awsbackup"
    ]


def test_the_documented_operation_table_names_every_operation_and_parameter() -> None:
    """docs/ARCHITECTURE.md §4 describes the table in prose: every operation, every parameter."""
    doc = (ROOT / "docs/ARCHITECTURE.md").read_text(encoding="utf-8")
    section = doc[doc.index("## 4. Operations") :]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    for name, op in facts.OPERATIONS.items():
        row = next((r for r in rows if f"`{name}`" in r), None)
        assert row is not None, name
        for field in [*op["required"], *op["optional"]]:
            assert f"`{field}`" in row, (name, field)
    named = {m for r in rows for m in re.findall(r"`([a-z_]+)`", r.split("|")[1])}
    assert named == set(facts.OPERATIONS)


def test_the_validator_reads_the_shared_policy_members() -> None:
    members = facts.FACTS["policy_members"]
    assert validate.TOP_MEMBERS == tuple(members["top"]) == ("Version", "Id", "Statement")
    assert tuple(members["statement"]) == validate.STATEMENT_MEMBERS
    assert {"Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"} <= set(
        members["statement"]
    )
    assert tuple(members["principal_types"]) == validate.PRINCIPAL_TYPES


# Sample parameters, by name, for every operation of the table.
_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
_PARAMS = {
    "table": _ARN,
    "backup": f"{_ARN}/backup/01700000000000-0a1b2c3d",
    "recovery_point": f"{_ARN}/backup/01700000000000-0a1b2c3d",
    "source_table": _ARN,
    "target_table": f"{_ARN}-restored",
    "export": f"{_ARN}/export/01700000000000-0a1b2c3d",
    "import": f"{_ARN}/import/01700000000000-0a1b2c3d",
    "s3_bucket": "backups",
    "vault": "arn:aws:backup:us-east-1:123456789012:backup-vault:main",
    "destination_vault": "arn:aws:backup:us-west-2:123456789012:backup-vault:copies",
    "role": "arn:aws:iam::123456789012:role/backup",
}


@pytest.mark.opa
def test_rego_operations_gate_and_validator_read_the_same_table(opa_bin: str) -> None:
    """operations.checks starts with each operation's primary_action; the gate's operation groups and
    primary actions and generic/validate.rego's member names are the facts'."""
    ops = [{"operation": n, **{f: _PARAMS[f] for f in op["required"]}} for n, op in facts.OPERATIONS.items()]
    module = (
        "package q\n\n"
        "import data.iam2rego.gate\n"
        "import data.iam2rego.operations\n\n"
        "first := {op.operation: operations.checks(op, {})[0].action | some op in input}\n\n"
        'groups := {g: gate.ops_in(g) | some g in ["table", "backup", "restore", "awsbackup", "vault"]}\n\n'
        "primary := gate.primary_action\n"
    )
    got = _eval_with_library(opa_bin, module, "data.q", ops)
    assert got["first"] == {n: op["primary_action"] for n, op in facts.OPERATIONS.items()}
    for group, names in got["groups"].items():
        assert sorted(names) == sorted(n for n, op in facts.OPERATIONS.items() if op["gate"] == group)
    assert got["primary"] == {
        n: op["primary_action"].lower() for n, op in facts.OPERATIONS.items() if op["gate"] is not None
    }


def test_the_checks_read_the_shared_arn_types() -> None:
    assert [(name, rx.pattern) for name, rx in _util._TYPES] == [
        tuple(t) for t in facts.FACTS["dynamodb_arn_types"]
    ]
    assert _util._CHILD_PATTERN.pattern == facts.DYNAMODB_CHILD_PATTERN


def test_mode_resource_types_only_narrow_the_catalog_types() -> None:
    """SEMANTICS §3.1: a mode checks an action on some of the SAR's resource types; docs mode checks
    RestoreTableFromBackup on the backup only, sar-strict (not listed) on every type the catalog has."""
    assert set(facts.MODE_RESOURCE_TYPES) <= set(MODES)
    assert "sar-strict" not in facts.MODE_RESOURCE_TYPES
    assert facts.MODE_RESOURCE_TYPES["docs"] == {"dynamodb:RestoreTableFromBackup": ("backup",)}
    cat = load_catalog()
    for by_action in facts.MODE_RESOURCE_TYPES.values():
        for action, types in by_action.items():
            info = cat.action(action)
            assert info is not None and info.full == action
            assert set(types) < {r.name for r in info.resource_types}


# Resource entries and the DynamoDB type they denote (None: unknown or mixed), SEMANTICS §1.4.
ARN_TYPES = {
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders": "table",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/backup/01700000000000-0a1b2c3d": "backup",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/export/01700000000000-0a1b2c3d": "export",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/byDate": "index",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000": "stream",
    "arn:aws:dynamodb::123456789012:global-table/Orders": "global-table",
    "arn:aws:dynamodb:*:*:table/*/backup/*": "backup",
    "arn:aws:dynamodb:*:*:table/Orders/stream/*": "stream",
    "arn:aws:dynamodb:*:*:table/*": None,
    "arn:aws:dynamodb:*:*:table/${aws:username}": None,
    "arn:aws:dynamodb:us-east-1:123456789012:table/ab": None,
    "arn:aws:s3:::bucket": None,
    "*": None,
}


@pytest.mark.opa
def test_gate_and_check_read_the_same_arn_types(opa_bin: str) -> None:
    """The gate's arn_type (Rego, RE2) and checks/_util.dynamodb_resource_type (Python re) agree."""
    query = "data.iam2rego.gate.arn_types"
    module = "package iam2rego.gate\n\narn_types[e] := _arn_type(e) if some e in input\n"
    rego = _eval_with_library(opa_bin, module, query, list(ARN_TYPES))
    python = {e: _util.dynamodb_resource_type(e) for e in ARN_TYPES}
    assert {e: rego.get(e) for e in ARN_TYPES} == python == ARN_TYPES


def _eval_with_library(opa_bin: str, module: str, query: str, input_value: object) -> Any:
    """The value of ``query`` with the Rego library and one extra ``module`` loaded, on ``input_value``."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "q.rego").write_text(module, encoding="utf-8")
        out = subprocess.run(
            [
                opa_bin,
                "eval",
                "--format",
                "json",
                "-d",
                str(ROOT / "rego"),
                "-d",
                tmp,
                "--stdin-input",
                query,
            ],
            input=json.dumps(input_value),
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout)["result"][0]["expressions"][0]["value"]

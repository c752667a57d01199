"""regopy 1.5.2 drops every element of a comprehension whose head names a function argument that its
body does not mention (``f(w) := [[w, a] | some a in xs]`` is ``[]``). The library binds such heads in
the body instead; these tests pin the defect, the library's freedom from it, and the operations' checks
on embedded against OPA (the AWS Backup data-plane checks were silently missing on embedded)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from iam2rego.api import library_files
from iam2rego.engines import get_engine

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "rego" / "iam2rego"
COMPREHENSIONS = ("arraycomprehension", "setcomprehension", "objectcomprehension")

DEFECT = {
    "t/t.rego": (
        "package t\n\n"
        'xs := ["p", "q"]\n\n'
        "head_arg(w) := [[w, a] | some a in xs]\n\n"
        "body_arg(w) := [x | some a in xs; x := [w, a]]\n\n"
        'result := {"head": head_arg(input.w), "body": body_arg(input.w)}\n'
    )
}

RP = "arn:aws:backup:us-west-2:123456789012:recovery-point:1a2b3c4d"
TABLE = "arn:aws:dynamodb:us-west-2:123456789012:table/Books"
ROLE = "arn:aws:iam::123456789012:role/BackupRole"
OPERATIONS = [
    (
        {
            "operation": "aws_backup_start_restore_job",
            "recovery_point": RP,
            "target_table": TABLE,
            "role": ROLE,
        },
        {"awsbackup_restore_dataplane": True},
    ),
    (
        {
            "operation": "aws_backup_start_restore_job",
            "recovery_point": f"{TABLE}/backup/01489173575360-b308cd7d",
            "target_table": TABLE,
            "role": ROLE,
        },
        {},
    ),
    (
        {
            "operation": "restore_table_from_backup",
            "backup": f"{TABLE}/backup/01489173575360-b308cd7d",
            "target_table": "arn:aws:dynamodb:us-west-2:123456789012:table/Books2",
        },
        {"mode": "sar-strict"},
    ),
    ({"operation": "export_table_to_point_in_time", "table": TABLE, "s3_bucket": "exports"}, {}),
    ({"operation": "import_table", "table": TABLE, "s3_bucket": "imports", "s3_prefix": "in/"}, {}),
]
PROBE = {
    "probe/probe.rego": (
        "package probe\n\n"
        "import data.iam2rego.operations\n\n"
        "ids := [c.id | some c in operations.checks(input.op, input.opts)]\n"
    )
}


def _library() -> dict[str, str]:
    """The runtime library compiled modules run with (the gate pack and the access matrix, which
    need the opa or docker engine for plans, are not part of it)."""
    return library_files()


def _vars(node: Any, out: set[str]) -> set[str]:
    """Variables under ``node``, not descending into nested comprehensions (scanned on their own)."""
    if isinstance(node, dict):
        if node.get("type") == "var" and isinstance(node.get("value"), str):
            out.add(node["value"])
        if node.get("type") not in COMPREHENSIONS:
            for value in node.values():
                _vars(value, out)
    elif isinstance(node, list):
        for value in node:
            _vars(value, out)
    return out


def _comprehensions(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") in COMPREHENSIONS:
            found.append(node)
        for value in node.values():
            found += _comprehensions(value)
    elif isinstance(node, list):
        for value in node:
            found += _comprehensions(value)
    return found


def head_arguments_unused_in_body(opa: str, path: Path) -> list[str]:
    """'file:row: vars' for each comprehension in a function whose head names an argument its body lacks."""
    ast = json.loads(
        subprocess.run(
            [opa, "parse", "--format", "json", "--json-include", "locations", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    problems = []
    for rule in ast.get("rules", []):
        args = _vars(rule["head"].get("args") or [], set()) - {"_"}
        for comp in _comprehensions(rule.get("body", [])) + _comprehensions(rule["head"].get("value", {})):
            value = comp["value"]
            head = [value["term"]] if "term" in value else [value["key"], value["value"]]
            bad = (_vars(head, set()) & args) - _vars(value["body"], set())
            if bad:
                problems.append(
                    f"{path.relative_to(ROOT)}:{comp.get('location', {}).get('row')}: {sorted(bad)}"
                )
    return problems


def test_regopy_still_has_the_head_argument_defect() -> None:
    """If this fails, regopy was fixed: the workaround stays harmless, but the docstring is outdated."""
    [out] = get_engine("embedded").evaluate(DEFECT, "data.t.result", [{"w": "W"}])
    assert out == {"head": [], "body": [["W", "p"], ["W", "q"]]}


@pytest.mark.opa
def test_opa_evaluates_both_forms_alike(opa_bin: str) -> None:
    [out] = get_engine("opa", opa_path=opa_bin).evaluate(DEFECT, "data.t.result", [{"w": "W"}])
    assert out == {"head": [["W", "p"], ["W", "q"]], "body": [["W", "p"], ["W", "q"]]}


@pytest.mark.opa
def test_library_has_no_comprehension_head_naming_an_unused_argument(opa_bin: str) -> None:
    files = [p for p in sorted(LIBRARY.rglob("*.rego")) if not p.name.endswith("_test.rego")]
    problems = [p for f in files for p in head_arguments_unused_in_body(opa_bin, f)]
    assert problems == []


@pytest.mark.opa
def test_scanner_finds_the_defect_form(opa_bin: str, tmp_path: Path) -> None:
    bad = ROOT / "build" / "regopy_head_probe.rego"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text(DEFECT["t/t.rego"], encoding="utf-8")
    try:
        assert head_arguments_unused_in_body(opa_bin, bad) == ["build/regopy_head_probe.rego:5: ['w']"]
    finally:
        bad.unlink()


@pytest.mark.opa
def test_operation_checks_equal_on_embedded_and_opa(opa_bin: str) -> None:
    modules = {**_library(), **PROBE}
    inputs = [{"op": op, "opts": opts} for op, opts in OPERATIONS]
    want = get_engine("opa", opa_path=opa_bin).evaluate(modules, "data.probe.ids", inputs)
    got = get_engine("embedded").evaluate(modules, "data.probe.ids", inputs)
    assert got == want
    dataplane = [
        i for i in want[0] if i.startswith("role dynamodb:") and "restoretablefromawsbackup" not in i
    ]
    assert len(dataplane) == 8  # seven data-plane actions + DescribeTable, the case regopy used to drop

"""Plan/config loading, report locations and the atomic conftest-pack writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.diagnostics import Span
from iam2rego.terraform import pack as pack_mod
from iam2rego.terraform.pack import pack_files, write_pack
from iam2rego.terraform.plan import address_span, load_config, load_plan


def test_plan_that_is_not_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  oops\n}')
    loaded, diags = load_plan(str(path))
    assert loaded is None
    [d] = diags
    assert (d.code, d.span.line, d.span.column) == ("TF-PLAN", 3, 3)


def test_missing_plan_is_an_io_error(tmp_path: Path) -> None:
    loaded, [d] = load_plan(str(tmp_path / "absent.json"))
    assert loaded is None and d.code == "TF-PLAN"


@pytest.mark.parametrize(
    ("text", "line"), [("iam2rego_gate: [\n  - a\n b: c\n", 2), ("- just\n- a list\n", 1), ("other: {}\n", 1)]
)
def test_bad_guardrail_files_are_rejected(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text(text)
    cfg, [d] = load_config(str(path))
    assert cfg is None
    assert (d.code, d.span.line) == ("TF-CONFIG", line)


def test_address_span_points_at_the_resource_entry() -> None:
    text = '{\n "resource_changes": [\n  {\n   "address": "aws_iam_role.r",\n'
    assert address_span(text, "aws_iam_role.r") == Span(4, 4, 4, 31, 32, 59)
    assert address_span(text, "aws_iam_role.other") is None


def test_pack_has_the_gate_library_and_no_tests() -> None:
    files = pack_files()
    assert "iam2rego/gate/gate.rego" in files
    assert "iam2rego/gate/managed/managed.rego" in files
    assert "iam2rego/generic/generic.rego" in files
    assert not [p for p in files if p.endswith("_test.rego")]


def test_write_pack_replaces_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    out.mkdir()
    (out / "stale.rego").write_text("package stale\n")
    (out / ".iam2rego-pack").write_text("")  # a previous pack
    write_pack(str(out), {"iam2rego/gate/gate.rego": "package iam2rego.gate\n"})
    assert not (out / "stale.rego").exists()
    assert (out / "iam2rego/gate/gate.rego").read_text() == "package iam2rego.gate\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_write_pack_keeps_previous_output_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "pack"
    out.mkdir()
    (out / "mine.rego").write_text("package mine\n")
    (out / ".iam2rego-pack").write_text("")  # a previous pack

    class Boom(OSError):
        pass

    def failing_write(self: Path, *args: object, **kwargs: object) -> int:
        if self.name == "README.txt":
            raise Boom("disk full")
        return original(self, *args, **kwargs)

    original = Path.write_text
    monkeypatch.setattr(pack_mod.Path, "write_text", failing_write)
    with pytest.raises(Boom):
        write_pack(str(out), {"iam2rego/gate/gate.rego": "package iam2rego.gate\n"})
    monkeypatch.undo()
    assert (out / "mine.rego").read_text() == "package mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_conftest_pack_command_writes_a_policy_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conftest-pack", "-o", str(tmp_path / "policy")]) == 0
    assert (tmp_path / "policy" / "iam2rego" / "gate" / "gate.rego").is_file()
    assert "--namespace iam2rego.gate" in capsys.readouterr().out


def test_gate_exits_2_on_unreadable_guardrails(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "planned_values": {}}')
    bad = tmp_path / "gate.yaml"
    bad.write_text("not: [valid\n")
    assert main(["gate", str(plan), "--guardrails", str(bad), "--engine", "embedded"]) == 2

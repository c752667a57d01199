"""`iam2rego check` with several formats in one run (`--format FMT=FILE`) and `--output FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from sarif_schema import assert_valid_sarif

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "scenarios" / "seed" / "policies" / "example8-allow-aws-backup-features.json"


def test_text_on_stdout_and_sarif_and_json_in_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        [
            "check",
            str(BROKEN),
            "--format",
            "text",
            "--format",
            f"sarif={tmp_path}/c.sarif",
            "--format",
            f"json={tmp_path}/c.json",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 1
    assert "error[V-JSON]" in out
    sarif = json.loads((tmp_path / "c.sarif").read_text())
    assert_valid_sarif(sarif)
    [result] = sarif["runs"][0]["results"]
    assert (
        result["ruleId"] == "V-JSON"
        and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 18
    )
    assert [d["code"] for d in json.loads((tmp_path / "c.json").read_text())] == ["V-JSON"]


def test_output_file_instead_of_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BROKEN), "--format", "github", "-o", str(tmp_path / "gh.txt")]) == 1
    assert capsys.readouterr().out == ""
    assert (tmp_path / "gh.txt").read_text().startswith("::error file=")


def test_two_formats_on_stdout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BROKEN), "--format", "text", "--format", "json"]) == 2
    assert "=FILE" in capsys.readouterr().err

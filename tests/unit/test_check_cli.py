"""``iam2rego check``: exit codes, formats, stdin, and a few pinned rendered outputs (tests/golden/diagnostics)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = "scenarios/seed/policies"
GOLDEN = ROOT / "tests" / "golden" / "diagnostics"
REGENERATE = os.environ.get("IAM2REGO_REGENERATE_GOLDEN") == "1"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in output are as given: keep them relative
    try:
        code = main(["check", *argv])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return code, out, err


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_example8_text_output_is_pinned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, f"{SEED}/example8-allow-aws-backup-features.json")
    assert code == 1
    _golden("example8.txt", out)
    assert "1 error(s), 0 warning(s)" in err


def test_example5_text_output_is_pinned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, f"{SEED}/example5-allow-restore-describe-deny-delete.json")
    assert code == 0  # warnings only, default --fail-on error
    _golden("example5.txt", out)


def test_example7_github_output_is_pinned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--format", "github", "--fail-on", "warning", f"{SEED}/example7-allow-listbackups.json"
    )
    assert code == 1
    _golden("example7.github.txt", out)


def test_all_seed_files_are_collected_and_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / SEED).glob("*.json"))
    code, out, err = _run(capsys, "--format", "json", *files)
    assert code == 1
    rows = json.loads(out)
    keys = [(r["path"], r["line"], r["column"], r["code"]) for r in rows]
    assert keys == sorted(keys)
    assert {r["code"] for r in rows} == {
        "V-JSON",
        "W-PLACEHOLDER",
        "W-RESOURCE-MISMATCH",
        "W-RESTORE-WITHOUT-WRITES",
    }
    assert "8 file(s)" in err


def test_fail_on_levels(capsys: pytest.CaptureFixture[str]) -> None:
    e7 = f"{SEED}/example7-allow-listbackups.json"
    assert _run(capsys, e7)[0] == 0
    assert _run(capsys, "--fail-on", "warning", e7)[0] == 1
    assert (
        _run(capsys, "--fail-on", "info", f"{SEED}/example6-allow-createbackup-specific-table.json")[0] == 0
    )


def test_mode_decides_restore_granted_on_a_table_arn(capsys: pytest.CaptureFixture[str]) -> None:
    e1 = f"{SEED}/example1-allow-createbackup-restore.json"
    code, out, _ = _run(capsys, "--fail-on", "warning", "--format", "json", e1)
    assert code == 1
    assert [(r["code"], r["line"], r["column"]) for r in json.loads(out)] == [("W-RESOURCE-MISMATCH", 8, 17)]
    assert "in docs mode" in json.loads(out)[0]["message"]
    assert _run(capsys, "--fail-on", "warning", "--mode", "docs", e1)[0] == 1
    assert _run(capsys, "--fail-on", "warning", "--mode", "sar-strict", e1)[0] == 0
    with pytest.raises(SystemExit) as exc:  # argparse: invalid choice
        _run(capsys, "--mode", "strict", e1)
    assert exc.value.code == 2
    assert "invalid choice: 'strict'" in capsys.readouterr().err


def test_lenient_json_turns_example8_into_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--lenient-json", "--format", "json", f"{SEED}/example8-allow-aws-backup-features.json"
    )
    assert code == 0
    rows = [(r["code"], r["line"], r["column"]) for r in json.loads(out)]
    assert rows == [("W-PLACEHOLDER", 14, 25), ("W-TRAILING-DATA", 18, 1)]


def test_missing_file_exits_2_with_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "no/such/policy.json")
    assert code == 2
    assert "no/such/policy.json:1:1: error[IO001]: cannot read file" in out


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data = (ROOT / SEED / "example3-allow-listbackups-deny-create-restore.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = _run(capsys, "--format", "json", "-")
    assert code == 0
    # line 15: the Deny of RestoreTableFromBackup on a table ARN never applies in docs mode
    assert [(r["path"], r["code"], r["line"]) for r in json.loads(out)] == [
        ("<stdin>", "W-RESOURCE-MISMATCH", 7),
        ("<stdin>", "W-RESOURCE-MISMATCH", 15),
    ]


def test_kind_changes_validation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "rbp.json"
    p.write_text(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}}'
    )
    code, out, _ = _run(capsys, "--kind", "resource", "--format", "json", str(p))
    assert code == 1 and [r["code"] for r in json.loads(out)] == ["V-PRINCIPAL"]


def test_sarif_has_rules_and_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--format", "sarif", f"{SEED}/example8-allow-aws-backup-features.json")
    assert code == 1
    doc = json.loads(out)
    run = doc["runs"][0]
    (result,) = run["results"]
    assert doc["version"] == "2.1.0" and result["ruleId"] == "V-JSON" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 18
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "V-JSON"


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(capsys, "--format", "xml", "x.json")
    assert exc.value.code == 2

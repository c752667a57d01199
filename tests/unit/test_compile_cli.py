"""``iam2rego compile`` / ``eval`` / ``explain``: outputs, exit codes, atomicity, bundles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
E5 = str(ROOT / "scenarios/seed/policies/example5-allow-restore-describe-deny-delete.json")
E7 = str(ROOT / "scenarios/seed/policies/example7-allow-listbackups.json")
B1 = "arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d"
MODULE = "iam2rego/policies/e5/e5.rego"


def test_compile_writes_the_module_and_the_library(tmp_path: Path) -> None:
    assert main(["compile", "--package", "e5", "-o", str(tmp_path / "out"), E5]) == 0
    out = tmp_path / "out"
    assert (out / MODULE).is_file()
    assert (out / "iam2rego/decide/decide.rego").is_file()
    assert not list(out.rglob("*_test.rego")) and not (out / "iam2rego/gate").exists()
    assert "package iam2rego.policies.e5" in (out / MODULE).read_text()


def test_package_defaults_to_the_sanitised_file_stem(tmp_path: Path) -> None:
    assert main(["compile", "-o", str(tmp_path), E5]) == 0
    assert (tmp_path / "iam2rego/policies/example5_allow_restore_describe_deny_delete").is_dir()


def test_invalid_policy_exits_2_with_located_diagnostic_and_keeps_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["compile", "--package", "e5", "-o", str(out), E5]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "x:y", "Resource": "*",}]}'
    )
    capsys.readouterr()
    assert main(["compile", "--package", "e5", "-o", str(out), E5, str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1:" in err and "error[V-JSON]" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.iam2rego-")]


def test_missing_output_flag_is_a_usage_error() -> None:
    assert main(["compile", E5]) == 2


def test_recompiling_into_an_existing_directory_keeps_unrelated_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    assert main(["compile", "--package", "e5", "-o", str(tmp_path), E5]) == 0
    assert (tmp_path / "mine.txt").read_text() == "keep me" and (tmp_path / MODULE).is_file()


def test_bundle_is_byte_identical_across_runs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    assert main(["compile", "--package", "e5", "--bundle", str(a), E5]) == 0
    assert main(["compile", "--package", "e5", "--bundle", str(b), E5]) == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.opa
def test_bundle_loads_in_opa_eval(tmp_path: Path, opa_bin: str) -> None:
    bundle = tmp_path / "e5.tar.gz"
    assert main(["compile", "--package", "e5", "--bundle", str(bundle), E5]) == 0
    request = json.dumps({"action": "dynamodb:DeleteBackup", "resource": B1})
    out = subprocess.run(
        [
            opa_bin,
            "eval",
            "-b",
            str(bundle),
            "-I",
            "-f",
            "raw",
            "data.iam2rego.policies.e5.decision.decision",
        ],
        input=request,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "explicit_deny"


@pytest.mark.opa
def test_eval_answers_a_batch_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "b.jsonl"
    lines = [
        {"action": "dynamodb:DescribeBackup", "resource": B1},
        {"action": "dynamodb:DeleteBackup", "resource": B1},
        {"action": "dynamodb:ListBackups", "resource": "*"},
    ]
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert main(["compile", "--package", "e5", "-o", str(tmp_path / "out"), E5]) == 0
    capsys.readouterr()
    assert main(["eval", "--engine", "opa", "--batch", str(batch), str(tmp_path / "out")]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["decision"] for a in answers] == ["allow", "explicit_deny", "implicit_deny"]
    assert answers[1]["reasons"][0]["statement_index"] == 1


@pytest.mark.opa
def test_eval_compiles_policy_files_on_the_fly_and_runs_operations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    op = {
        "operation": "restore_table_from_backup",
        "backup": B1,
        "target_table": "arn:aws:dynamodb:us-east-1:123456789012:table/New",
    }
    assert main(["eval", "--engine", "opa", "--input", json.dumps(op), E5]) == 0
    verdict = json.loads(capsys.readouterr().out)
    # E5 grants the data-plane writes only on the backup ARN: the restore fails at the writes (§7.5 #10)
    assert verdict["allowed"] is False
    assert {c["action"] for c in verdict["failing"]} >= {"dynamodb:PutItem"}


def test_eval_rejects_invalid_json_input_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--engine", "opa", "--input", "{not json", E5]) == 2
    assert "--input:1:2" in capsys.readouterr().err


@pytest.mark.opa
def test_explain_prints_the_deciding_statement_and_its_source_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    req = json.dumps({"action": "dynamodb:DeleteBackup", "resource": B1})
    assert main(["explain", "--engine", "opa", "--input", req, E5]) == 0
    out = capsys.readouterr().out
    assert "decision: explicit_deny" in out
    assert f"{E5}:19:9" in out and "    19 |" in out


@pytest.mark.opa
def test_explain_shows_the_whole_deciding_statement_and_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(
        "sys.stdin", io.StringIO(json.dumps({"action": "dynamodb:DeleteBackup", "resource": B1}))
    )
    assert main(["explain", "--engine", "opa", "--input", "-", E5]) == 0
    out = capsys.readouterr().out
    # statement 1 spans lines 19-25 of the seed file: every line is shown, through the closing brace
    assert all(f"    {n} |" in out for n in range(19, 26))
    assert '"Effect": "Deny"' in out and "    26 |" not in out


@pytest.mark.opa
def test_explain_says_why_when_no_statement_decided(capsys: pytest.CaptureFixture[str]) -> None:
    req = json.dumps({"action": "dynamodb:ListBackups", "resource": "*"})
    assert main(["explain", "--engine", "opa", "--input", req, E7]) == 0
    out = capsys.readouterr().out
    assert "decision: implicit_deny" in out and "nothing allows this request" in out


MUSIC = "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
OPEN_RBP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": "*"}],
}


def test_resource_policy_is_bound_to_the_table_named_on_the_command_line(tmp_path: Path) -> None:
    rbp = tmp_path / "music-rbp.json"
    rbp.write_text(json.dumps(OPEN_RBP))
    assert (
        main(
            [
                "compile",
                "--package",
                "e5",
                "-o",
                str(tmp_path / "out"),
                E5,
                "--resource-policy",
                f"{MUSIC}={rbp}",
            ]
        )
        == 0
    )
    module = (tmp_path / "out" / MODULE).read_text()
    assert f'request.resource_policy_table(input.req.resource) == "{MUSIC}"' in module


def test_resource_policy_bound_by_its_own_resource_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "named.json"
    named.write_text(
        json.dumps({**OPEN_RBP, "Statement": [{**OPEN_RBP["Statement"][0], "Resource": f"{MUSIC}/index/*"}]})
    )
    assert (
        main(["compile", "--package", "e5", "-o", str(tmp_path / "a"), E5, "--resource-policy", str(named)])
        == 2
    )
    assert "error[V-RBP-TABLE]" in capsys.readouterr().err
    named.write_text(
        json.dumps(
            {**OPEN_RBP, "Statement": [{**OPEN_RBP["Statement"][0], "Resource": f"{MUSIC}/index/ByArtist"}]}
        )
    )
    assert (
        main(["compile", "--package", "e5", "-o", str(tmp_path / "b"), E5, "--resource-policy", str(named)])
        == 0
    )
    assert f'== "{MUSIC}"' in (tmp_path / "b" / MODULE).read_text()
    anywhere = tmp_path / "anywhere.json"
    anywhere.write_text(json.dumps(OPEN_RBP))
    assert (
        main(
            ["compile", "--package", "e5", "-o", str(tmp_path / "c"), E5, "--resource-policy", str(anywhere)]
        )
        == 2
    )
    assert not (tmp_path / "c" / MODULE).exists()

"""Suite paths (issue #12, item 6): a suite's policy paths resolve inside its own directory tree (or
the current directory) unless ``--allow-outside``; lines of files that are not policy JSON are never
quoted, so a suite from a pull request cannot print ``/proc/self/environ`` into CI logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "i12-secret-value-0xC0FFEE"
CASE = (
    "cases:\n  - name: c\n    action: dynamodb:CreateBackup\n"
    "    resource: arn:aws:dynamodb:us-east-1:123456789012:table/Music\n    expect: allow\n"
)
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:CreateBackup", "Resource": "*"}]}\n'


def _test(suite: Path, *extra: str, cwd: Path, engine: str = "embedded") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", "test", str(suite), "--engine", engine, *extra],
        capture_output=True, text=True, timeout=300, check=False, cwd=cwd,
        env={**os.environ, "I12_SECRET": SECRET},
    )  # fmt: skip


def _suite(dir_: Path, policy_path: str) -> Path:
    dir_.mkdir(parents=True, exist_ok=True)
    suite = dir_ / "suite.yaml"
    suite.write_text(f"suite: s\npolicies:\n  identity: {policy_path}\n{CASE}")
    return suite


@pytest.mark.parametrize("target", ["/proc/self/environ", "../outside.json", "link.json"])
def test_a_suite_cannot_read_outside_its_tree(target: str, tmp_path: Path) -> None:
    suites = tmp_path / "repo" / "suites"
    suite = _suite(suites, target)
    (tmp_path / "repo" / "outside.json").write_text(POLICY)  # exists: refused for where it is
    (suites / "link.json").symlink_to("/proc/self/environ")
    proc = _test(suite, cwd=suites)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "resolves outside" in out and "SCN-POLICY" in out, out
    assert SECRET not in out


def test_allow_outside_reads_the_file_but_never_quotes_a_file_that_is_not_json(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "s", "/proc/self/environ")
    proc = _test(suite, "--allow-outside", cwd=tmp_path / "s")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "V-JSON" in out, out  # read, and rejected as a policy
    assert SECRET not in out and "I12_SECRET" not in out, out


@pytest.mark.opa
def test_allow_outside_accepts_a_policy_outside_the_tree(tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text(POLICY)
    suite = _suite(tmp_path / "repo", "../outside.json")
    refused = _test(suite, cwd=tmp_path / "repo")
    assert refused.returncode == 2 and "resolves outside" in refused.stdout + refused.stderr
    allowed = _test(suite, "--allow-outside", cwd=tmp_path / "repo", engine="opa")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


@pytest.mark.opa
def test_sibling_paths_inside_the_current_directory_still_work(tmp_path: Path) -> None:
    """scenarios/<area>/x.yaml may name ../seed/policies/... when run from the repository root."""
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "p.json").write_text(POLICY)
    suite = _suite(tmp_path / "area", "../seed/p.json")
    proc = _test(suite, cwd=tmp_path, engine="opa")
    assert proc.returncode == 0, proc.stdout + proc.stderr

"""Output paths are the CI's, but a report must never destroy or silently lose anything (issue 25 item 8).

- a character device (``/dev/null``, ``/dev/full``) or a FIFO is opened and written, never replaced
  by a regular file; ``ENOSPC`` from it is exit 2 and no other report of the run is written;
- ``/dev/stdout`` writes to standard output;
- a symbolic link to a file, a directory, or two outputs on one file are refused (exit 2) before
  anything runs or is written.

Device nodes are made with mknod in the test's own directory (root, as CI runs), so a regression
can only replace those, never the machine's /dev/full.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "breakglass"
GATE = ["gate", "--engine", "opa", "--guardrails", str(CASE / "gate.yaml"), str(CASE / "plan.json")]
GAAD = ROOT / "tests" / "access" / "gaad"

pytestmark = pytest.mark.opa


def _device(path: Path, minor: int) -> Path:
    if os.geteuid() != 0:
        pytest.skip("mknod needs root (CI runs as root)")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def _is_device(path: Path) -> bool:
    return stat.S_ISCHR(os.lstat(path).st_mode)


def test_a_full_device_is_an_error_and_no_other_report_is_written(tmp_path: Path, capsys) -> None:
    full = _device(tmp_path / "full", 7)
    junit = tmp_path / "gate.xml"
    code = main([*GATE, "--format", f"sarif={full}", "--format", f"junit={junit}"])
    assert code == 2
    assert "No space left on device" in capsys.readouterr().err
    assert _is_device(full) and not junit.exists()


def test_a_null_device_stays_a_device(tmp_path: Path) -> None:
    null = _device(tmp_path / "null", 3)
    code = main([*GATE, "--format", "text=" + str(tmp_path / "out.txt"), "--write-baseline", str(null)])
    assert code == 1  # the fixture's verdict, not an output error
    assert _is_device(null)


def test_a_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main([*GATE, "--format", f"sarif={fifo}", "-o", str(tmp_path / "t.txt")]) == 1
    out, _ = reader.communicate(timeout=30)
    assert out.startswith(b"{") and b'"runs"' in out
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dev_stdout_writes_to_standard_output() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", *GATE, "--format", "sarif=/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.lstrip().startswith("{") and '"runs"' in proc.stdout


@pytest.mark.parametrize(
    "outputs",
    [
        ["--format", "sarif=X", "--format", "junit=X"],
        ["--format", "sarif=X", "--write-baseline", "X"],
        ["--format", "text", "-o", "X", "--format", "json=X"],
    ],
)
def test_two_gate_outputs_on_one_file_are_refused(tmp_path: Path, outputs: list[str], capsys) -> None:
    target = tmp_path / "report"
    target.write_text("previous\n")
    code = main([*GATE, *[a.replace("X", str(target)) for a in outputs]])
    assert code == 2
    assert "would both be written to" in capsys.readouterr().err
    assert target.read_text() == "previous\n"


def test_a_symlink_to_a_file_is_refused_and_both_stay(tmp_path: Path, capsys) -> None:
    real = tmp_path / "real.sarif"
    real.write_text("previous\n")
    link = tmp_path / "link.sarif"
    link.symlink_to(real)
    assert main([*GATE, "--format", f"sarif={link}"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert link.is_symlink() and real.read_text() == "previous\n"


def test_a_directory_is_refused(tmp_path: Path, capsys) -> None:
    assert main([*GATE, "--format", f"sarif={tmp_path}"]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_access_refuses_two_reports_on_one_file(tmp_path: Path, capsys) -> None:
    same = tmp_path / "report.out"
    code = main(
        [
            "access",
            "--engine",
            "opa",
            "--no-progress",
            str(GAAD / "gaad.json"),
            "--tables-file",
            str(GAAD / "tables.txt"),
            "--html",
            str(same),
            "--json",
            str(same),
        ]
    )
    assert code == 2
    assert "--html and --json would both be written to" in capsys.readouterr().err
    assert not same.exists()


def test_scenario_reports_on_one_file_are_refused(tmp_path: Path, capsys) -> None:
    same = tmp_path / "r.xml"
    suite = str(ROOT / "scenarios" / "seed" / "e1.yaml")
    code = main(["test", "--engine", "opa", suite, "--junit", str(same), "--json", str(same)])
    assert code == 2
    assert "would both be written to" in capsys.readouterr().err

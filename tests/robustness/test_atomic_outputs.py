"""Nothing lost (issue #6, item 6): ``compile -o``/``--bundle``, ``conftest-pack``, and the test
reports (``--junit``/``--json``) write atomically. An error, or Ctrl-C (a real SIGINT) arriving while
the files are being written, never leaves partial output and never deletes the user's previous
output. The SIGINT is made deterministic by a tiny driver that runs the CLI in a subprocess and
sends SIGINT to itself right after the Nth file write (or just before the final rename)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "scenarios" / "seed" / "policies"
SUITE = ROOT / "scenarios" / "seed" / "e1.yaml"

# Runs `iam2rego ARGS...`; after the Nth call of the patched function, SIGINT hits the process.
DRIVER = r"""
import os, signal, sys, pathlib
target, n = sys.argv[1], int(sys.argv[2])
calls = [0]
def trip():
    calls[0] += 1
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGINT)
if target == "write_text":
    real = pathlib.Path.write_text
    def patched(self, *a, **k):
        r = real(self, *a, **k); trip(); return r
    pathlib.Path.write_text = patched
elif target == "replace-sigint":
    real_replace = os.replace
    def patched_replace(*a, **k):
        trip(); return real_replace(*a, **k)
    os.replace = patched_replace
elif target == "replace-enospc":
    import errno
    real_replace = os.replace
    def patched_replace(*a, **k):
        calls[0] += 1
        if calls[0] == n:  # the disk fills up at the Nth rename
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(*a, **k)
    os.replace = patched_replace
elif target == "replace":
    real_replace = os.replace
    def patched_replace(*a, **k):
        calls[0] += 1
        if calls[0] == n:  # Ctrl-C exactly before the rename
            raise KeyboardInterrupt
        return real_replace(*a, **k)
    os.replace = patched_replace
from iam2rego.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _interrupted(target: str, n: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DRIVER, target, str(n), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _previous(d: Path) -> dict[str, bytes]:
    (d / "iam2rego" / "policies").mkdir(parents=True)
    (d / "iam2rego" / "policies" / "old.rego").write_text("package old\n")
    (d / "KEEP.txt").write_text("the user's own file\n")
    return _snapshot(d)


def _no_staging_left(parent: Path, name: str) -> None:
    leftovers = [p.name for p in parent.iterdir() if p.name.startswith(f".{name}")]
    assert leftovers == [], leftovers


def _policy() -> str:
    return str(sorted(POLICY.glob("*.json"))[0])


@pytest.mark.parametrize("n", [1, 3, 10])
def test_compile_interrupted_while_writing_keeps_the_previous_output(tmp_path: Path, n: int) -> None:
    out = tmp_path / "out"
    before = _previous(out)
    proc = _interrupted("write_text", n, "compile", _policy(), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 130, (proc.stdout, proc.stderr)
    assert _snapshot(out) == before
    _no_staging_left(tmp_path, "out")


@pytest.mark.parametrize("how", ["replace-sigint", "replace-enospc"])
def test_compile_interrupted_or_failing_at_the_commit_is_all_new_or_all_old(tmp_path: Path, how: str) -> None:
    ok = subprocess.run([sys.executable, "-m", "iam2rego", "compile", _policy(), "-o", str(tmp_path / "ref")],
                        capture_output=True, text=True, check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    ref = _snapshot(tmp_path / "ref")
    for n in (1, 2, len(ref) // 2):
        out = tmp_path / f"out{n}"
        before = _previous(out)
        proc = _interrupted(how, n, "compile", _policy(), "-o", str(out), cwd=tmp_path)
        assert proc.returncode == (130 if how == "replace-sigint" else 2), proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        after = _snapshot(out)
        assert {k: after.get(k) for k in before} == before, "a previous file was changed or deleted"
        new = {k: v for k, v in after.items() if k not in before}
        assert new in ({}, ref), f"interrupt #{n}: {len(new)} of {len(ref)} new files"
        _no_staging_left(tmp_path, out.name)


def test_compile_error_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _previous(out)
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [}')
    proc = subprocess.run([sys.executable, "-m", "iam2rego", "compile", str(bad), "-o", str(out)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 2 and "V-JSON" in proc.stderr
    assert _snapshot(out) == before
    _no_staging_left(tmp_path, "out")


@pytest.mark.parametrize("n", [1, 2])
def test_bundle_interrupted_keeps_the_previous_bundle(tmp_path: Path, n: int) -> None:
    bundle = tmp_path / "b.tar.gz"
    bundle.write_bytes(b"previous bundle")
    proc = _interrupted("replace", n, "compile", _policy(), "--bundle", str(bundle), cwd=tmp_path)
    assert proc.returncode in (0, 130), proc.stderr
    if proc.returncode == 130:
        assert bundle.read_bytes() == b"previous bundle"
    _no_staging_left(tmp_path, "b.tar.gz")


@pytest.mark.parametrize("n", [1, 5, 15])
def test_conftest_pack_interrupted_keeps_the_previous_pack(tmp_path: Path, n: int) -> None:
    pack = tmp_path / "pack"
    _previous(pack)
    (pack / ".iam2rego-pack").write_text("")  # a previous pack (anything else is refused, not replaced)
    before = _snapshot(pack)
    proc = _interrupted("write_text", n, "conftest-pack", "-o", str(pack), cwd=tmp_path)
    assert proc.returncode == 130, (proc.stdout, proc.stderr)
    assert _snapshot(pack) == before
    _no_staging_left(tmp_path, "pack")


@pytest.mark.parametrize("flag", ["--junit", "--json"])
def test_report_interrupted_before_the_rename_keeps_the_previous_report(tmp_path: Path, flag: str) -> None:
    report = tmp_path / "report.out"
    report.write_text("previous report\n")
    proc = _interrupted(
        "replace", 1, "test", str(SUITE), "--engine", "embedded", flag, str(report), cwd=tmp_path
    )
    assert proc.returncode == 130, (proc.stdout[-2000:], proc.stderr[-2000:])
    assert report.read_text() == "previous report\n"
    _no_staging_left(tmp_path, "report.out")

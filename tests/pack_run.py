"""Run the gate pack under plain conftest, as a CI user would: ``conftest test -p <pack> -o json``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack


def run_pack(conftest_bin: str, tmp_path: Path, plan: Path, *, data: Path | None = None) -> tuple[int, dict]:
    """(conftest's exit code, its one JSON result) for ``plan``; ``data``: a gate configuration file."""
    pack = write_pack(str(tmp_path / "pack"), pack_files())
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json"]
    if data is not None:
        cmd += ["--data", str(data)]
    proc = subprocess.run([*cmd, str(plan)], capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    return proc.returncode, result

"""The composite GitHub Action (action.yml): its gate step, run by bash as the runner would.

GitHub itself is not reachable from a test, so the step's script runs with the environment the
runner gives it (the step's `env`, GITHUB_OUTPUT) on the located fixture: it must write the SARIF
report, annotate the .tf lines, record the exit code for the verdict step and not stop early.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sarif_schema import assert_valid_sarif

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _step(name: str) -> dict:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("name") == name]
    return step


def test_action_is_composite_and_every_input_reference_exists() -> None:
    assert ACTION["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([a-z0-9-]+)", text))
    assert used <= set(ACTION["inputs"]), used - set(ACTION["inputs"])
    assert ACTION["inputs"]["plan"]["required"] is True
    upload = _step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "always()" in upload["if"]


def _expand(value: str, inputs: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*inputs\.([a-z0-9-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)


@pytest.mark.opa
def test_gate_step_writes_sarif_annotations_and_the_exit_code(tmp_path: Path) -> None:
    case = ROOT / "tests" / "terraform" / "located"
    work = tmp_path / "repo"
    shutil.copytree(case, work)
    inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    inputs.update(plan="plan.json", guardrails="gate.yaml", engine="opa")
    step = _step("Gate the plan")
    env = {k: _expand(str(v), inputs) for k, v in step["env"].items()}
    output = tmp_path / "github_output"
    bin_dir = Path(sys.executable).parent
    full_env = {**os.environ, **env, "GITHUB_OUTPUT": str(output)}
    full_env["PATH"] = f"{bin_dir}{os.pathsep}{ROOT / 'tools' / 'bin'}{os.pathsep}{full_env['PATH']}"
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=work,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr  # the step records the code; the verdict step fails the job
    assert output.read_text().strip() == "exit-code=1"
    assert "::error file=modules/team/policy.tf,line=" in proc.stdout
    sarif = json.loads((work / inputs["sarif-file"]).read_text())
    assert_valid_sarif(sarif)
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    } >= {
        "policies.tf",
        "modules/team/policy.tf",
    }

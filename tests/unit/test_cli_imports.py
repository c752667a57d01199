"""Fast start (issue 14): ``iam2rego check`` imports neither the scenario harness nor jsonschema,
YAML, Docker or XML. Every command module is imported to build the CLI, so a command's heavy
imports belong inside its ``run``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "scenarios/seed/policies/example5-allow-restore-describe-deny-delete.json"
# Top-level packages and iam2rego modules `check` has no use for.
HEAVY = ("jsonschema", "yaml", "docker", "xml", "referencing", "hypothesis")
HARNESS = ("iam2rego.harness.runner", "iam2rego.harness.scenario", "iam2rego.harness.report",
           "iam2rego.harness.fastschema", "iam2rego.harness.select", "iam2rego.report.gate_junit",
           "iam2rego.report.junit")  # fmt: skip

PROBE = """
import json, sys
from iam2rego import cli
rc = cli.main(sys.argv[1:])
print(json.dumps({"rc": rc, "modules": sorted(sys.modules)}))
"""


def test_check_imports_no_harness_jsonschema_yaml_or_docker() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--format", "json", str(POLICY)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    last = proc.stdout.strip().splitlines()[-1]
    result = json.loads(last)
    assert result["rc"] == 0, proc.stderr[-2000:]
    modules = result["modules"]
    assert "iam2rego.commands.check" in modules  # the probe really ran the command
    heavy = [m for m in modules if m.split(".")[0] in HEAVY or m in HARNESS]
    assert not heavy, heavy

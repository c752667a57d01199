"""Engine answers are checked against the shape their entrypoint promises (issue #12, item 1): an
``opa`` that answers ``{}``, ``null``, ``{"deny": null}``, ``{"deny": {}}``, ``{"deny": false}``,
``{"Deny": [...]}`` or a finding without ``code`` is an engine error (exit 2) for ``gate``, ``eval``,
``explain`` and ``test`` - never "no findings", never ``{}``/``null`` printed with exit 0.

The engine is a fake ``opa`` (a script) that prints a chosen answer in ``opa eval --format json``'s
batch shape; one well-formed answer per command proves the fake is really used. For ``gate`` the
fake recognises the gate's canary input (terraform/canary.py) and answers it as the real pack would,
so the shape checks of the plan's answer are reached; tests/robustness/test_trust_boundary.py has
fakes that do not, and fail the canary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "scenarios" / "seed" / "policies" / "example1-allow-createbackup-restore.json")
PLAN = str(ROOT / "tests" / "terraform" / "clean" / "plan.json")
REQUEST = json.dumps(
    {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music"}
)
OPERATION = json.dumps(
    {"operation": "create_backup", "table": "arn:aws:dynamodb:us-east-1:123456789012:table/Music"}
)
FAKE = """#!{python}
import json, os, sys
if sys.argv[1:2] == ["version"]:
    print("Version: 1.22.3")
    sys.exit(0)
answer = json.loads(os.environ["FAKE_OPA_ANSWER"])
inputs = json.load(open(sys.argv[sys.argv.index("--input") + 1]))["iam2rego_batch_inputs"]

def canary(i):  # the gate's canary input, answered as the real pack would (a test double only)
    rcs = i.get("resource_changes") if isinstance(i, dict) else None
    roles = [rc["address"] for rc in rcs or [] if rc["address"].startswith("aws_iam_role.iam2rego_canary_")]
    codes = ("IAM2REGO-UNVERIFIABLE", "IAM2REGO-BACKUP-ROLE")
    fs = [{{"msg": r, "code": c, "principal": {{"address": r}}}} for r in roles for c in codes]
    return {{"deny": fs, "warn": []}} if roles else None

# the batch module's shape: one {{"value": v}} (or {{"undefined": true}}) per input
items = [
    {{"value": canary(i)}} if canary(i) else {{"undefined": True}} if answer is None else {{"value": answer}}
    for i in inputs
]
print(json.dumps({{"result": [{{"expressions": [{{"value": items, "text": "q", "location": {{}}}}]}}]}}))
"""
FINDING = {"msg": "denied", "code": "IAM2REGO-X"}
REASON = {"policy": "p", "sid": None, "statement_index": 0, "effect": "Allow", "source": "p.json:1:1"}
ALLOW = {"allowed": True, "decision": "allow", "reason": "allow", "reasons": [REASON]}
CHECK = {"action": "dynamodb:CreateBackup", "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music",
         "allowed": True, "decision": "allow", "reason": "allow", "reasons": []}  # fmt: skip


@pytest.fixture(scope="module")
def fake_opa(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fake") / "opa"
    path.write_text(FAKE.format(python=sys.executable))
    path.chmod(0o755)
    return str(path)


def _cli(fake: str, answer: object, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", *args, "--engine", "opa", "--opa-path", fake],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "FAKE_OPA_ANSWER": json.dumps(answer)},
    )  # fmt: skip


def _assert_engine_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "wrong shape" in proc.stderr or "wrong shape" in proc.stdout, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.strip() == "" or "engine" in proc.stdout, proc.stdout  # no answer printed


GATE_BAD = {
    "empty-object": {},
    "deny-null": {"deny": None, "warn": []},
    "deny-object": {"deny": {}, "warn": []},
    "deny-false": {"deny": False, "warn": []},
    "Deny-capitalised": {"Deny": [FINDING], "warn": []},
    "finding-without-code": {"deny": [{"msg": "x"}], "warn": []},
    "finding-not-object": {"deny": ["x"], "warn": []},
    "warn-missing": {"deny": []},
    "report-null": None,
    "report-array": [],
}


@pytest.mark.parametrize("shape", sorted(GATE_BAD))
def test_gate_never_passes_a_wrong_shaped_report(shape: str, fake_opa: str) -> None:
    _assert_engine_error(_cli(fake_opa, GATE_BAD[shape], "gate", PLAN))


def test_gate_reads_a_well_formed_report_from_the_fake(fake_opa: str) -> None:
    report = {"deny": [FINDING], "warn": [], "account": {"problems": []}}
    proc = _cli(fake_opa, report, "gate", PLAN, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["deny"] == [FINDING]


EVAL_BAD = {
    "decision": {
        "empty-object": {},
        "undefined": None,
        "no-allowed": {"decision": "allow", "reason": "allow", "reasons": []},
        "contradiction": {**ALLOW, "decision": "explicit_deny"},
        "allowed-string": {**ALLOW, "allowed": "true"},
        "unknown-decision": {**ALLOW, "allowed": False, "decision": "deny"},
        "reasons-null": {**ALLOW, "reasons": None},
        "bare-string": "allow",
    },
    "operation": {
        "empty-object": {},
        "undefined": None,
        "no-checks": {"allowed": True, "decision": "allow", "checks": [], "failing": []},
        "allowed-with-failing": {
            "allowed": True,
            "decision": "allow",
            "checks": [{**CHECK, "allowed": False, "decision": "implicit_deny"}],
            "failing": [CHECK],
        },
    },
}


# explain shares eval's evaluation: two shapes show the check applies there too.
EVAL_CASES = [("eval", k, s) for k, shapes in sorted(EVAL_BAD.items()) for s in sorted(shapes)]
EVAL_CASES += [("explain", "decision", "empty-object"), ("explain", "operation", "undefined")]


@pytest.mark.parametrize(("command", "kind", "shape"), EVAL_CASES)
def test_eval_and_explain_never_print_a_wrong_shaped_answer(
    command: str, kind: str, shape: str, fake_opa: str
) -> None:
    request = REQUEST if kind == "decision" else OPERATION
    proc = _cli(fake_opa, EVAL_BAD[kind][shape], command, POLICY, "--input", request)
    _assert_engine_error(proc)


def test_eval_prints_a_well_formed_answer_from_the_fake(fake_opa: str) -> None:
    proc = _cli(fake_opa, ALLOW, "eval", POLICY, "--input", REQUEST)
    assert proc.returncode == 0 and json.loads(proc.stdout) == ALLOW, proc.stderr


def test_scenario_runner_does_not_pass_a_case_on_a_wrong_shaped_decision(
    fake_opa: str, tmp_path: Path
) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"suite: s\npolicies:\n  identity: {POLICY}\ncases:\n  - name: c\n    action: dynamodb:CreateBackup\n"
        "    resource: arn:aws:dynamodb:us-east-1:123456789012:table/Music\n    expect: allow\n"
    )
    proc = _cli(fake_opa, {"decision": "allow"}, "test", str(suite), "--allow-outside")
    assert proc.returncode == 2 and "wrong shape" in proc.stdout + proc.stderr, proc.stdout
    good = _cli(fake_opa, ALLOW, "test", str(suite), "--allow-outside")
    assert good.returncode == 0, good.stdout

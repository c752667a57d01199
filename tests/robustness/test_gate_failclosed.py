"""Fail-closed gate (issue #6, item 5) through BOTH front doors: ``conftest test`` with the pack and
``iam2rego gate`` on every engine. A plan or policy the gate cannot read is a denial with its code or
exit 2 with a message - never a pass. (tests/e2e/test_gate_fail_closed.py covers ``iam2rego gate`` on
the opa engine and conftest for the format version; this adds conftest for every fault and the
docker and embedded engines.)"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
CLEAN = json.loads((ROOT / "tests" / "terraform" / "clean" / "plan.json").read_text())


def _edit(address: str, fn) -> dict:  # type: ignore[no-untyped-def]
    plan = copy.deepcopy(CLEAN)
    hits = [rc for rc in plan["resource_changes"] if rc["address"] == address]
    assert hits, address
    for rc in hits:
        fn(rc["change"])
    return plan


def _policy_text(text: str):  # type: ignore[no-untyped-def]
    return lambda ch: ch["after"].__setitem__("policy", text)


def _unknown(ch: dict) -> None:
    del ch["after"]["policy"]
    ch["after_unknown"]["policy"] = True


UP = "aws_iam_user_policy.auditor"
FAULTS: dict[str, tuple[object, set[str] | None]] = {
    # name: (plan JSON or raw text, expected deny codes; None = must exit 2 / error, not a finding)
    "plan-not-json": ('{"format_version": "1.2",', None),
    "plan-array": ([], {"IAM2REGO-PLAN-MALFORMED"}),
    "plan-without-changes": ({"format_version": "1.2"}, {"IAM2REGO-PLAN-MALFORMED"}),
    "plan-without-format": ({"resource_changes": []}, {"IAM2REGO-PLAN-MALFORMED"}),
    "format-version-2": (dict(CLEAN, format_version="2.0"), {"IAM2REGO-PLAN-FORMAT"}),
    "policy-not-json": (_edit(UP, _policy_text("not json")), {"IAM2REGO-UNVERIFIABLE"}),
    "policy-truncated": (_edit(UP, _policy_text('{"Statement": [')), {"IAM2REGO-UNVERIFIABLE"}),
    "policy-json-array": (_edit(UP, _policy_text("[1, 2]")), {"IAM2REGO-UNVERIFIABLE"}),
    "policy-no-statement": (_edit(UP, _policy_text('{"Version": "2012-10-17"}')), {"IAM2REGO-UNVERIFIABLE"}),
    "policy-unknown-until-apply": (_edit(UP, _unknown), {"IAM2REGO-UNVERIFIABLE"}),
    "unknown-managed-policy": (
        _edit("aws_iam_role_policy_attachment.operator",
              lambda ch: ch["after"].__setitem__("policy_arn", "arn:aws:iam::aws:policy/NotShippedAccess")),
        {"IAM2REGO-UNKNOWN-MANAGED-POLICY"},
    ),
}  # fmt: skip


EMPTY_ARRAY_CONFTEST = pytest.mark.xfail(
    strict=True,
    reason="LIMITATION (conftest 0.71.1): a top-level JSON array is split into documents, so `[]` gives "
    "conftest no document and no rule runs: it reports 0 successes and exits 0. iam2rego gate denies it.",
)
CONFTEST_XFAIL = {"plan-array": EMPTY_ARRAY_CONFTEST}


def _faults(xfails: dict[str, pytest.MarkDecorator]) -> list:  # type: ignore[type-arg]
    return [pytest.param(f, marks=[xfails[f]] if f in xfails else []) for f in sorted(FAULTS)]


def _write_plan(tmp: Path, plan: object) -> Path:
    path = tmp / "plan.json"
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    return path


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(str(tmp_path_factory.mktemp("pack") / "pack"), pack_files())


@pytest.mark.conftest
@pytest.mark.parametrize("fault", _faults(CONFTEST_XFAIL))
def test_conftest_never_passes_a_plan_it_cannot_read(
    fault: str, conftest_bin: str, pack: Path, tmp_path: Path
) -> None:
    plan, codes = FAULTS[fault]
    path = _write_plan(tmp_path, plan)
    proc = subprocess.run(
        [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json", str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode != 0, (fault, proc.stdout[-2000:])
    if codes is None:
        assert proc.stderr.strip() or proc.stdout.strip(), "an unreadable plan must come with a message"
        return
    assert proc.returncode == 1, proc.stderr
    [result] = json.loads(proc.stdout)
    assert {f["metadata"]["code"] for f in result["failures"]} == codes, result["failures"]
    assert all(f["msg"] for f in result["failures"])


ENGINES = [
    pytest.param("opa", marks=pytest.mark.opa),
    pytest.param("docker", marks=pytest.mark.docker),
    "embedded",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fault", _faults({}))
def test_iam2rego_gate_never_passes_a_plan_it_cannot_read(fault: str, engine: str, tmp_path: Path) -> None:
    plan, codes = FAULTS[fault]
    path = _write_plan(tmp_path, plan)
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", "gate", str(path), "--engine", engine, "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "IAM2REGO_OPA_IMAGE": IMAGE},
    )  # fmt: skip
    assert proc.returncode in (1, 2), (fault, engine, proc.returncode, proc.stdout[-2000:])
    if proc.returncode == 2 or codes is None:
        assert proc.returncode == 2 and proc.stderr.strip() and "Traceback" not in proc.stderr, proc.stderr
        return
    report = json.loads(proc.stdout)
    assert {f["code"] for f in report["deny"]} == codes, report

"""The checkout is hostile input (issue 25 items 1 and 4): nothing in it can run, lie for the engine,
or be misread into a pass.

- an ``opa`` committed in the checkout (``tools/bin/opa``, ``.venv/bin/opa``, ``.venv/tools/bin/opa``)
  is never run, also when iam2rego is installed inside the checkout and PATH has relative entries;
- a fake opa that answers a constant well-formed report fails the canary (exit 2);
- plans and engine answers are strict JSON (duplicate keys, NaN/Infinity, 1e999: located errors);
- a policy attribute of the wrong type is IAM2REGO-UNVERIFIABLE on opa, wasm and plain conftest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from iam2rego.engines import EngineError
from iam2rego.engines.base import parse_eval_output
from iam2rego.engines.wasm import parse_value
from iam2rego.terraform.gate import evaluate
from iam2rego.terraform.plan import load_config, load_plan

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "terraform"
BREAKGLASS = FIXTURES / "breakglass"
CLEAN = FIXTURES / "clean" / "plan.json"
REAL_OPA = ROOT / "tools" / "bin" / "opa"

# answers every input with the same well-formed, empty report (and records that it ran)
LYING_OPA = """#!{python}
import json, sys
if sys.argv[1:2] == ["version"]:
    print("Version: 1.22.3")
    sys.exit(0)
open({marker!r}, "a").write("ran\\n")
inputs = json.load(open(sys.argv[sys.argv.index("--input") + 1]))["iam2rego_batch_inputs"]
items = [{{"value": {{"deny": [], "warn": [], "account": {{"problems": []}}, "principals": []}}}} for _ in inputs]
print(json.dumps({{"result": [{{"expressions": [{{"value": items}}]}}]}}))
"""


def _lying_opa(path: Path, marker: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(LYING_OPA.format(python=sys.executable, marker=str(marker)))
    path.chmod(0o755)
    return path


def _gate(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "iam2rego", "gate", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, check=False, cwd=cwd, env=env or dict(os.environ)
    )


def _breakglass(tmp: Path) -> list[str]:
    """The breakglass fixture copied into ``tmp`` (it has deny findings: exit 1 on a real engine)."""
    shutil.copy(BREAKGLASS / "plan.json", tmp / "plan.json")
    shutil.copy(BREAKGLASS / "gate.yaml", tmp / "gate.yaml")
    return ["plan.json", "--guardrails", "gate.yaml"]


# --------------------------------------------------------------------------- executables


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "auto"])
@pytest.mark.parametrize("relative_path", [False, True], ids=["absolute-PATH", "relative-PATH-entries"])
def test_an_opa_committed_in_the_checkout_is_never_run(
    tmp_path: Path, engine: str, relative_path: bool
) -> None:
    """iam2rego installed INTO the checkout (``.venv/lib/.../site-packages``), run from the checkout:
    the checkout's lying opa binaries are ignored, the real one on PATH decides (exit 1)."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    args = _breakglass(checkout)
    marker = tmp_path / "lying-opa-ran"
    for rel in ("tools/bin/opa", ".venv/bin/opa", ".venv/tools/bin/opa"):
        _lying_opa(checkout / rel, marker)
    site = checkout / ".venv" / "lib" / "python3" / "site-packages"
    shutil.copytree(ROOT / "compiler", site / "iam2rego", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rego", site / "iam2rego" / "rego", ignore=shutil.ignore_patterns("*_test.rego"))
    real_dir = str(REAL_OPA.parent if REAL_OPA.is_file() else Path(shutil.which("opa") or "").parent)
    path = [real_dir, os.path.dirname(sys.executable), "/usr/bin", "/bin"]
    if relative_path:
        path = [".venv/bin", "tools/bin", ".", "", *path]
    env = {**os.environ, "PYTHONPATH": str(site), "PATH": os.pathsep.join(path)}
    proc = _gate(*args, "--engine", engine, "--format", "json", cwd=checkout, env=env)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert not marker.exists(), "an opa from the checkout ran"
    assert json.loads(proc.stdout)["deny"], proc.stdout


def test_relative_path_entries_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iam2rego.engines import opa

    _lying_opa(tmp_path / "bin" / "opa", tmp_path / "marker")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join(["bin", ".", "", "/nonexistent-abs"]))
    assert opa.which("opa") is None
    monkeypatch.setenv("PATH", os.pathsep.join(["bin", str(tmp_path / "bin")]))
    assert opa.which("opa") == str(tmp_path / "bin" / "opa")  # the same file, named absolutely


def test_the_installation_tools_dir_is_only_iam2rego_s_own_source_tree() -> None:
    from iam2rego.engines import opa

    tools = opa.installation_tools_bin()
    assert tools == ROOT / "tools" / "bin"  # this checkout of iam2rego (editable install)


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "auto"])
def test_a_fake_opa_answering_a_wellformed_empty_report_fails_the_canary(tmp_path: Path, engine: str) -> None:
    marker = tmp_path / "ran"
    fake = _lying_opa(tmp_path / "fake" / "opa", marker)
    args = _breakglass(tmp_path)
    # auto tries Docker first: with no Docker engine reachable it falls to the opa of --opa-path
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    proc = _gate(
        *args, "--engine", engine, "--opa-path", str(fake), "--format", "json", cwd=tmp_path, env=env
    )
    assert marker.exists()  # the fake was used
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "failed the canary" in proc.stderr
    assert "IAM2REGO-BACKUP-ROLE for aws_iam_role.iam2rego_canary_" in proc.stderr
    assert proc.stdout.strip() == ""


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "wasm", "embedded"])
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"unverifiable": "warn", "builtin": {"IAM2REGO-BACKUP-ROLE": {"severity": "off"}}},
        {"builtin": {"IAM2REGO-BACKUP-ROLE": {"severity": "warn"}}},
        {"exceptions": [{"guardrail": "IAM2REGO-UNVERIFIABLE", "principal": "*", "reason": "r"}]},
        {
            "guardrails": [
                {
                    "id": "job",
                    "kind": "forbid",
                    "operation": "aws_backup_start_backup_job",
                    "role": "backup-operator",
                    "resources": {"tables": ["*"]},
                }
            ]
        },
    ],
    ids=[
        "defaults",
        "unverifiable-warn-backup-role-off",
        "backup-role-warn",
        "exception-everything",
        "a-role-the-plan-must-have",
    ],
)
def test_the_canary_passes_on_every_real_engine_whatever_the_guardrails(engine: str, settings: dict) -> None:
    data, diags = load_config(str(BREAKGLASS / "gate.yaml"))
    assert data is not None, diags
    data = {"iam2rego_gate": {**data["iam2rego_gate"], **settings}}
    plan = json.loads(CLEAN.read_text(encoding="utf-8"))
    report = evaluate(plan, data, engine)
    assert not any("canary" in f["msg"] for f in report["deny"] + report["warn"])
    assert not any("canary" in p for p in report["principals"])


# --------------------------------------------------------------------------- strict JSON


def _text_with(tmp_path: Path, text: str) -> str:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_plan_with_resource_changes_twice_is_a_located_tf_plan_error(tmp_path: Path) -> None:
    text = (BREAKGLASS / "plan.json").read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    hostile = text[:-1] + ',\n"resource_changes": []}'
    line = hostile.count("\n", 0, hostile.rindex('"resource_changes"')) + 1
    loaded, diags = load_plan(_text_with(tmp_path, hostile))
    assert loaded is None
    [d] = diags
    assert d.code == "TF-PLAN"
    assert (d.span.line, d.span.column) == (line, 1)
    assert 'duplicate key "resource_changes"' in d.message
    proc = _gate(
        str(tmp_path / "plan.json"), "--guardrails", str(BREAKGLASS / "gate.yaml"), "--engine", "opa"
    )
    assert proc.returncode == 2, proc.stderr
    assert f"plan.json:{line}:1" in proc.stderr and "TF-PLAN" in proc.stderr


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999"])
def test_non_finite_numbers_in_a_plan_are_tf_plan_errors(tmp_path: Path, literal: str) -> None:
    text = (
        '{"format_version": "1.2",\n  "resource_changes": [], "variables": {"x": {"value": ' + literal + "}}}"
    )
    loaded, diags = load_plan(_text_with(tmp_path, text))
    assert loaded is None
    [d] = diags
    assert d.code == "TF-PLAN"
    assert (d.span.line, d.span.column) == (2, text.split("\n")[1].index(literal) + 1)


def test_big_integers_are_read_exactly(tmp_path: Path) -> None:
    text = '{"format_version": "1.2", "resource_changes": [], "n": 18446744073709551617, "f": 1.5}'
    loaded, diags = load_plan(_text_with(tmp_path, text))
    assert diags == [] and loaded is not None
    assert loaded.value["n"] == 18446744073709551617  # type: ignore[index]


@pytest.mark.parametrize(
    "stdout",
    [
        '{"result": [{"expressions": [{"value": [{"value": {"deny": [], "warn": []}}]}]}], "result": []}',
        '{"result": [{"expressions": [{"value": [{"value": {"deny": [{"msg": "m", "code": "C"}], "deny": [], "warn": []}}]}]}]}',
        '{"result": [{"expressions": [{"value": [{"value": {"n": NaN}}]}]}]}',
        '{"result": [{"expressions": [{"value": [{"value": {"n": 1e999}}]}]}]}',
    ],
    ids=["duplicate-result", "duplicate-deny", "NaN", "1e999"],
)
def test_an_engine_answer_that_is_not_strict_json_is_an_engine_error(stdout: str) -> None:
    with pytest.raises(EngineError, match="not strict JSON"):
        parse_eval_output("opa", 0, stdout, "")


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', "{1: 1, 1: 2}", "1e999", '{"a": {1e999}}'])
def test_a_wasm_result_that_is_not_strict_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_value(text)


# --------------------------------------------------------------------------- policy attribute types


def _retyped_plan(tmp_path: Path) -> Path:
    """The clean fixture (no findings) with aws_iam_policy.operator's policy as a JSON object and
    aws_iam_user_policy.auditor's as a number."""
    plan = json.loads(CLEAN.read_text(encoding="utf-8"))
    for rc in plan["resource_changes"]:
        after = rc["change"]["after"]
        if rc["address"] == "aws_iam_policy.operator":
            after["policy"] = json.loads(after["policy"])
        if rc["address"] == "aws_iam_user_policy.auditor":
            after["policy"] = 7
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return path


def _unverifiable(findings: list[dict]) -> set[tuple[str, str]]:
    return {
        (f["statement"]["policy"], f["detail"].rsplit(": ", 1)[1])
        for f in findings
        if f["code"] == "IAM2REGO-UNVERIFIABLE"
    }


EXPECTED_RETYPED = {
    ("aws_iam_policy.operator", "the policy attribute is a JSON object, not a string"),
    ("aws_iam_user_policy.auditor", "the policy attribute is a JSON number, not a string"),
}


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "wasm"])
def test_a_policy_attribute_of_the_wrong_type_is_unverifiable(tmp_path: Path, engine: str) -> None:
    plan = _retyped_plan(tmp_path)
    proc = _gate(str(plan), "--engine", engine, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert _unverifiable(json.loads(proc.stdout)["deny"]) == EXPECTED_RETYPED


@pytest.mark.conftest
def test_a_policy_attribute_of_the_wrong_type_is_unverifiable_under_conftest(
    tmp_path: Path, conftest_bin: str
) -> None:
    from pack_run import run_pack

    code, result = run_pack(conftest_bin, tmp_path, _retyped_plan(tmp_path))
    assert code == 1
    failures = [f["metadata"] for f in result.get("failures") or []]
    assert _unverifiable(failures) == EXPECTED_RETYPED


# --------------------------------------------------------------------------- the analysis canary (access, no-new-access)

_ALLOWED = {"answer": "allowed", "exact": True, "words": "allowed", "atoms": {}}


class _ConstantEngine:
    """Answers every analysis question with the same well-formed 'allowed'."""

    name = "constant"

    def evaluate(self, modules: dict, entrypoint: str, inputs: list, data: object = None) -> list:
        return [{**_ALLOWED, "checks": [dict(_ALLOWED)]} for _ in inputs]


def _question() -> object:
    from iam2rego.access.analysis import Question

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    caller = {"identity": [{"name": "p", "document": doc}], "boundary": None, "session": None,
              "scp": [], "rcp": [], "resource_policy": None}  # fmt: skip
    request = {
        "action": "dynamodb:DeleteBackup",
        "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/t/backup/01700000000000-0a1b2c3d",
        "principal": "arn:aws:iam::123456789012:role/r",
        "context": {},
    }
    return Question("action", request, {"caller": caller})


def test_a_constant_analysis_engine_fails_the_canary() -> None:
    from iam2rego.access.analysis import OpenAnalysis
    from iam2rego.terraform.pack import pack_files

    with pytest.raises(EngineError, match="failed the canary"):
        OpenAnalysis(_ConstantEngine(), pack_files(access=True)).decide([_question()])  # type: ignore[list-item]


@pytest.mark.opa
@pytest.mark.parametrize("engine", ["opa", "wasm"])
def test_the_analysis_canary_passes_on_real_engines(engine: str) -> None:
    from iam2rego.access.analysis import OpenAnalysis
    from iam2rego.engines import get_engine
    from iam2rego.terraform.pack import pack_files

    [answer] = OpenAnalysis(get_engine(engine), pack_files(access=True)).decide([_question()])  # type: ignore[list-item]
    assert answer.answer == "denied"


def test_an_invalid_config_passes_the_canary_only_when_the_plan_is_denied_too() -> None:
    from iam2rego.terraform.canary import Canary

    invalid = {"deny": [{"msg": "m", "code": "IAM2REGO-CONFIG-INVALID", "principal": None}], "warn": []}
    empty = {"deny": [], "warn": []}
    bird = Canary()
    bird.check("fake", invalid, {}, invalid)  # the gate fails on the plan's CONFIG-INVALID anyway
    for plan_answer in (empty, None):
        with pytest.raises(EngineError, match="failed the canary"):
            bird.check("fake", invalid, {}, plan_answer)

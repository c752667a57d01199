"""Runner, reports and exit codes, with a stand-in compile backend and the embedded engine (no OPA needed)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from harness_fake import FakeBackend
from iam2rego.engines import get_engine
from iam2rego.harness.report import console, to_json, to_junit
from iam2rego.harness.runner import RunResult, run_suites
from iam2rego.outputs import write_atomic

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCreate",
                "Effect": "Allow",
                "Action": "dynamodb:CreateBackup",
                "Resource": "arn:t/Movies",
            },
            {"Sid": "DenyDelete", "Effect": "Deny", "Action": "dynamodb:DeleteBackup", "Resource": "*"},
        ],
    },
    indent=2,
)

SUITE = """\
suite: fake
policies:
  identity: [p.json]
cases:
  - {name: create movies, tags: [create], action: dynamodb:CreateBackup, resource: "arn:t/Movies", expect: allow}
  - {name: create music, tags: [create], action: dynamodb:CreateBackup, resource: "arn:t/Music", expect: deny}
  - {name: delete denied, action: dynamodb:DeleteBackup, resource: "arn:t/Movies", expect: explicit_deny, reason: explicit_deny}
  - name: op create music
    create_backup: {table: "arn:t/Music"}
    expect: denied
    failing: [{principal: caller, action: dynamodb:createbackup, resource: "arn:t/Music", decision: implicit_deny}]
"""

WRONG = """\
  - {name: wrong delete, action: dynamodb:DeleteBackup, resource: "arn:t/Movies", expect: allow}
  - name: wrong failing list
    create_backup: {table: "arn:t/Music"}
    expect: denied
    failing: []
"""


def make(tmp_path: Path, text: str = SUITE) -> Path:
    (tmp_path / "p.json").write_text(POLICY)
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return path


def run(path: Path, select: str | None = None, backend: FakeBackend | None = None) -> RunResult:
    return run_suites([path], get_engine("embedded"), select=select, backend=backend or FakeBackend())


def test_all_expectations_met_exits_0(tmp_path: Path) -> None:
    result = run(make(tmp_path))
    assert (result.passed, result.failed, result.exit_code) == (4, 0, 0)


def test_wrong_expectations_fail_and_exit_1(tmp_path: Path) -> None:
    result = run(make(tmp_path, SUITE + WRONG))
    assert result.exit_code == 1
    failed = {r.name: r for r in result.results if not r.passed}
    assert set(failed) == {"wrong delete", "wrong failing list"}
    assert failed["wrong delete"].actual == "explicit_deny"
    assert any("DenyDelete" in line for line in failed["wrong delete"].explanation)
    assert failed["wrong failing list"].actual == "denied"  # verdict right, failing list wrong


def test_invalid_suite_exits_2(tmp_path: Path) -> None:
    path = make(tmp_path, "cases:\n  - name: [\n")
    result = run(path)
    assert result.exit_code == 2 and result.errors[0].kind == "invalid"
    assert "SCN-YAML" in result.errors[0].message


def test_policy_that_fails_to_validate_makes_the_suite_invalid(tmp_path: Path) -> None:
    path = make(tmp_path)
    (tmp_path / "p.json").write_text(POLICY + "}")
    result = run(path)
    assert result.exit_code == 2
    assert "V-JSON" in result.errors[0].message


def test_expected_compile_error_passes_and_drops_the_policy(tmp_path: Path) -> None:
    path = make(
        tmp_path,
        "expect_compile_error: V-JSON\n"
        + SUITE.replace("expect: allow}", "expect: implicit_deny}", 1).replace(
            "expect: explicit_deny, reason: explicit_deny", "expect: implicit_deny"
        ),
    )
    (tmp_path / "p.json").write_text(POLICY + "}")
    result = run(path)
    assert result.exit_code == 0, console(result)
    assert result.results[0].name == "compile error V-JSON" and result.results[0].passed


def test_expected_compile_error_that_does_not_happen_fails(tmp_path: Path) -> None:
    result = run(make(tmp_path, "expect_compile_error: V-JSON\n" + SUITE))
    compile_case = result.results[0]
    assert compile_case.kind == "compile" and not compile_case.passed and result.exit_code == 1


def test_lenient_option_is_passed_to_policy_loading(tmp_path: Path) -> None:
    path = make(tmp_path, "options: {lenient_json: true}\n" + SUITE)
    (tmp_path / "p.json").write_text(POLICY + "}")
    assert run(path).exit_code == 0


def test_selection_runs_only_matching_cases(tmp_path: Path) -> None:
    result = run(make(tmp_path), select="create and not op")
    assert [r.name for r in result.results] == ["create movies", "create music"]
    assert result.deselected == 2


def test_one_compile_per_option_set(tmp_path: Path) -> None:
    backend = FakeBackend()
    text = (
        SUITE
        + "  - {name: strict, action: dynamodb:CreateBackup, resource: x, expect: deny, options: {mode: sar-strict}}\n"
    )
    run(make(tmp_path, text), backend=backend)
    assert sorted(c["options"].get("mode", "docs") for c in backend.compiled) == ["docs", "sar-strict"]


def test_json_report_lists_every_case(tmp_path: Path) -> None:
    doc = json.loads(to_json(run(make(tmp_path, SUITE + WRONG))))
    assert (doc["passed"], doc["failed"], doc["exit_code"]) == (4, 2, 1)
    outcomes = {c["name"]: c["outcome"] for c in doc["cases"]}
    assert outcomes["wrong delete"] == "failed" and outcomes["create movies"] == "passed"


def test_junit_report_marks_failures(tmp_path: Path) -> None:
    root = ET.fromstring(to_junit(run(make(tmp_path, SUITE + WRONG))))
    assert root.get("tests") == "6" and root.get("failures") == "2"
    failed = [tc.get("name") for tc in root.iter("testcase") if tc.find("failure") is not None]
    assert failed == ["wrong delete", "wrong failing list"]


def test_console_shows_expected_actual_and_the_deciding_statement_source(tmp_path: Path) -> None:
    text = console(run(make(tmp_path, SUITE + WRONG)))
    assert "FAIL" in text and "expected allow, got explicit_deny" in text
    assert "Sid 'DenyDelete'" in text and '"Effect": "Deny"' in text  # statement + its source line
    assert text.rstrip().endswith("scenarios: 4 passed, 2 failed")


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_cli_exit_codes_and_report_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iam2rego import cli
    from iam2rego.harness import runner

    monkeypatch.setattr(runner, "ApiBackend", FakeBackend)
    good = make(tmp_path)
    junit, js = tmp_path / "r.xml", tmp_path / "r.json"
    assert (
        cli.main(["test", "--engine", "embedded", "--junit", str(junit), "--json", str(js), str(good)]) == 0
    )
    assert ET.parse(junit).getroot().get("failures") == "0"
    assert json.loads(js.read_text())["passed"] == 4
    good.write_text(SUITE + WRONG)
    assert cli.main(["test", "--engine", "embedded", str(good)]) == 1
    assert cli.main(["test", "--engine", "embedded", str(tmp_path / "missing.yaml")]) == 2
    assert cli.main(["test", "--engine", "embedded", "-k", "a and", str(good)]) == 2


class _CountingEngine:
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[dict]] = []

    def unavailable_reason(self) -> str | None:
        return None

    def evaluate(
        self, modules: dict[str, str], entrypoint: str, inputs: list[dict], data: dict | None = None
    ):
        self.calls.append(inputs)
        return [{"seen": i["a"]} if "a" in i else None for i in inputs]


def test_equal_inputs_are_evaluated_once_and_results_keep_case_order() -> None:
    from iam2rego.harness.runner import evaluate_unique

    engine = _CountingEngine()
    inputs = [{"a": 1, "b": {"x": 1, "y": 2}}, {"a": 2}, {"b": {"y": 2, "x": 1}, "a": 1}, {"c": 0}, {"a": 2}]
    out = evaluate_unique(engine, {}, "data.p.decision", inputs)
    assert out == [{"seen": 1}, {"seen": 2}, {"seen": 1}, None, {"seen": 2}]
    assert engine.calls == [[{"a": 1, "b": {"x": 1, "y": 2}}, {"a": 2}, {"c": 0}]]


def test_distinct_inputs_go_to_the_engine_unchanged() -> None:
    from iam2rego.harness.runner import evaluate_unique

    engine = _CountingEngine()
    inputs = [{"a": 1}, {"a": 2}]
    assert evaluate_unique(engine, {}, "data.p.decision", inputs) == [{"seen": 1}, {"seen": 2}]
    assert engine.calls == [inputs]

"""Gate findings land in the Terraform source: file and line in text, GitHub, SARIF, JUnit and JSON.

Fixture tests/terraform/located (real terraform, scripts/gen-fixtures.sh): a root module over
main.tf/iam.tf/policies.tf/tables.tf, module `team` (for_each, modules/team/{main,policy}.tf) calling
module `reader` (modules/reader/main.tf). Expected locations are read from the .tf files by
searching for the statement's text, not typed as numbers, so an edit of the fixture moves both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sarif_schema import assert_valid_sarif

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "terraform" / "located"
REL = "tests/terraform/located"
GUARDRAIL = "no-prod-backup-deletion"


def _line(rel: str, needle: str) -> int:
    lines = (CASE / rel).read_text().splitlines()
    [number] = [i + 1 for i, line in enumerate(lines) if needle in line]
    return number


# (code, principal address) -> (file, line) of the statement that decides it
EXPECTED = {
    ("IAM2REGO-GUARDRAIL", 'module.team["orders"].aws_iam_role.operator'): (
        "modules/team/policy.tf",
        _line("modules/team/policy.tf", '"DeleteProd"'),
    ),
    ("IAM2REGO-GUARDRAIL", 'module.team["billing"].aws_iam_role.operator'): (
        "modules/team/policy.tf",
        _line("modules/team/policy.tf", '"DeleteProd"'),
    ),
    ("IAM2REGO-LISTBACKUPS-ON-TABLE", 'module.team["orders"].module.reader.aws_iam_role.reader'): (
        "modules/reader/main.tf",
        _line("modules/reader/main.tf", '"ListOwnTable"'),
    ),
    ("IAM2REGO-LISTBACKUPS-ON-TABLE", 'module.team["billing"].module.reader.aws_iam_role.reader'): (
        "modules/reader/main.tf",
        _line("modules/reader/main.tf", '"ListOwnTable"'),
    ),
    ("IAM2REGO-LISTBACKUPS-ON-TABLE", "aws_iam_role.auditor"): ("iam.tf", _line("iam.tf", '"ListPerTable"')),
    # CreateBackup applies to table ARNs; "OwnBackups" lists only backup ARNs (issue 10)
    ("W-RESOURCE-MISMATCH", 'module.team["orders"].aws_iam_role.operator'): (
        "modules/team/policy.tf",
        _line("modules/team/policy.tf", '"OwnBackups"'),
    ),
    ("W-RESOURCE-MISMATCH", 'module.team["billing"].aws_iam_role.operator'): (
        "modules/team/policy.tf",
        _line("modules/team/policy.tf", '"OwnBackups"'),
    ),
}
# the aws_iam_policy_document's statement block with sid DeleteProdBackups (its second one)
EXPECTED[("IAM2REGO-GUARDRAIL", "aws_iam_role.ops")] = (
    "policies.tf",
    _line("policies.tf", '"DeleteProdBackups"') - 1,
)
SUPPRESSED = ("IAM2REGO-LISTBACKUPS-ON-TABLE", "aws_iam_role.auditor")


def _gate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iam2rego", "gate", "--engine", "opa", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("located")
    proc = _gate(
        f"{REL}/plan.json",
        "--guardrails",
        f"{REL}/gate.yaml",
        "--format",
        "text",
        "--format",
        f"github={tmp}/github.txt",
        "--format",
        f"sarif={tmp}/gate.sarif",
        "--format",
        f"junit={tmp}/junit.xml",
        "--format",
        f"json={tmp}/gate.json",
        "--write-baseline",
        f"{tmp}/baseline.json",
    )
    return {"proc": proc, "tmp": tmp}


def _key(finding: dict) -> tuple[str, str]:
    return finding["code"], (finding.get("principal") or {}).get("address")


@pytest.mark.opa
def test_text_points_at_the_tf_statement(outputs: dict) -> None:
    proc = outputs["proc"]
    assert proc.returncode == 1, proc.stderr
    for (code, principal), (rel, line) in EXPECTED.items():
        head = [x for x in proc.stdout.splitlines() if f"[{code}]" in x and f" {principal} (" in x]
        assert len(head) == 1, (code, principal, proc.stdout)
        assert head[0].startswith(f"{REL}/{rel}:{line}:"), head[0]
        assert principal in head[0]  # the plan address stays in the message
    assert "plan.json:" not in proc.stdout


@pytest.mark.opa
def test_github_annotations_point_at_the_tf_statement(outputs: dict) -> None:
    lines = (outputs["tmp"] / "github.txt").read_text().splitlines()
    for (code, principal), (rel, line) in EXPECTED.items():
        [hit] = [x for x in lines if f"title={code}::" in x and f" {principal} (" in x]
        assert f"file={REL}/{rel},line={line}," in hit, hit
        assert hit.startswith("::notice " if (code, principal) == SUPPRESSED else "::error "), hit


@pytest.mark.opa
def test_sarif_points_at_the_tf_statement_and_is_valid(outputs: dict) -> None:
    doc = json.loads((outputs["tmp"] / "gate.sarif").read_text())
    assert_valid_sarif(doc)
    [run] = doc["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["helpUri"].startswith("https://")
    seen = set()
    for result in run["results"]:
        key = (result["ruleId"], result["properties"]["principal"]["address"])
        rel, line = EXPECTED[key]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == f"{REL}/{rel}"
        assert loc["region"]["startLine"] == line
        assert isinstance(result["properties"]["statement"], dict)  # objects, not JSON strings
        assert "null" not in result["properties"].values()
        assert len(result["partialFingerprints"]["iam2regoFinding/v1"]) == 32
        if key == SUPPRESSED:
            [sup] = result["suppressions"]
            assert sup["kind"] == "inSource" and "ticket SEC-7" in sup["justification"]
        else:
            assert "suppressions" not in result
        seen.add(key)
    assert seen == set(EXPECTED)


@pytest.mark.opa
def test_junit_names_are_unique_and_failures_point_at_the_tf_statement(outputs: dict) -> None:
    suite = ET.parse(outputs["tmp"] / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(names) == len(set(names))
    assert int(suite.get("tests", "0")) == len(cases)
    # the one suppressed finding (inline skip of a lint code) is listed as skipped, never dropped
    assert suite.get("skipped") == "1" and len(suite.findall(".//skipped")) == 1
    by_name = {(c.get("classname"), c.get("name")): c for c in cases}
    # passing combinations are listed: the auditor may not delete prod backups
    passing = by_name[(f"iam2rego.gate.guardrail.{GUARDRAIL}", "aws_iam_role.auditor")]
    assert passing.find("failure") is None
    for (code, principal), (rel, line) in EXPECTED.items():
        cls = (
            f"iam2rego.gate.guardrail.{GUARDRAIL}"
            if code == "IAM2REGO-GUARDRAIL"
            else f"iam2rego.gate.builtin.{code}"
        )
        case = by_name[(cls, principal)]
        assert case.get("file") == f"{REL}/{rel}" and case.get("line") == str(line)
        if (code, principal) == SUPPRESSED:
            assert case.find("failure") is None
            assert "ticket SEC-7" in (case.findtext("system-out") or "")
            skipped = case.find("skipped")
            assert skipped is not None and "ticket SEC-7" in skipped.get("message", "")
        else:
            failure = case.find("failure")
            assert failure is not None and f"{REL}/{rel}:{line}:" in (failure.text or "")
    assert int(suite.get("failures", "0")) == len(EXPECTED) - 1


@pytest.mark.opa
def test_json_carries_the_location(outputs: dict) -> None:
    doc = json.loads((outputs["tmp"] / "gate.json").read_text())
    located = {(f["code"], f["message"].split(" (arn:")[0].split(" ")[-1]): f for f in doc["findings"]}
    for (code, principal), (rel, line) in EXPECTED.items():
        f = located[(code, principal)]
        assert (f["path"], f["line"], f["json_pointer"]) == (f"{REL}/{rel}", line, None)


@pytest.mark.opa
def test_without_the_tf_files_a_json_pointer_into_the_one_line_plan(outputs: dict, tmp_path: Path) -> None:
    plan = json.loads((CASE / "plan.json").read_text())
    (tmp_path / "plan.json").write_text(json.dumps(plan, separators=(",", ":")))  # as terraform writes it
    shutil.copy2(CASE / "gate.yaml", tmp_path / "gate.yaml")
    proc = _gate("plan.json", "--guardrails", "gate.yaml", "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid_sarif(doc)
    changes = [c["address"] for c in plan["resource_changes"]]
    for result in doc["runs"][0]["results"]:
        loc = result["locations"][0]
        policy = result["properties"]["statement"]["policy"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "plan.json"
        assert loc["properties"]["jsonPointer"] == f"/resource_changes/{changes.index(policy)}"
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == policy
        # the column is the resource's entry in the one-line plan, not 1:1
        assert loc["physicalLocation"]["region"]["startColumn"] > 1
    # fingerprints do not depend on where the finding was located
    before = json.loads((outputs["tmp"] / "gate.sarif").read_text())["runs"][0]["results"]
    fingerprints = lambda results: sorted(r["partialFingerprints"]["iam2regoFinding/v1"] for r in results)  # noqa: E731
    assert fingerprints(before) == fingerprints(doc["runs"][0]["results"])


@pytest.mark.opa
def test_baseline_fails_only_on_new_findings(outputs: dict, tmp_path: Path) -> None:
    baseline = outputs["tmp"] / "baseline.json"
    args = (f"{REL}/plan.json", "--guardrails", f"{REL}/gate.yaml", "--baseline", str(baseline))
    proc = _gate(*args, "--format", "sarif")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"unchanged"}
    # a baseline without one of the findings: that one is new and fails the gate
    doc = json.loads(baseline.read_text())
    [dropped] = [fp for fp, e in doc["findings"].items() if " aws_iam_role.ops (" in e["message"]]
    del doc["findings"][dropped]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(doc))
    proc = _gate(
        f"{REL}/plan.json",
        "--guardrails",
        f"{REL}/gate.yaml",
        "--baseline",
        str(partial),
        "--format",
        "sarif",
    )
    assert proc.returncode == 1
    new = [r for r in json.loads(proc.stdout)["runs"][0]["results"] if r["baselineState"] == "new"]
    assert [r["partialFingerprints"]["iam2regoFinding/v1"] for r in new] == [dropped]


@pytest.mark.opa
def test_fail_on_and_output_file(tmp_path: Path) -> None:
    args = (f"{REL}/plan.json", "--guardrails", f"{REL}/gate.yaml")
    never = _gate(*args, "--fail-on", "never", "-o", str(tmp_path / "out.txt"))
    assert never.returncode == 0 and never.stdout == ""
    assert f"{REL}/policies.tf:" in (tmp_path / "out.txt").read_text()


def test_binary_plan_says_run_terraform_show(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "tfplan", "w") as z:  # `terraform plan -out` writes a zip
        z.writestr("tfplan", b"\x00\x01binary")
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", "gate", str(tmp_path / "tfplan")], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "terraform show -json" in proc.stderr
    assert "codec" not in proc.stderr


def test_two_formats_on_stdout_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "iam2rego", "gate", "x.json", "--format", "text", "--format", "sarif"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "=FILE" in proc.stderr


@pytest.mark.opa
def test_several_plans_are_gated_one_by_one() -> None:
    clean = "tests/terraform/clean/plan.json"
    proc = _gate(clean, f"{REL}/plan.json", "--guardrails", f"{REL}/gate.yaml", "--format", "github")
    assert proc.returncode == 1, proc.stderr
    assert f"file={REL}/policies.tf," in proc.stdout
    refused = _gate(clean, f"{REL}/plan.json", "--format", "sarif=x.sarif")
    assert refused.returncode == 2 and "several plans" in refused.stderr

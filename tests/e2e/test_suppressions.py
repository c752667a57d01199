"""Suppression governance (issue 25 item 2), on real terraform plans.

* tests/terraform/suppress-inline: `# iam2rego:skip=IAM2REGO-GUARDRAIL` as a comment of a policy
  block (refused by default, honoured with `suppressions: {inline: allow}`), and the same text in a
  heredoc, a Condition value, a comment after the block and a comment inside `jsonencode({...})`:
  never a skip (the gate used to search the block's lines for the text and honoured all of them);
* tests/terraform/exceptions-scope: an exception glob `*breakglass*` matches IAM names only, not
  the address label `breakglass_shadow` (named data-cleaner) nor the path `/breakglass/` of a role
  named svc; an expired exception lets its finding return with a note (opa, wasm, plain conftest);
* tests/terraform/baseline-widen-{before,after}: a baseline written on the conditional grant (MFA +
  IP) does not suppress the unconditional grant of the same statement.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from iam2rego.terraform.gate import evaluate, gate_plan
from iam2rego.terraform.plan import load_config
from pack_run import run_pack

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "terraform"
INLINE = CASES / "suppress-inline"
SCOPE = CASES / "exceptions-scope"
GUARDRAIL = "IAM2REGO-GUARDRAIL"
NOT_SKIPS = {
    "aws_iam_role.heredoc_text",
    "aws_iam_role.condition_text",
    "aws_iam_role.trailing_text",
    "aws_iam_role.object_comment",
}
ENGINES = [pytest.param("opa", marks=pytest.mark.opa), pytest.param("wasm"), pytest.param("embedded")]


def _with(case: Path, tmp_path: Path, **extra: object) -> Path:
    """The case's gate.yaml with extra top-level settings under iam2rego_gate."""
    doc = yaml.safe_load((case / "gate.yaml").read_text())
    doc["iam2rego_gate"].update(extra)
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _by_principal(result) -> dict:
    return {g.principal: g for g in result.located if g.code == GUARDRAIL}


def _gate(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "iam2rego", "gate", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


# ---------------------------------------------------------------- inline skips


@pytest.mark.parametrize("engine", ENGINES)
def test_skip_text_in_a_string_heredoc_expression_or_after_the_block_is_no_skip(
    engine: str, tmp_path: Path
) -> None:
    result = gate_plan(
        str(INLINE / "plan.json"),
        guardrails=str(_with(INLINE, tmp_path, suppressions={"inline": "allow"})),
        engine=engine,
        source_dir=str(INLINE),
    )
    found = _by_principal(result)
    assert set(found) == NOT_SKIPS | {"aws_iam_role.skipped_block"}
    for address in NOT_SKIPS:
        assert found[address].active and found[address].suppression is None, address
        assert found[address].notes == (), address  # not a refused skip: no skip at all
    honoured = found["aws_iam_role.skipped_block"]
    assert honoured.suppression is not None and honoured.suppression.kind == "inSource"
    assert honoured.suppression.justification == "break-glass cleanup (ticket OPS-1)"
    assert result.denied  # the four others still fail the gate


@pytest.mark.parametrize("engine", ENGINES)
def test_a_guardrail_skip_is_refused_by_default_and_the_finding_says_so(engine: str) -> None:
    result = gate_plan(
        str(INLINE / "plan.json"), guardrails=str(INLINE / "gate.yaml"), engine=engine, source_dir=str(INLINE)
    )
    found = _by_principal(result)
    assert all(found[a].active and found[a].suppression is None for a in NOT_SKIPS)
    refused = found["aws_iam_role.skipped_block"]
    assert refused.active and refused.suppression is None
    [note] = refused.notes
    line = next(i for i, x in enumerate((INLINE / "main.tf").read_text().splitlines(), 1) if "OPS-1" in x)
    assert note.startswith(f"inline skip `iam2rego:skip={GUARDRAIL}` at ")
    assert note.split(" at ")[1].startswith(f"{INLINE.relative_to(ROOT)}/main.tf:{line} ") or (
        f"main.tf:{line} " in note
    )
    assert "suppressions.inline: lint" in note


@pytest.mark.opa
@pytest.mark.parametrize(
    ("inline", "honoured"),
    [("allow", True), ([GUARDRAIL], True), (["W-PLACEHOLDER"], False), ("deny", False)],
)
def test_suppressions_inline_decides_which_skips_count(
    tmp_path: Path, inline: object, honoured: bool
) -> None:
    cfg = _with(INLINE, tmp_path, suppressions={"inline": inline})
    proc = _gate(str(INLINE / "plan.json"), "--guardrails", str(cfg), "--engine", "opa",
                 "--source-dir", str(INLINE), "--format", "sarif")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    [r] = [r for r in results if r["properties"]["principal"]["address"] == "aws_iam_role.skipped_block"]
    if honoured:
        assert [s["kind"] for s in r["suppressions"]] == ["inSource"]
    else:
        assert "suppressions" not in r
        [note] = r["properties"]["suppressionNotes"]
        assert "refused by suppressions.inline" in note and note in r["message"]["text"]
    others = [r for r in results if r["properties"]["principal"]["address"] in NOT_SKIPS]
    assert len(others) == 4 and all("suppressions" not in r for r in others)


@pytest.mark.opa
def test_inline_deny_refuses_even_a_lint_skip(tmp_path: Path) -> None:
    """tests/terraform/located skips IAM2REGO-LISTBACKUPS-ON-TABLE (a lint code: honoured by default)."""
    case = CASES / "located"
    cfg = _with(case, tmp_path, suppressions={"inline": "deny"})
    result = gate_plan(str(case / "plan.json"), guardrails=str(cfg), engine="opa", source_dir=str(case))
    [lint] = [
        g
        for g in result.located
        if g.code == "IAM2REGO-LISTBACKUPS-ON-TABLE" and g.principal == "aws_iam_role.auditor"
    ]
    assert lint.active and "refused by suppressions.inline: deny" in lint.notes[0]
    default = gate_plan(
        str(case / "plan.json"), guardrails=str(case / "gate.yaml"), engine="opa", source_dir=str(case)
    )
    [lint] = [
        g
        for g in default.located
        if g.code == "IAM2REGO-LISTBACKUPS-ON-TABLE" and g.principal == "aws_iam_role.auditor"
    ]
    assert lint.suppression is not None and not lint.active


# ---------------------------------------------------------------- exceptions

DENIED = {"aws_iam_role.breakglass_shadow", "aws_iam_role.path_svc", "aws_iam_role.expired_role"}
EXCEPTED = {"aws_iam_role.breakglass_ops", "aws_iam_role.current_role"}


def _check_scope(deny: list[dict], warn: list[dict]) -> None:
    guardrail = [f for f in deny if f["code"] == GUARDRAIL]
    assert {f["principal"]["address"] for f in guardrail} == DENIED
    applied = [f for f in warn if f["msg"].startswith("IAM2REGO-EXCEPTION-APPLIED")]
    assert {f["principal"]["address"] for f in applied} == EXCEPTED
    [expired] = [f for f in guardrail if f["principal"]["address"] == "aws_iam_role.expired_role"]
    assert [(e["exception"], e["expires"]) for e in expired["exception_expired"]] == [(1, "2020-01-01")]
    assert expired["msg"].endswith("(exception #1 expired on 2020-01-01)")
    for f in guardrail:
        if f["principal"]["address"] != "aws_iam_role.expired_role":
            assert "exception_expired" not in f


def _former_syntax_only(tmp_path: Path) -> Path:
    """exceptions-scope's gate.yaml with only the `principal: "*breakglass*"` exception (valid before issue 25)."""
    doc = yaml.safe_load((SCOPE / "gate.yaml").read_text())
    doc["iam2rego_gate"]["exceptions"] = doc["iam2rego_gate"]["exceptions"][:1]
    path = tmp_path / "former.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _guardrail_rows(deny: list[dict], warn: list[dict]) -> tuple[set, set]:
    denied = {f["principal"]["address"] for f in deny if f["code"] == GUARDRAIL}
    applied = {f["principal"]["address"] for f in warn if f["msg"].startswith("IAM2REGO-EXCEPTION-APPLIED")}
    return denied, applied


FORMER = (
    {
        "aws_iam_role.breakglass_shadow",
        "aws_iam_role.path_svc",
        "aws_iam_role.expired_role",
        "aws_iam_role.current_role",
    },
    {"aws_iam_role.breakglass_ops"},
)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_star_breakglass_glob_matches_no_label_and_no_path(engine: str, tmp_path: Path) -> None:
    data, diags = load_config(str(_former_syntax_only(tmp_path)))
    assert data is not None, diags
    report = evaluate(json.loads((SCOPE / "plan.json").read_text()), data, engine)
    assert _guardrail_rows(report["deny"], report["warn"]) == FORMER


@pytest.mark.conftest
def test_conftest_star_breakglass_glob_matches_no_label_and_no_path(
    conftest_bin: str, tmp_path: Path
) -> None:
    rc, result = run_pack(conftest_bin, tmp_path, SCOPE / "plan.json", data=_former_syntax_only(tmp_path))
    assert rc == 1
    results = lambda key: [{**f["metadata"], "msg": f["msg"]} for f in result.get(key) or []]  # noqa: E731
    assert _guardrail_rows(results("failures"), results("warnings")) == FORMER


@pytest.mark.parametrize("engine", ENGINES)
def test_an_exception_glob_matches_its_own_key_only_and_expires(engine: str) -> None:
    data, diags = load_config(str(SCOPE / "gate.yaml"))
    assert data is not None, diags
    report = evaluate(json.loads((SCOPE / "plan.json").read_text()), data, engine)
    _check_scope(report["deny"], report["warn"])


@pytest.mark.conftest
def test_conftest_matches_exceptions_by_key_and_expires_them(conftest_bin: str, tmp_path: Path) -> None:
    rc, result = run_pack(conftest_bin, tmp_path, SCOPE / "plan.json", data=SCOPE / "gate.yaml")
    assert rc == 1
    results = lambda key: [{**f["metadata"], "msg": f["msg"]} for f in result.get(key) or []]  # noqa: E731
    _check_scope(results("failures"), results("warnings"))


@pytest.mark.opa
def test_exceptions_require_makes_a_missing_owner_a_located_config_error(tmp_path: Path) -> None:
    cfg = _with(SCOPE, tmp_path, suppressions={"exceptions_require": ["reason", "owner", "expires"]})
    proc = _gate(str(SCOPE / "plan.json"), "--guardrails", str(cfg), "--engine", "opa", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    found = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "IAM2REGO-CONFIG-INVALID"]
    lines = cfg.read_text().splitlines()
    first = (
        next(i for i, x in enumerate(lines, 1) if "*breakglass*" in x) - 1
    )  # `- guardrail:` of exception #0
    assert [(f["path"], f["line"]) for f in found] == [(str(cfg), first), (str(cfg), first)]
    assert sorted(f["message"].split(": ", 1)[1] for f in found) == [
        "iam2rego_gate.exceptions[0]: needs `expires` (suppressions.exceptions_require)",
        "iam2rego_gate.exceptions[0]: needs `owner` (suppressions.exceptions_require)",
    ]


@pytest.mark.opa
@pytest.mark.parametrize(
    ("principal", "problem"),
    [
        ("aws_iam_role.ops", "could be an IAM name or a Terraform address"),
        ("ops.admin", "could be an IAM name or a Terraform address"),
        ("team/ops", "is not an IAM name, an ARN or a Terraform address"),
    ],
)
def test_an_ambiguous_former_principal_is_a_config_error(
    tmp_path: Path, principal: str, problem: str
) -> None:
    data, _ = load_config(str(SCOPE / "gate.yaml"))
    assert data is not None
    data["iam2rego_gate"]["exceptions"] = [{"guardrail": "no-prod-backup-deletion", "principal": principal}]
    report = evaluate(json.loads((SCOPE / "plan.json").read_text()), data, "opa")
    [f] = report["deny"]
    assert f["code"] == "IAM2REGO-CONFIG-INVALID"
    assert f["detail"].startswith(f'iam2rego_gate.exceptions[0].principal: "{principal}" {problem}')


# ---------------------------------------------------------------- baselines


@pytest.mark.parametrize("engine", ENGINES)
def test_a_baseline_of_a_conditional_grant_does_not_cover_the_unconditional_one(
    engine: str, tmp_path: Path
) -> None:
    before, after = CASES / "baseline-widen-before", CASES / "baseline-widen-after"
    baseline = tmp_path / "baseline.json"
    common = ("--engine", engine, "--guardrails", str(before / "gate.yaml"))
    written = _gate(str(before / "plan.json"), *common, "--write-baseline", str(baseline))
    assert written.returncode == 1, written.stderr
    wider = _gate(str(after / "plan.json"), *common, "--baseline", str(baseline), "--format", "sarif")
    assert wider.returncode == 1, wider.stdout + wider.stderr
    [r] = json.loads(wider.stdout)["runs"][0]["results"]
    assert r["baselineState"] == "new" and r["properties"]["answer"] == "allowed"
    same = _gate(str(before / "plan.json"), *common, "--baseline", str(baseline), "--format", "sarif")
    assert same.returncode == 0, same.stdout + same.stderr
    assert [r["baselineState"] for r in json.loads(same.stdout)["runs"][0]["results"]] == ["unchanged"]
    [entry] = json.loads(baseline.read_text())["findings"].values()
    assert entry["answer"] == "conditional" and "aws:MultiFactorAuthPresent" in entry["condition"]
    assert r["partialFingerprints"]["iam2regoFinding/v1"] in json.loads(baseline.read_text())["findings"]
    assert r["properties"]["suppressionNotes"] == [
        "in the baseline as conditional, but its answer or deciding statement changed"
    ]


@pytest.mark.opa
def test_a_version_1_baseline_is_refused_with_a_hint(tmp_path: Path) -> None:
    before = CASES / "baseline-widen-before"
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"version": 1, "tool": "iam2rego gate", "findings": {"0" * 32: "a finding"}}))
    proc = _gate(str(before / "plan.json"), "--engine", "opa", "--guardrails", str(before / "gate.yaml"),
                 "--baseline", str(old))  # fmt: skip
    assert proc.returncode == 2
    assert "version 1 baseline" in proc.stderr and "--write-baseline" in proc.stderr


@pytest.mark.opa
def test_suppressions_baseline_deny_refuses_a_baseline(tmp_path: Path) -> None:
    before = CASES / "baseline-widen-before"
    baseline = tmp_path / "baseline.json"
    args = (str(before / "plan.json"), "--engine", "opa")
    assert (
        _gate(*args, "--guardrails", str(before / "gate.yaml"), "--write-baseline", str(baseline)).returncode
        == 1
    )
    cfg = _with(before, tmp_path, suppressions={"baseline": "deny"})
    proc = _gate(*args, "--guardrails", str(cfg), "--baseline", str(baseline))
    assert proc.returncode == 2
    assert "suppressions.baseline: deny" in proc.stderr

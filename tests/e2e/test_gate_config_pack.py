"""The guardrail file under conftest: the pack checks it against the same schema (a misspelt key is a
denial, never ignored) and warns about selectors that select nothing, as `iam2rego gate` does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.pack import NAMESPACE, pack_files, write_pack

ROOT = Path(__file__).resolve().parents[2]
BREAKGLASS = ROOT / "tests" / "terraform" / "breakglass"


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(str(tmp_path_factory.mktemp("pack") / "pack"), pack_files())


def _conftest(conftest_bin: str, pack: Path, data: dict, tmp: Path) -> tuple[int, dict]:
    (tmp / "gate.json").write_text(json.dumps({"iam2rego_gate": data}), encoding="utf-8")
    cmd = [conftest_bin, "test", "--no-color", "--namespace", NAMESPACE, "-p", str(pack), "-o", "json",
           "--data", str(tmp / "gate.json"), str(BREAKGLASS / "plan.json")]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    [result] = json.loads(proc.stdout)
    return proc.returncode, result


# the breakglass plan: ops may delete prod-orders backups unconditionally
FORBID = {
    "id": "no-prod-delete",
    "kind": "forbid",
    "operation": "delete_backup",
    "resources": {"tables": ["prod-*"]},
}


@pytest.mark.conftest
@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"guardrails": [{**FORBID, "contxt": {"aws:SourceIp": "10.0.0.1"}}]}, 'guardrails[0]: unknown key "contxt"'),
        ({"guardrails": [{**FORBID, "principal": {"names": ["ops"]}}]}, 'guardrails[0]: unknown key "principal"'),
        ({"guardrails": [FORBID], "unverifable": "warn"}, 'iam2rego_gate: unknown key "unverifable"'),
        ({"guardrails": [{**FORBID, "severity": 1}]}, "guardrails[0].severity: 1 is not of type string"),
    ],
)  # fmt: skip
def test_conftest_denies_an_invalid_guardrail_file(
    config: dict, words: str, conftest_bin: str, pack_dir: Path, tmp_path: Path
) -> None:
    rc, result = _conftest(conftest_bin, pack_dir, config, tmp_path)
    failures = result.get("failures") or []
    assert rc == 1
    assert {f["metadata"]["code"] for f in failures} == {"IAM2REGO-CONFIG-INVALID"}
    assert any(words in f["msg"] for f in failures), [f["msg"] for f in failures]


@pytest.mark.conftest
def test_conftest_warns_about_a_table_glob_that_matches_nothing(
    conftest_bin: str, pack_dir: Path, tmp_path: Path
) -> None:
    config = {"guardrails": [{**FORBID, "resources": {"tables": ["prod-order"]}}],
              "builtin": {c: {"severity": "off"} for c in ("IAM2REGO-DATAPLANE-ON-BACKUP",
                          "W-PLACEHOLDER", "W-RESTORE-WITHOUT-WRITES", "W-BROAD-ALLOW")}}  # fmt: skip
    rc, result = _conftest(conftest_bin, pack_dir, config, tmp_path)
    warnings = sorted(w["msg"] for w in result.get("warnings") or [])
    assert warnings == [
        'IAM2REGO-SELECTOR-UNMATCHED [no-prod-delete]: resources.tables "prod-order" matches no table of the plan',
        "IAM2REGO-SELECTOR-UNMATCHED [no-prod-delete]: selects no table of the plan: it checks nothing",
    ]
    assert rc == 0


@pytest.mark.opa
def test_iam2rego_gate_shows_the_same_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        "iam2rego_gate:\n  guardrails:\n    - {id: g, kind: forbid, operation: delete_backup,"
        " resources: {tables: [prod-order]}}\n"
    )
    main(["gate", str(BREAKGLASS / "plan.json"), "--guardrails", str(gate), "--engine", "opa"])
    out = capsys.readouterr().out
    assert 'warning[IAM2REGO-SELECTOR-UNMATCHED]: [g]: resources.tables "prod-order"' in out


@pytest.mark.parametrize(
    "engine", [pytest.param("embedded", id="embedded"), pytest.param("opa", id="opa", marks=pytest.mark.opa)]
)
def test_every_engine_runs_the_schema_check(engine: str) -> None:
    from iam2rego.terraform.gate import evaluate

    plan = json.loads((BREAKGLASS / "plan.json").read_text(encoding="utf-8"))
    config = {"guardrails": [{**FORBID, "contxt": {}, "severity": 1}], "builtin": {"IAM2REGO-NOPE": {}}}
    report = evaluate(plan, {"iam2rego_gate": config}, engine)
    assert sorted(f["detail"] for f in report["deny"]) == sorted(
        [
            'iam2rego_gate.builtin: key "IAM2REGO-NOPE" is not one of IAM2REGO-LISTBACKUPS-ON-TABLE, '
            "IAM2REGO-DATAPLANE-ON-BACKUP, IAM2REGO-RESTORE-WRITES-BLOCKED, IAM2REGO-BACKUP-ROLE, "
            "IAM2REGO-VAULT-UNLOCKED, IAM2REGO-VAULT-POLICY-OPEN, IAM2REGO-PUBLIC-RESOURCE-POLICY, W-BROAD-ALLOW, "
            "W-RESOURCE-MISMATCH, "
            "W-PLACEHOLDER, W-RESTORE-WITHOUT-WRITES, "
            "IAM2REGO-RESTORE-WITHOUT-WRITE, IAM2REGO-PLACEHOLDER-ACCOUNT, IAM2REGO-WILDCARD-ADMIN",
            "iam2rego_gate.builtin.IAM2REGO-NOPE: needs `severity`",
            'iam2rego_gate.guardrails[0]: unknown key "contxt" (allowed: action, actions, conditional, context, '
            "description, id, kind, operation, operations, principals, resources, role, severity, target_table, vault)",
            "iam2rego_gate.guardrails[0].severity: 1 is not of type string",
        ]
    )

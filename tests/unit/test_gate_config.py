"""The guardrail file is validated against the shipped JSON Schema: unknown keys, wrong types and
duplicate keys are errors at file:line:col (exit 2), never silently ignored; YAML dates stay text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iam2rego.cli import main
from iam2rego.terraform.config import load_config, schema, schema_rego, schema_shapes

ROOT = Path(__file__).resolve().parents[2]
GUARDRAIL = """\
iam2rego_gate:
  account_id: "123456789012"
  guardrails:
    - id: no-delete
      kind: forbid
      action: dynamodb:DeleteBackup
{extra}"""


def _load(tmp_path: Path, text: str) -> tuple[dict | None, list]:
    path = tmp_path / "gate.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(str(path))


def _one_error(tmp_path: Path, text: str) -> tuple[str, int, int, str, str | None]:
    cfg, diags = _load(tmp_path, text)
    assert cfg is None
    [d] = diags
    assert d.code == "TF-CONFIG"
    return d.message, d.span.line, d.span.column, d.path, d.hint


@pytest.mark.parametrize(
    ("extra", "line", "col", "key"),
    [
        # the first made a forbid pass (its context was dropped), the second widened a guardrail to
        # every principal: both were accepted before the schema
        ('      contxt: {"aws:SourceIp": "10.1.2.3"}\n', 7, 7, "contxt"),
        ("      principal: {names: [ops]}\n", 7, 7, "principal"),
        ("      resources: {tabels: [prod-*]}\n", 7, 19, "tabels"),
    ],
)
def test_unknown_guardrail_keys_are_located_errors(
    tmp_path: Path, extra: str, line: int, col: int, key: str
) -> None:
    message, got_line, got_col, _, hint = _one_error(tmp_path, GUARDRAIL.format(extra=extra))
    assert f"unknown key {key!r}" in message
    assert (got_line, got_col) == (line, col)
    assert hint and hint.startswith("allowed keys: ")


def test_misspelt_top_level_key_is_a_located_error(tmp_path: Path) -> None:
    text = "iam2rego_gate:\n  unverifable: warn\n"
    message, line, col, _, _ = _one_error(tmp_path, text)
    assert (message, line, col) == ("unknown key 'unverifable' in iam2rego_gate", 2, 3)


@pytest.mark.parametrize(
    ("text", "line", "col", "words", "hint"),
    [
        (
            "iam2rego_gate:\n  account_id: 123456789012\n",
            2, 15, "iam2rego_gate.account_id: 123456789012 is not of type string", "quote the value",
        ),
        (
            GUARDRAIL.format(extra="      severity: high\n"),
            7, 17, 'iam2rego_gate.guardrails[0].severity: "high" is not one of "deny", "warn"', None,
        ),
        (
            GUARDRAIL.format(extra="      operation: delete_backup\n"),
            4, 7, "iam2rego_gate.guardrails[0]: needs exactly one of `operation` and `action`", None,
        ),
        (
            "iam2rego_gate:\n  guardrails:\n    - {id: g, kind: forbid, operation: aws_backup_start_backup_job}\n",
            3, 7, "iam2rego_gate.guardrails[0]: 'role' is a required property", None,
        ),
        ("iam2rego_gate:\n  guardrails:\n    - {kind: forbid, action: 'x:Y'}\n", 3, 7, "'id' is a required", None),
    ],
)  # fmt: skip
def test_wrong_types_are_located_errors_and_dates_do_not_crash(
    tmp_path: Path, text: str, line: int, col: int, words: str, hint: str | None
) -> None:
    message, got_line, got_col, _, got_hint = _one_error(tmp_path, text)
    assert words in message
    assert (got_line, got_col) == (line, col)
    assert (got_hint or "").startswith(hint or "")


def test_yaml_dates_stay_text_and_do_not_crash(tmp_path: Path) -> None:
    extra = "      context: {aws:CurrentTime: 2024-01-31T10:00:00Z, 2024-01-31: x}\n"
    text = GUARDRAIL.format(extra=extra) + "  exceptions:\n    - {guardrail: no-delete, reason: 2024-01-31}\n"
    cfg, diags = _load(tmp_path, text)
    assert diags == []
    assert cfg is not None
    gate = cfg["iam2rego_gate"]
    assert gate["guardrails"][0]["context"] == {"aws:CurrentTime": "2024-01-31T10:00:00Z", "2024-01-31": "x"}
    assert gate["exceptions"][0]["reason"] == "2024-01-31"
    json.dumps(cfg)  # JSON data for the engine


def test_duplicate_keys_are_located_errors(tmp_path: Path) -> None:
    text = GUARDRAIL.format(extra="      kind: require\n")
    message, line, col, _, hint = _one_error(tmp_path, text)
    assert (message, line, col) == ("duplicate key 'kind'", 7, 7)
    assert hint == "YAML keeps only the last one; remove one"


@pytest.mark.parametrize("case", ["breakglass", "account", "conditional"])
def test_fixture_guardrail_files_are_valid(case: str) -> None:
    cfg, diags = load_config(str(ROOT / "tests" / "terraform" / case / "gate.yaml"))
    assert diags == []
    assert cfg is not None


def test_json_configuration_files_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"iam2rego_gate": {"guardrails": [{"id": "g", "kind": "forbid"}]}}))
    cfg, [d] = load_config(str(path))
    assert cfg is None and "exactly one of `operation` and `action`" in d.message


def test_gate_exits_2_with_the_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = ROOT / "tests" / "terraform" / "clean" / "plan.json"
    bad = tmp_path / "gate.yaml"
    bad.write_text(GUARDRAIL.format(extra='      contxt: {"aws:SourceIp": "10.1.2.3"}\n'))
    assert main(["gate", str(plan), "--guardrails", str(bad), "--engine", "embedded"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{bad}:7:7: error[TF-CONFIG]: unknown key 'contxt' in iam2rego_gate.guardrails[0]" in err


def test_generated_rego_schema_is_current() -> None:
    """rego/iam2rego/gate/config_schema.rego is generated from gate.schema.json (scripts/gen_gate_schema.py)."""
    shipped = (ROOT / "rego" / "iam2rego" / "gate" / "config_schema.rego").read_text(encoding="utf-8")
    assert shipped == schema_rego()


def test_every_schema_key_has_a_rego_shape() -> None:
    paths = {tuple(s["path"]) for s in schema_shapes()}
    for key in schema()["$defs"]["guardrail"]["properties"]:
        assert ("guardrails", "*", key) in paths
    for key in schema()["$defs"]["gate"]["properties"]:
        assert (key,) in paths

"""The one code registry (iam2rego.codes): every code the sources emit is registered, docs are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from iam2rego import codes
from iam2rego.checks import REGISTRY
from iam2rego.cli import main

ROOT = Path(__file__).resolve().parents[2]
# A code literal: "V-JSON", "W-BROAD-ALLOW", "SCN-YAML", "TF-PLAN", "IAM2REGO-...", "IO001", "IO-LIMIT".
_LITERAL = re.compile(r'"((?:V|W|SCN|TF|IAM2REGO)-[A-Z0-9-]*[A-Z0-9]|IO001|IO-LIMIT)"')


def _emitted(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in ROOT.glob(pattern):
        if path.name.endswith("_test.rego"):
            continue
        found |= set(_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_python_sources_is_registered() -> None:
    emitted = _emitted("compiler/**/*.py") - set(codes.RENAMED)
    assert emitted, "the scan found no codes: the pattern is broken"
    assert sorted(emitted - set(codes.CODES)) == []


def test_every_code_the_rego_library_and_gate_emit_is_registered() -> None:
    emitted = _emitted("rego/**/*.rego") - set(codes.RENAMED)
    assert "IAM2REGO-GUARDRAIL" in emitted and "W-BROAD-ALLOW" in emitted
    assert sorted(emitted - set(codes.CODES)) == []


def test_every_check_has_a_warning_entry() -> None:
    for check in REGISTRY:
        entry = codes.CODES[check.id]
        assert entry.family == "W" and entry.title == check.description and entry.help


def test_twin_rules_have_one_id_and_the_gate_knows_the_former_ones() -> None:
    assert set(codes.RENAMED.values()) <= set(codes.CODES)
    assert not set(codes.RENAMED) & set(codes.CODES)
    builtin = (ROOT / "rego/iam2rego/gate/builtin.rego").read_text(encoding="utf-8")
    block = builtin[builtin.index("renamed_codes := {") :].split("}", 1)[0]
    assert dict(re.findall(r'"([A-Z0-9-]+)": "([A-Z0-9-]+)"', block)) == codes.RENAMED
    assert codes.lookup("IAM2REGO-WILDCARD-ADMIN").id == "W-BROAD-ALLOW"


def test_docs_codes_md_is_generated_from_the_registry() -> None:
    assert (ROOT / "docs/CODES.md").read_text(encoding="utf-8") == codes.markdown(), (
        "regenerate: python -m iam2rego.codes > docs/CODES.md"
    )
    for code in codes.CODES.values():
        assert f"### {code.id}\n" in codes.markdown() and code.anchor.endswith("#" + code.id.lower())


def test_check_help_lists_the_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "V-JSON" in out and "W-RESTORE-WITHOUT-WRITES" in out

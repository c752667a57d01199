"""Facts shared by Python and Rego have one source (compiler/catalog/facts.json); copies match it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from iam2rego.catalog import facts
from iam2rego.checks.restore_without_writes import DATA_PLANE
from iam2rego.codegen import CompileOptions

ROOT = Path(__file__).resolve().parents[2]


def test_generated_rego_copy_matches_the_source() -> None:
    text = (ROOT / "rego/iam2rego/catalog/facts.rego").read_text(encoding="utf-8")
    assert text == facts.render_rego(), "regenerate: python3 scripts/gen_catalog.py --rego-only"
    for action in facts.RESTORE_DATAPLANE:
        assert f'"{action}",' in text


def test_the_check_uses_the_shared_data_plane_actions() -> None:
    assert DATA_PLANE == facts.RESTORE_DATAPLANE
    assert len(set(DATA_PLANE)) == 7


def test_compile_option_defaults_are_the_shared_defaults() -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(CompileOptions) if f.name != "package"}
    assert defaults == facts.OPTION_DEFAULTS
    assert CompileOptions(package="p").rego_options() == facts.OPTION_DEFAULTS


def test_no_rego_file_spells_the_shared_facts_again() -> None:
    offenders = []
    for path in (ROOT / "rego").rglob("*.rego"):
        if path.name.endswith("_test.rego") or path.name == "facts.rego":
            continue
        text = path.read_text(encoding="utf-8").lower()
        if '"dynamodb:batchwriteitem", "dynamodb:deleteitem"' in text or '"resource_glob": "segment"' in text:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []

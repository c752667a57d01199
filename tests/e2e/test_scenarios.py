"""Every shipped scenario suite passes on every engine (STYLE: one registry, every scenario on every engine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from iam2rego.harness.engines import get_engine
from iam2rego.harness.report import console
from iam2rego.harness.runner import run_suites

ROOT = Path(__file__).resolve().parents[2]
AREAS = sorted(p.name for p in (ROOT / "scenarios").iterdir() if p.is_dir())
OPA_IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")
ENGINES = [
    pytest.param("embedded", id="embedded"),
    pytest.param("opa", id="opa", marks=pytest.mark.opa),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]
# Known regopy 1.5.2 defects hit by rego/iam2rego: it cannot parse `some k, v in xs` inside array/set
# comprehensions, and sprintf("%s") of strings taken from a set yields invalid JSON output. The embedded
# engine then refuses plainly (never a wrong decision); only those exact refusals are tolerated here.
REGOPY_DEFECTS = ("regopy rejected the modules", "regopy produced malformed output")
# rego-cpp 1.5.2 grows without bound (or loops) compiling the operation machinery of modules that
# decide composite restores and AWS Backup jobs; the embedded engine's watchdog stops it with a clear
# error. In these areas that stop (and only that) is tolerated on the embedded engine, reported as
# xfail; every case that did run must still pass, and any other error fails the test.
REGOPY_WATCHDOG = ("regopy used more than", "regopy did not finish")
EMBEDDED_WATCHDOG_AREAS = {"awsbackup", "restore", "targeted", "team-example"}
# Kept small so a known blow-up costs seconds, not minutes, of CI time.
EMBEDDED_LIMITS = {"timeout": 120, "max_rss_bytes": 3 * 1024**3}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("engine_name", ENGINES)
def test_shipped_suites_pass(engine_name: str, area: str) -> None:
    opts: dict[str, object] = {"opa_image": OPA_IMAGE} if engine_name == "docker" else {}
    if engine_name == "embedded":
        opts.update(EMBEDDED_LIMITS)
    result = run_suites([ROOT / "scenarios" / area], get_engine(engine_name, **opts))
    if engine_name == "embedded" and area in EMBEDDED_WATCHDOG_AREAS:
        stopped = [e for e in result.errors if e.kind == "engine" and any(d in e.message for d in REGOPY_WATCHDOG)]
        others = [e for e in result.errors if e not in stopped]
        assert not others, console(result)
        assert not [r for r in result.results if not r.passed], console(result)
        if stopped:
            pytest.xfail(f"known rego-cpp defect: {stopped[0].message[:200]}")
    if (engine_name == "embedded" and result.errors and not result.results
            and all(e.kind == "engine" and any(d in e.message for d in REGOPY_DEFECTS) for e in result.errors)):
        pytest.xfail(f"known: {result.errors[0].message.splitlines()[0][:300]}")
    assert result.exit_code == 0, console(result)
    assert result.results, "no case ran"

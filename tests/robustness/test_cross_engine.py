"""Cross-engine differential (issue #6, item 7): the same generated (policy set, request) cases give
identical decisions on the embedded (regopy), opa and docker engines. Cases come from the codegen
differential generator (tests/differential/gen.py, imported, not copied): 50 policy sets x 200
requests = 10,000 cases, one engine call per compiled module and engine.

``IAM2REGO_XENGINE_SEED`` / ``IAM2REGO_XENGINE_CASES`` change the seed and the number of policy sets.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest
from iam2rego.codegen import library_files
from iam2rego.engines import get_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "differential"))
import gen
from test_compiled_vs_generic import build, summary

SEED = int(os.environ.get("IAM2REGO_XENGINE_SEED", "6006"))
N_CASES = int(os.environ.get("IAM2REGO_XENGINE_CASES", "50"))
N_REQUESTS = 200
IMAGE = os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local")


@pytest.fixture(scope="module")
def cases() -> list[tuple[dict[str, str], str, list[dict]]]:
    rng = random.Random(SEED)
    lib = library_files()
    out = []
    for i in range(N_CASES):
        case = gen.case(rng, N_REQUESTS)
        files, _ = build(i, case)
        out.append(({**lib, **files}, f"data.iam2rego.policies.diff.c{i}.decision", case.requests))
    return out


def _decide(engine_name: str, cases: list[tuple[dict[str, str], str, list[dict]]]) -> list[list[object]]:
    opts = {"opa_image": IMAGE} if engine_name == "docker" else {}
    engine = get_engine(engine_name, timeout=600, **opts)
    problem = engine.unavailable_reason()
    assert problem is None, problem
    return [[summary(d) for d in engine.evaluate(mods, ep, reqs)] for mods, ep, reqs in cases]


def _compare(results: dict[str, list[list[object]]], cases) -> None:  # type: ignore[no-untyped-def]
    total = sum(len(reqs) for _, _, reqs in cases)
    assert total == len(cases) * N_REQUESTS  # every generated request is decided
    mismatches = []
    for i, (_, _, reqs) in enumerate(cases):
        for j, req in enumerate(reqs):
            got = {name: results[name][i][j] for name in results}
            assert all(v is not None for v in got.values()), (i, req, got)  # every request has a decision
            if len({json.dumps(v, default=str) for v in got.values()}) > 1:
                mismatches.append({"case": i, "request": req, **got})
    detail = json.dumps(mismatches[:5], indent=1, default=str)
    assert not mismatches, f"{len(mismatches)} of {total} cases differ between engines; first ones:\n{detail}"


@pytest.mark.opa
@pytest.mark.docker
def test_opa_and_docker_decide_every_case_identically(cases) -> None:  # type: ignore[no-untyped-def]
    _compare({name: _decide(name, cases) for name in ("opa", "docker")}, cases)


# regopy evaluates about 60 ms per request here (OPA: 2 ms), so the normal suite cross-checks the
# embedded engine on the first EMBEDDED_CASES policy sets (200 requests each, 1,000 cases by default);
# `make fuzz` sets IAM2REGO_XENGINE_EMBEDDED=50 for all 10,000.
EMBEDDED_CASES = int(os.environ.get("IAM2REGO_XENGINE_EMBEDDED", "5"))


@pytest.mark.opa
def test_embedded_decides_like_opa(cases) -> None:  # type: ignore[no-untyped-def]
    # The embedded engine runs regopy in a child under its time/memory watchdog: a hang is an error.
    subset = cases[:EMBEDDED_CASES]
    _compare({name: _decide(name, subset) for name in ("opa", "embedded")}, subset)

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
from iam2rego.harness.engines import get_engine

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
    assert total >= min(10_000, N_CASES * N_REQUESTS)
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


EMBEDDED_PROBE = r"""
import json, sys
from iam2rego.harness.engines import get_engine
mods, ep, reqs = json.load(sys.stdin)
print(json.dumps(get_engine("embedded").evaluate(mods, ep, reqs)))
"""


@pytest.mark.opa
@pytest.mark.xfail(
    strict=True,
    reason="BUG (embedded engine / regopy 1.5.2, harness owner): evaluating a generated differential "
    "module does not finish within 240 s even for ONE request, and the embedded engine has no "
    "--timeout (in-process), so `iam2rego test --engine embedded` can hang forever",
)
def test_embedded_decides_like_opa(cases) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    subset = [(mods, ep, reqs[:20]) for mods, ep, reqs in cases[:5]]
    embedded = []
    for item in subset:  # a subprocess per module so that a hang cannot stall the suite
        try:
            proc = subprocess.run([sys.executable, "-c", EMBEDDED_PROBE], input=json.dumps(item),
                                  capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("the embedded engine did not finish within 240 s")
        assert proc.returncode == 0, proc.stderr[-2000:]
        embedded.append([summary(d) for d in json.loads(proc.stdout)])
    results = {"opa": _decide("opa", subset), "embedded": embedded}
    total = sum(len(r) for _, _, r in subset)
    mismatches = [(i, j) for i in range(len(subset)) for j in range(len(subset[i][2]))
                  if json.dumps(results["opa"][i][j]) != json.dumps(results["embedded"][i][j])]  # fmt: skip
    assert not mismatches, f"{len(mismatches)} of {total} differ"

"""Differential test: compiled modules vs the generic Rego evaluator (``data.iam2rego.generic``) on
real OPA, over seeded random (policy set, request) pairs. Both must give the same decision, reason
code and deciding statements. All pairs of a chunk of policy sets run in ONE ``opa eval`` through a
small generated batch module (one rule per policy set), so the test stays fast.

``IAM2REGO_DIFF_SEED`` / ``IAM2REGO_DIFF_CASES`` change the seed and the number of policy sets.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from iam2rego import ir
from iam2rego.api import parse_policy
from iam2rego.codegen import CompileOptions, compile_principals, library_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen

SEED = int(os.environ.get("IAM2REGO_DIFF_SEED", "20240601"))
N_CASES = int(os.environ.get("IAM2REGO_DIFF_CASES", "200"))
N_REQUESTS = 50
CHUNK = 20
K = ir.PolicyKind


def _policy(doc: dict, path: str, kind: ir.PolicyKind) -> ir.Policy:
    policy, diags = parse_policy(gen.dumps(doc), path, kind, name=Path(path).stem)
    assert policy is not None, (path, [(d.code, d.message) for d in diags], doc)
    return policy


def _generic_doc(doc: dict | None, path: str) -> dict | None:
    return None if doc is None else {"name": Path(path).stem, "document": doc, "source": path}


def build(i: int, case: gen.Case) -> tuple[dict[str, str], dict]:
    """(compiled module files, generic PolicySetDoc) for one case."""
    pre = f"gen/c{i}"
    ids = [(d, f"{pre}/c{i}_id{j}.json") for j, d in enumerate(case.identity)]
    one = {
        "boundary": (case.boundary, f"{pre}/c{i}_boundary.json", K.BOUNDARY),
        "session": (case.session, f"{pre}/c{i}_session.json", K.SESSION),
    }
    rbps = [
        (t, d, f"{pre}/c{i}_rbp{j}.json") for j, (t, d) in enumerate(sorted(case.resource_policies.items()))
    ]
    scp = [
        [(d, f"{pre}/c{i}_scp{lv}_{j}.json") for j, d in enumerate(level)]
        for lv, level in enumerate(case.scp)
    ]
    ps = ir.PolicySet(
        identity=tuple(_policy(d, p, K.IDENTITY) for d, p in ids),
        boundary=_policy(*one["boundary"]) if case.boundary else None,
        session=_policy(*one["session"]) if case.session else None,
        resource_policies=tuple((t, _policy(d, p, K.RESOURCE)) for t, d, p in rbps),
        scp_levels=tuple(tuple(_policy(d, p, K.SCP) for d, p in level) for level in scp),
    )
    module = compile_principals(ir.Principals(caller=ps), CompileOptions(package=f"diff.c{i}"))
    psd = {
        "identity": [_generic_doc(d, p) for d, p in ids],
        "boundary": _generic_doc(case.boundary, one["boundary"][1]),
        "session": _generic_doc(case.session, one["session"][1]),
        "scp": [[_generic_doc(d, p) for d, p in level] for level in scp],
        "rcp": [],
        "resource_policies": {t: _generic_doc(d, p) for t, d, p in rbps},
    }
    return module.files, psd


def batch_module(indices: list[int]) -> str:
    lines = ["package iam2rego.difftest", "", "import data.iam2rego.generic", ""]
    for i in indices:
        lines += [
            # the entry point, on a small input (a decision patches input.req: cost grows with input)
            f"compiled_c{i} := [d | some x in input.c{i}.requests; d := data.iam2rego.policies.diff.c{i}.decision with input as x]",
            "",
            f"generic_c{i} := [generic.decide_request(input.c{i}.policies, x, {{}}) | some x in input.c{i}.requests]",
            "",
        ]
    return "\n".join(lines)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def run_chunk(opa: str, root: Path, chunk: int, items: list[tuple[int, gen.Case, dict, dict]]) -> dict:
    """One opa eval for every request of every policy set in the chunk (its modules only)."""
    d = root / f"chunk{chunk}"
    _write(d / "batch", {"batch.rego": batch_module([i for i, _, _, _ in items])})
    for _, _, _, module_files in items:
        _write(d / "batch", module_files)
    inp = {f"c{i}": {"requests": case.requests, "policies": psd} for i, case, psd, _ in items}
    (d / "input.json").write_text(json.dumps(inp))
    proc = subprocess.run(
        [
            opa,
            "eval",
            "--format",
            "json",
            "-d",
            str(root / "lib"),
            "-d",
            str(d / "batch"),
            "-i",
            str(d / "input.json"),
            "data.iam2rego.difftest",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def summary(decision: object) -> object:
    if not isinstance(decision, dict):
        return decision
    reasons = sorted(
        (r.get("policy"), r.get("sid"), r.get("statement_index"), r.get("effect"))
        for r in decision["reasons"]
    )
    return (decision["decision"], decision["reason"], decision["allowed"], reasons)


@pytest.mark.opa
def test_compiled_modules_decide_like_the_generic_evaluator(opa_bin: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    cases = [gen.case(rng, N_REQUESTS) for _ in range(N_CASES)]
    _write(tmp_path / "lib", library_files())
    built = [(i, case, *build(i, case)[::-1]) for i, case in enumerate(cases)]
    chunks = [built[k : k + CHUNK] for k in range(0, len(built), CHUNK)]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda a: run_chunk(opa_bin, tmp_path, *a), enumerate(chunks)))
    value = {k: v for r in results for k, v in r.items()}
    pairs, mismatches = 0, []
    for i, case, _, _ in built:
        compiled, generic = value.get(f"compiled_c{i}"), value.get(f"generic_c{i}")
        assert compiled is not None and generic is not None, f"case {i}: a batch rule was undefined"
        assert len(compiled) == len(generic) == len(case.requests), f"case {i}: a decision was undefined"
        for req, c, g in zip(case.requests, compiled, generic, strict=True):
            pairs += 1
            if summary(c) != summary(g):
                mismatches.append({"case": i, "request": req, "compiled": summary(c), "generic": summary(g)})
    assert pairs >= min(10_000, N_CASES * N_REQUESTS)
    detail = json.dumps(mismatches[:5], indent=1, default=str)
    assert not mismatches, f"{len(mismatches)} of {pairs} pairs differ; first ones:\n{detail}"

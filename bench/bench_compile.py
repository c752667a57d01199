"""Benchmark: compile time for a 1,000-statement policy set, and per-decision evaluation time of the
compiled module vs the generic evaluator (``data.iam2rego.generic``) on real OPA.

Per-decision time = (time of one ``opa eval`` over N requests - time over 1 request) / (N - 1), so
process start-up, parsing and compilation of the modules are subtracted. Prints a table.

    python bench/bench_compile.py [--statements 1000] [--requests 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import gen  # noqa: E402
from iam2rego import ir  # noqa: E402
from iam2rego.codegen import CompileOptions, compile_principals, library_files  # noqa: E402
from iam2rego.validate import parse_policy  # noqa: E402

PER_POLICY = 100  # statements per policy document (10 identity policies for 1,000 statements)


def documents(n_statements: int, rng: random.Random) -> list[dict]:
    docs = []
    for start in range(0, n_statements, PER_POLICY):
        n = min(PER_POLICY, n_statements - start)
        docs.append(
            {"Version": "2012-10-17", "Statement": [gen.statement(rng, f"S{start + i}") for i in range(n)]}
        )
    return docs


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def opa_time(opa: str, data_dir: Path, inp: dict, query: str, repeat: int) -> float:
    path = data_dir.parent / "input.json"
    path.write_text(json.dumps(inp))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(
            [opa, "eval", "-f", "json", "-d", str(data_dir), "-i", str(path), query],
            capture_output=True,
            text=True,
            check=False,
        )
        best = min(best, time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--opa", default=str(ROOT / "tools" / "bin" / "opa"))
    args = ap.parse_args()
    rng = random.Random(7)
    docs = documents(args.statements, rng)
    texts = [gen.dumps(d) for d in docs]

    t = time.perf_counter()
    policies = []
    for k, text in enumerate(texts):
        policy, diags = parse_policy(text, f"bench/p{k}.json", name=f"p{k}")
        assert policy is not None, [d.code for d in diags]
        policies.append(policy)
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    module = compile_principals(
        ir.Principals(ir.PolicySet(identity=tuple(policies))), CompileOptions("bench")
    )
    t_compile = time.perf_counter() - t
    lines = sum(text.count("\n") for text in module.files.values())

    requests = [gen.request(rng) for _ in range(args.requests)]
    psd = {
        "identity": [
            {"name": f"p{k}", "document": d, "source": f"bench/p{k}.json"} for k, d in enumerate(docs)
        ],
        "boundary": None,
        "session": None,
        "scp": [],
        "rcp": [],
        "resource_policy": None,
    }
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write(data, {**library_files(), **module.files})
        q_comp = "[data.iam2rego.policies.bench.decide(x) | some x in input.requests]"
        q_gen = "[data.iam2rego.generic.decide_request(input.policies, x, {}) | some x in input.requests]"
        times = {}
        for name, q in (("compiled", q_comp), ("generic", q_gen)):
            one = opa_time(args.opa, data, {"requests": requests[:1], "policies": psd}, q, args.repeat)
            many = opa_time(args.opa, data, {"requests": requests, "policies": psd}, q, args.repeat)
            times[name] = (one, many, (many - one) / (len(requests) - 1))

    print(f"policy set: {len(docs)} policies, {args.statements} statements; module: {lines} lines")
    print(f"{'step':<34} {'time':>12}")
    print(f"{'parse + validate (Python)':<34} {t_parse * 1e3:>9.1f} ms")
    print(f"{'compile to Rego (Python)':<34} {t_compile * 1e3:>9.1f} ms")
    print()
    print(f"{'evaluator (real opa)':<12} {'1 req':>10} {f'{len(requests)} reqs':>10} {'per decision':>14}")
    for name, (one, many, per) in times.items():
        print(f"{name:<12} {one:>8.2f} s {many:>8.2f} s {per * 1e3:>11.3f} ms")
    speedup = times["generic"][2] / times["compiled"][2] if times["compiled"][2] > 0 else float("inf")
    print(f"\ncompiled is {speedup:.1f}x faster per decision than generic (goal: >= 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

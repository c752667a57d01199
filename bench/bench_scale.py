"""Scale: the first decision for policy sets of 1,000 to 20,000 statements, end to end, and how each
phase grows (issue 14: compile + load must grow linearly; the first decision for 20,000 statements
under 10 s).

Phases, per size, through the public API as the CLI runs them: the IAM front end
(``api.load_principals``: parse + validate, this process's CPU), code generation (``api.compile``,
CPU), and one ``opa eval`` of one request on the compiled module (its Rego and its data document)
plus the runtime library (CPU of the opa process: parse, compile, type-check, evaluate). The
per-1,000-statement column shows the curve: flat = linear. The phases of the best of ``--repeat``
runs (>= 3), the min/median total, and the load average at each row.

    python bench/bench_scale.py [--sizes 1000,2000,5000,10000,20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import bench_compile as bc  # noqa: E402
from iam2rego import api  # noqa: E402
from iam2rego.engines.opa import batch_env  # noqa: E402


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def opa_first_decision(opa: str, files: dict[str, str], request: dict) -> tuple[float, float]:
    """(CPU, wall) seconds of one ``opa eval`` deciding one request."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        bc.write(data, files)
        (Path(tmp) / "input.json").write_text(json.dumps(request))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        proc = subprocess.run(
            [opa, "eval", "-f", "json", "-d", str(data), "-i", str(Path(tmp) / "input.json"),
             "data.iam2rego.policies.bench.decision.decision"],
            capture_output=True, text=True, check=False, env=batch_env(),  # as the opa engine runs it
        )  # fmt: skip
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or '"value"' not in proc.stdout:
        raise SystemExit(f"opa eval failed: {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def measure(n: int, opa: str) -> dict[str, float]:
    rng = random.Random(11)
    docs = bc.documents(n, lambda k: bc.realistic_statement(rng, k))
    sources = tuple(
        api.PolicySource(label=f"bench/p{k}.json", text=json.dumps(d, indent=2), name=f"p{k}")
        for k, d in enumerate(docs)
    )
    request = bc.realistic_request(rng)
    cpu = time.process_time()
    loaded = api.load_principals(api.PrincipalsSpec(api.PolicySetSpec(identity=sources)))
    t_front = time.process_time() - cpu
    assert loaded.principals is not None, [d.code for d in loaded.diagnostics]
    cpu = time.process_time()
    module = api.compile(loaded.principals, api.CompileOptions("bench"))
    t_codegen = time.process_time() - cpu
    t_opa, wall = opa_first_decision(opa, {**api.library_files(), **module.files}, request)
    size = sum(len(t) for t in module.files.values())
    return {"front": t_front, "codegen": t_codegen, "opa": t_opa, "opa_wall": wall, "bytes": size}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000,5000,10000,20000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--opa", default=str(ROOT / "tools" / "bin" / "opa"))
    args = ap.parse_args()
    print(f"load average before: {load()} on {os.cpu_count()} CPUs; CPU seconds, phases of the best run")
    print(f"{'stmts':>6} {'module':>9} {'front end':>10} {'codegen':>9} {'opa eval':>9} {'total':>8} "
          f"{'min/median':>13} {'per 1k stmts':>13} {'opa wall':>9}  load")  # fmt: skip
    for n in (int(s) for s in args.sizes.split(",")):
        runs = [measure(n, args.opa) for _ in range(max(args.repeat, 1))]
        totals = [r["front"] + r["codegen"] + r["opa"] for r in runs]
        best = runs[totals.index(min(totals))]
        total = min(totals)
        print(
            f"{n:>6} {best['bytes'] / 1e6:>6.1f} MB {best['front']:>8.2f} s {best['codegen']:>7.2f} s "
            f"{best['opa']:>7.2f} s {total:>6.2f} s {min(totals):>5.2f}/{statistics.median(totals):<6.2f} "
            f"{total / n * 1000:>11.3f} s {best['opa_wall']:>7.2f} s  {load()}",
            flush=True,
        )
    print(f"load average after: {load()}  (goal: 20,000 statements < 10 s, per-1k column flat)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

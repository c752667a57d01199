"""In-process engines side by side (issue 14, item 4): per-decision CPU of the wasm engine (OPA's Wasm
build run by wasmtime in this process) and the embedded engine (regopy), next to the opa engine (one
batched ``opa eval`` process), on the same compiled policy sets and requests; and the gate pack on a
generated Terraform plan.

Per engine and policy-set size, ``--runs`` times: CPU seconds (this process + waited children) of one
``evaluate`` call with N requests and of one with 1 request; per decision = (T_N - T_1) / (N - 1),
start = T_1 (a warm call: the wasm module is already compiled). Printed: min / median over the runs,
and whether every decision equals opa's. The wasm engine's cold start (``opa build -t wasm`` +
wasmtime compile, measured with an empty cache) is printed once per size. Goal: <= 2 ms per decision
in-process, and the gate on a 10,000-resource plan.

    python bench/bench_embedded.py [--sizes 10,1000] [--requests 200] [--embedded-requests 20]
                                   [--runs 3] [--gate 10000] [--engines opa,wasm,embedded]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_compile as bc  # noqa: E402
import bench_gate  # noqa: E402
from iam2rego.codegen import library_files  # noqa: E402
from iam2rego.engines import EngineError, get_engine  # noqa: E402
from iam2rego.terraform.pack import ENTRYPOINT as GATE_ENTRYPOINT  # noqa: E402
from iam2rego.terraform.pack import pack_files  # noqa: E402
from iam2rego.terraform.policies import frontend_verdicts  # noqa: E402

ENTRYPOINT = "data.iam2rego.policies.bench.decision"


def cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[..., object], *args: object) -> tuple[float, object]:
    start = cpu()
    out = fn(*args)
    return cpu() - start, out


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def policy_set(n: int, requests: int) -> tuple[dict[str, str], list[dict]]:
    rng = random.Random(11)
    module = bc.realistic_module(n, rng)
    return {**library_files(), **module.files}, [bc.realistic_request(rng) for _ in range(requests)]


def fmt(values: list[float], scale: float = 1000.0) -> str:
    return f"{min(values) * scale:.2f} / {statistics.median(values) * scale:.2f}"


def bench_size(n: int, args: argparse.Namespace) -> None:
    modules, requests = policy_set(n, args.requests)
    truth = get_engine("opa").evaluate(modules, ENTRYPOINT, requests)
    for name in args.engines.split(","):
        count = args.embedded_requests if name == "embedded" else args.requests
        reqs = requests[:count]
        engine = get_engine(name, timeout=3600)
        problem = engine.unavailable_reason()
        if problem:
            print(f"{n:>6} {name:>9}  unavailable: {problem}")
            continue
        cold = ""
        if name == "wasm":  # the first call for these modules builds and compiles (empty cache)
            t, _ = timed(engine.evaluate, modules, ENTRYPOINT, reqs[:1])
            cold = f"cold start {t:.2f} s (opa build + wasmtime compile)"
        per, start, same = [], [], True
        for _ in range(args.runs):
            try:
                t1, _ = timed(engine.evaluate, modules, ENTRYPOINT, reqs[:1])
                tn, out = timed(engine.evaluate, modules, ENTRYPOINT, reqs)
            except EngineError as exc:
                print(f"{n:>6} {name:>9}  error: {exc.message[:200]}")
                break
            start.append(t1)
            per.append(max(tn - t1, 0.0) / max(len(reqs) - 1, 1))
            same = same and out == truth[: len(reqs)]
        else:
            print(
                f"{n:>6} {name:>9} {len(reqs):>5} {fmt(per):>17} {fmt(start):>17}  "
                f"{'same as opa' if same else 'DIFFERS from opa'}  {cold}",
                flush=True,
            )


def bench_gate_on(resources: int, args: argparse.Namespace) -> None:
    plan = bench_gate.generate(resources)
    data = {**bench_gate.GUARDRAILS, "iam2rego_cli": {"frontend": frontend_verdicts(plan)}}
    truth = None
    for name in ("opa", "wasm"):
        engine = get_engine(name, timeout=3600)
        if engine.unavailable_reason():
            print(f"gate {resources:>6} {name:>5}  unavailable: {engine.unavailable_reason()}")
            continue
        times, out = [], None
        if name == "wasm":
            t, _ = timed(engine.evaluate, pack_files(), GATE_ENTRYPOINT, [plan], data)
            print(f"gate {resources:>6} {name:>5}  cold start (build, compile and the first run) {t:.2f} s")
        for _ in range(args.runs):
            t, out = timed(engine.evaluate, pack_files(), GATE_ENTRYPOINT, [plan], data)
            times.append(t)
        truth = out if truth is None else truth
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"gate {resources:>6} {name:>5}  CPU s min/median {fmt(times, 1.0):>15}  "
            f"{'same as opa' if out == truth else 'DIFFERS from opa'}  (this process peak RSS {peak:.0f} MB)",
            flush=True,
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,1000")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--embedded-requests", type=int, default=20, help="regopy is ~40 ms per decision")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gate", type=int, default=10_000, help="resources in the gate plan (0: skip)")
    ap.add_argument("--engines", default="opa,wasm,embedded")
    args = ap.parse_args()
    print(f"load average before: {load()} on {os.cpu_count()} CPUs; CPU seconds (this process + children)")
    print(f"{'stmts':>6} {'engine':>9} {'N':>5} {'ms/decision':>17} {'start ms':>17}")
    print(f"{'':>6} {'':>9} {'':>5} {'min / median':>17} {'min / median':>17}")
    with tempfile.TemporaryDirectory(prefix="iam2rego-bench-wasm-") as cache:
        os.environ["IAM2REGO_CACHE_DIR"] = cache  # cold starts are real: nothing cached from before
        for n in (int(s) for s in args.sizes.split(",")):
            bench_size(n, args)
        if args.gate:
            bench_gate_on(args.gate, args)
    print(f"load average after: {load()}  (goal: <= 2 ms per decision; the gate on 10,000 resources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per-decision cost inside OPA (``opa bench``) for compiled policy sets of 10 and 1,000 statements,
split into the runtime library's part and the statements' part (issue 14, goal 2: <= 100 us for
1,000 statements, <= 50 us for 10).

For each size and each of ``--requests`` realistic requests, ``opa bench`` times these queries (median
of OPA's per-evaluation timer, so a busy machine's outliers do not count):

* decision   ``data.iam2rego.policies.bench.decision`` (the whole decision, what a caller pays)
* normalise  the module's ``normalized(input)`` (the request the statement rules read: action
             lower-cased, resource, principal facts, wildcard keys; the context is normalised
             later, only when a matched statement has conditions)
* matches    the module's ``normalized`` + ``caller_matches with input.req`` (statements: the indexed
             rule bodies, without conditions)
* hits       matches + ``caller_hits`` (statements + their conditions, library ``conditions``)
* decide     the module's decider on the precomputed hits object (library: SEMANTICS §5.2):
             ``decide.identity_only`` when identity policies are the only policy set (these
             benchmark sets), else ``decide.decide``
* x := 1     OPA's floor for any query (shows how much a busy machine inflates the others)

Prints a table (medians over the requests, microseconds) with the load average.

    python bench/bench_decision.py [--sizes 10,1000] [--requests 5] [--count 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import bench_compile as bc  # noqa: E402
from iam2rego.codegen import library_files  # noqa: E402

PKG = "data.iam2rego.policies.bench"
QUERIES = {
    "decision": f"{PKG}.decision",
    "normalise": f"{PKG}.normalized(input)",
    "matches": f"r := {PKG}.normalized(input); m := {PKG}.caller_matches with input.req as r",
    "hits": f"r := {PKG}.normalized(input); m := {PKG}.caller_matches with input.req as r; "
    f"h := {PKG}.caller_hits(r, m)",
    "decide": "data.iam2rego.decide.decide(input.hits)",
    "baseline": "x := 1",  # OPA's floor on this machine now: how much the load inflates the rest
}


def opa_bench_us(opa: str, data: Path, inp: dict, query: str, count: int) -> float:
    """Median per-evaluation time (us) of ``query`` over OPA's benchmark loop."""
    path = data.parent / "input.json"
    path.write_text(json.dumps(inp))
    proc = subprocess.run(
        [opa, "bench", "--format", "json", "--count", str(count), "-d", str(data), "-i", str(path), query],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"opa bench failed on {query}: {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    # with --count > 1 opa prints one JSON object per run
    decoder, text, medians = json.JSONDecoder(), proc.stdout.strip(), []
    while text:
        obj, end = decoder.raw_decode(text)
        medians.append(obj["Extra"]["histogram_timer_rego_query_eval_ns_median"])
        text = text[end:].strip()
    return min(medians) / 1000


def opa_eval(opa: str, data: Path, inp: dict, query: str) -> object:
    path = data.parent / "input.json"
    path.write_text(json.dumps(inp))
    proc = subprocess.run(
        [opa, "eval", "-f", "json", "-d", str(data), "-i", str(path), query],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return json.loads(proc.stdout)["result"][0]["bindings"]["h"]


def measure(n: int, args: argparse.Namespace) -> dict[str, float]:
    rng = random.Random(11)
    module = bc.realistic_module(n, rng)
    requests = [bc.realistic_request(rng) for _ in range(args.requests)]
    per: dict[str, list[float]] = {name: [] for name in QUERIES}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        bc.write(data, {**library_files(), **module.files})
        for req in requests:
            hits = opa_eval(args.opa, data, req, QUERIES["hits"])
            decider = (
                "identity_only" if "iam_decide.identity_only(" in "".join(module.files.values()) else "decide"
            )
            for name, query in QUERIES.items():
                query = query.replace("decide.decide(", f"decide.{decider}(")
                inp = {"hits": hits} if name == "decide" else req
                per[name].append(opa_bench_us(args.opa, data, inp, query, args.count))
    return {name: statistics.median(v) for name, v in per.items()}


# What one step of a decision costs OPA on this machine (the floor under goal 2): a decision has to
# lower-case the action, build the request the statement rules read, evaluate them under `with`,
# collect the reasons and build the decision object, and each of these is one or more such steps.
FLOOR_MODULE = """package floor

f(x) := x

obj := {"action": input.action, "resource": input.resource, "principal": input.principal, "context": input.context}

rule := lower(input.action)

default member := false

member if input.action in {"dynamodb:GetItem", "dynamodb:PutItem"}

reasons := [r | some r in input.reasons; r.effect == "Allow"]

under_with := x if {
	x := rule with input.action as "DynamoDB:GetItem"
}
"""

FLOOR_QUERIES = {
    "empty query (x := 1)": "x := 1",
    "one builtin call (lower)": "x := lower(input.action)",
    "one function call (f(x) := x)": "x := data.floor.f(1)",
    "one rule (lower of input)": "x := data.floor.rule",
    "object of 4 fields from input": "x := data.floor.obj",
    "set membership rule": "x := data.floor.member",
    "2-element filter comprehension": "x := data.floor.reasons",
    "a rule under `with input...`": "x := data.floor.under_with",
}


def floor_costs(args: argparse.Namespace) -> dict[str, float]:
    rng = random.Random(11)
    req = {**bc.realistic_request(rng), "reasons": [{"effect": "Allow"}, {"effect": "Deny"}]}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "floor.rego"
        data.write_text(FLOOR_MODULE)
        return {name: opa_bench_us(args.opa, data, req, q, args.count) for name, q in FLOOR_QUERIES.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,1000")
    ap.add_argument("--requests", type=int, default=5)
    ap.add_argument("--count", type=int, default=1, help="opa bench runs per query (the best median counts)")
    ap.add_argument("--opa", default=str(ROOT / "tools" / "bin" / "opa"))
    args = ap.parse_args()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load} on {os.cpu_count()} CPUs; medians of OPA's per-evaluation timer, us")
    print(f"{'stmts':>6} {'decision':>9} {'normalise':>10} {'matches':>8} {'hits':>8} {'decide':>8} "
          f"{'library':>8} {'statements':>11} {'x := 1':>7}")  # fmt: skip
    for n in (int(s) for s in args.sizes.split(",")):
        m = measure(n, args)
        # library = normalisation + §5.2 decision (+ conditions, inside "hits"); statements = the
        # indexed bodies (matches minus normalisation)
        statements = max(m["matches"] - m["normalise"], 0.0)
        library = m["decision"] - statements
        print(
            f"{n:>6} {m['decision']:>9.1f} {m['normalise']:>10.1f} {m['matches']:>8.1f} {m['hits']:>8.1f} "
            f"{m['decide']:>8.1f} {library:>8.1f} {statements:>11.1f} {m['baseline']:>7.1f}",
            flush=True,
        )
    print()
    print("OPA's cost per step here (the floor under the goal), us:")
    for name, us in floor_costs(args).items():
        print(f"  {name:<34} {us:>7.1f}")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after: {load}  (goal: decision <= 50 us at 10 statements, <= 100 us at 1,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

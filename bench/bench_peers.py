"""iam2rego against its peers, in one run (issue 14, goal 5). CPU seconds, min and median of
``--repeat`` runs (>= 3), with the load average; a peer that is not installed is skipped with the
command that installs it (``scripts/install-peers.sh``).

1. ``check``: policies per CPU-second, iam2rego's front end + checks vs parliament (PyPI).
2. decisions vs ``@cloud-copilot/iam-simulate`` (npm), on the same requests (the agreement count is
   printed; iam-simulate models all of AWS, iam2rego the DynamoDB backup/restore surface):
   a. per decision on a 1,000-statement policy set: ``opa eval`` over N requests minus one request
      (start-up subtracted) vs iam-simulate's ``runSimulation`` per request;
   b. one request on each of 10 policy sets, whole processes: iam2rego parses and compiles the 10
      sets and decides all 10 in ONE ``opa eval`` (goal 3: within 3x of iam-simulate) vs one node
      process simulating the 10 requests;
   c. the same on a reusable ``opa run --server`` holding the runtime library (engines/server.py),
      asked through the generic evaluator: no code generation and no OPA compile per set.
3. gate: ``iam2rego gate --engine opa`` vs raw ``conftest test`` on the same pack and plan.

    python bench/bench_peers.py [--repeat 3] [--statements 1000] [--requests 200] [--resources 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import bench_compile as bc  # noqa: E402
import bench_frontend as bf  # noqa: E402
import bench_gate as bg  # noqa: E402
from iam2rego import api  # noqa: E402
from iam2rego.api import parse_policy  # noqa: E402
from iam2rego.checks import check_policy  # noqa: E402
from iam2rego.codegen import library_files  # noqa: E402
from iam2rego.engines.opa import batch_env  # noqa: E402
from iam2rego.engines.server import OpaServer, ServerEngine  # noqa: E402

PEERS = ROOT / "tools" / "peers"
OPA = ROOT / "tools" / "bin" / "opa"
CONFTEST = ROOT / "tools" / "bin" / "conftest"
SIMULATE = ROOT / "bench" / "peers" / "iam_simulate.mjs"


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def stats(values: list[float]) -> str:
    return f"{min(values):.3f}/{statistics.median(values):.3f}"


def children_cpu(run: Callable[[], object]) -> tuple[float, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def self_cpu(run: Callable[[], object]) -> tuple[float, object]:
    start = time.process_time()
    out = run()
    return time.process_time() - start, out


def row(name: str, ours: list[float], theirs: list[float] | None, unit: str, peer: str) -> None:
    if theirs is None:
        print(f"  {name:<44} iam2rego {stats(ours)} {unit}   {peer}: skipped")
        return
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  {name:<44} iam2rego {stats(ours)} {unit}   {peer} {stats(theirs)} {unit}   ratio {ratio:.2f}x")


# ---------------------------------------------------------------------- 1. check vs parliament


def bench_check(args: argparse.Namespace) -> None:
    rng = random.Random(1)
    texts = [bf.typical(rng) for _ in range(args.policies)]

    def ours() -> None:
        for k, text in enumerate(texts):
            policy, _ = parse_policy(text, f"p{k}.json")
            if policy is not None:
                check_policy(policy)

    ours_t = [self_cpu(ours)[0] for _ in range(args.repeat)]
    print(f"1. check: {len(texts)} typical policies (CPU s, min/median; lower is better)")
    try:
        from parliament import analyze_policy_string
    except ImportError:
        row("parse + validate + checks", ours_t, None, "s", "parliament (pip install parliament)")
        return

    def theirs() -> None:
        for text in texts:
            analyze_policy_string(text)

    theirs_t = [self_cpu(theirs)[0] for _ in range(args.repeat)]
    row("parse + validate + checks", ours_t, theirs_t, "s", "parliament")
    print(
        f"  policies per CPU-second: iam2rego {len(texts) / statistics.median(ours_t):,.0f}, "
        f"parliament {len(texts) / statistics.median(theirs_t):,.0f}"
    )


# ---------------------------------------------------------------------- 2. decisions vs iam-simulate


def simulate(sets: list[list[dict]], pairs: list[tuple[int, dict]]) -> tuple[float, float, list[str]]:
    """(CPU of the whole node process, CPU of the simulations alone, decisions)."""
    reqs = [(k, {**r, "context": {key: _text(v) for key, v in r["context"].items()}}) for k, r in pairs]
    payload = json.dumps({"sets": [{"identity": s} for s in sets], "pairs": reqs})
    env = {**os.environ, "IAM_SIMULATE_DIR": str(PEERS)}
    cpu, proc = children_cpu(
        lambda: subprocess.run(
            ["node", str(SIMULATE)], input=payload, capture_output=True, text=True, env=env
        )
    )
    assert isinstance(proc, subprocess.CompletedProcess)
    if proc.returncode != 0:
        raise SystemExit(f"iam-simulate failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout)
    return cpu, out["cpu_s"], out["decisions"]


def _text(v: object) -> object:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


SIM_NAMES = {"Allowed": "allow", "ExplicitlyDenied": "explicit_deny", "ImplicitlyDenied": "implicit_deny"}


def load_set(docs: list[dict], package: str) -> api.Principals:
    """The policy set through the front door, as the CLI reads it (parse + validate)."""
    sources = tuple(
        api.PolicySource(label=f"{package}/p{k}.json", text=json.dumps(doc), name=f"p{k}")
        for k, doc in enumerate(docs)
    )
    loaded = api.load_principals(api.PrincipalsSpec(api.PolicySetSpec(identity=sources)))
    assert loaded.principals is not None, [d.code for d in loaded.diagnostics]
    return loaded.principals


def compile_set(docs: list[dict], package: str) -> dict[str, str]:
    return api.compile(load_set(docs, package), api.CompileOptions(package)).files


def opa_batch(files: dict[str, str], queries: dict[str, str], inp: dict) -> tuple[float, dict]:
    """CPU of one ``opa eval`` of a generated module whose rules are ``queries``; its value."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        rules = [f"{name} := {q}" for name, q in queries.items()]
        module = "package iam2rego_peers\n\n" + "\n\n".join(rules) + "\n"
        bc.write(data, {**files, "_peers/peers.rego": module})
        (Path(tmp) / "input.json").write_text(json.dumps(inp))
        cmd = [
            str(OPA),
            "eval",
            "-f",
            "json",
            "-d",
            str(data),
            "-i",
            str(Path(tmp) / "input.json"),
            "data.iam2rego_peers",
        ]
        cpu, proc = children_cpu(lambda: subprocess.run(cmd, capture_output=True, text=True, env=batch_env()))
    assert isinstance(proc, subprocess.CompletedProcess)
    if proc.returncode != 0:
        raise SystemExit(f"opa eval failed: {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    return cpu, json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def bench_decisions(args: argparse.Namespace) -> None:
    have_sim = (
        shutil.which("node") is not None and (PEERS / "node_modules/@cloud-copilot/iam-simulate").is_dir()
    )
    skip = "iam-simulate (scripts/install-peers.sh)"
    rng = random.Random(11)
    docs = bc.documents(args.statements, lambda k: bc.realistic_statement(rng, k))
    requests = [bc.realistic_request(rng) for _ in range(args.requests)]
    files = {**library_files(), **compile_set(docs, "big")}
    query = "[data.iam2rego.policies.big.decide(x) | some x in input.requests]"
    ours, theirs, agree, rejected = [], [], 0, 0
    for _ in range(args.repeat):
        one, _ = opa_batch(files, {"d": query}, {"requests": requests[:1]})
        many, value = opa_batch(files, {"d": query}, {"requests": requests})
        ours.append((many - one) / (len(requests) - 1) * 1e3)
        if have_sim:
            _, sims, decisions = simulate([docs], [(0, r) for r in requests])
            theirs.append(sims / len(requests) * 1e3)
            pairs = list(zip(decisions, value["d"], strict=True))  # type: ignore[index]
            agree = sum(SIM_NAMES.get(s) == d["decision"] for s, d in pairs)
            rejected = sum(s == "error" for s, _ in pairs)
    print(f"2a. one decision, {args.statements}-statement policy set (CPU ms per decision, min/median)")
    row(
        f"{len(requests)} requests, start-up subtracted",
        ours,
        theirs if have_sim else None,
        "ms",
        "iam-simulate" if have_sim else skip,
    )
    if have_sim:
        print(
            f"  decisions agreeing with iam-simulate: {agree} of {len(requests) - rejected} it decided "
            f"({rejected} requests rejected by its validation: context keys or resource types it does not "
            "allow for the action)"
        )

    # 2b. one request on each of 10 policy sets, whole processes
    sets = [bc.documents(args.set_statements, lambda k: bc.realistic_statement(rng, k)) for _ in range(10)]
    reqs = [bc.realistic_request(rng) for _ in sets]
    ours_b, theirs_b, split = [], [], []
    for _ in range(args.repeat):

        def ours_run() -> dict[str, str]:
            out = dict(library_files())
            for i, s in enumerate(sets):
                out.update(compile_set(s, f"s{i}"))
            return out

        front, modules = self_cpu(ours_run)
        assert isinstance(modules, dict)
        queries = {f"s{i}": f"data.iam2rego.policies.s{i}.decide(input.r{i})" for i in range(len(sets))}
        opa_cpu, last_b = opa_batch(modules, queries, {f"r{i}": r for i, r in enumerate(reqs)})
        ours_b.append(front + opa_cpu)
        split.append((front, opa_cpu))
        if have_sim:
            node_cpu, _, _ = simulate(sets, list(enumerate(reqs)))
            theirs_b.append(node_cpu)
    print(f"2b. one request on each of 10 policy sets of {args.set_statements} statements (CPU s, whole run)")
    row(
        "parse + compile 10 sets, one opa eval",
        ours_b,
        theirs_b if have_sim else None,
        "s",
        "iam-simulate" if have_sim else skip,
    )
    front, opa = min(split, key=sum)
    print(
        f"  iam2rego split (best run): parse + compile {front:.3f} s, opa eval (library + 10 modules) {opa:.3f} s"
    )

    # 2c. the same 10 requests on a reusable OPA server holding the runtime library (started for
    # the run: its start-up counts), asked through the generic evaluator (the policies in the
    # input: no per-set module, no OPA compile per set); the front end still validates every set.
    ours_c, split_c, agree_c = [], [], True
    for _ in range(args.repeat):
        holder: dict[str, object] = {}

        def server_run(holder: dict[str, object] = holder) -> list[object]:
            for i, s in enumerate(sets):
                load_set(s, f"s{i}")  # the same parse + validation as 2b
            server = OpaServer(library_files(), opa_path=str(OPA))
            holder["server"] = server
            engine = ServerEngine(server)
            inputs = [
                {**r, "policies": {"caller": {"identity": [
                    {"name": f"p{k}", "source": f"s{i}/p{k}.json", "document": d} for k, d in enumerate(s)
                ]}}}
                for i, (s, r) in enumerate(zip(sets, reqs, strict=True))
            ]  # fmt: skip
            return engine.evaluate({}, "data.iam2rego.generic.decision", inputs)

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        py, answers = self_cpu(server_run)
        server = holder["server"]
        assert isinstance(server, OpaServer)
        server.close()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        ours_c.append(py + child)
        split_c.append((py, child))
        assert isinstance(answers, list)
        agree_c = agree_c and [a["decision"] for a in answers] == [v["decision"] for v in last_b.values()]  # type: ignore[index]
    row(
        "parse 10 sets, generic on a reusable server",
        ours_c,
        theirs_b if have_sim else None,
        "s",
        "iam-simulate" if have_sim else skip,
    )
    py, child = min(split_c, key=sum)
    print(
        f"  server split (best run): Python (parse + validate + REST) {py:.3f} s, opa server (start, library "
        f"compile, 10 queries) {child:.3f} s; same decisions as 2b: {agree_c}"
    )


# ---------------------------------------------------------------------- 3. gate vs raw conftest


def bench_gate(args: argparse.Namespace) -> None:
    from iam2rego.terraform.pack import pack_files, write_pack

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        (tmpd / "plan.json").write_text(json.dumps(bg.generate(args.resources)))
        (tmpd / "gate.json").write_text(json.dumps(bg.GUARDRAILS))
        pack = write_pack(str(tmpd / "pack"), pack_files(None))
        conftest = [str(CONFTEST), "test", "--no-color", "--namespace", "iam2rego.gate", "-p", str(pack),
                    "--data", str(tmpd / "gate.json"), "-o", "json", str(tmpd / "plan.json")]  # fmt: skip
        gate = [sys.executable, "-m", "iam2rego", "gate", "--engine", "opa", "--format", "json",
                "--guardrails", str(tmpd / "gate.json"), str(tmpd / "plan.json")]  # fmt: skip
        ours, theirs = [], []
        for _ in range(args.repeat):
            ours.append(children_cpu(lambda: subprocess.run(gate, capture_output=True, text=True))[0])
            theirs.append(children_cpu(lambda: subprocess.run(conftest, capture_output=True, text=True))[0])
    print(f"3. gate: generated plan of {args.resources} resources (CPU s of the whole process, min/median)")
    row("iam2rego gate --engine opa", ours, theirs, "s", "conftest test")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--policies", type=int, default=300)
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--set-statements", type=int, default=100)
    ap.add_argument("--resources", type=int, default=1000)
    args = ap.parse_args()
    args.repeat = max(args.repeat, 3)
    print(
        f"load average before: {load()} on {os.cpu_count()} CPUs; ratio = iam2rego / peer (lower is better)"
    )
    bench_check(args)
    bench_decisions(args)
    bench_gate(args)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

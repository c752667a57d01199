"""Benchmark: compile time for a 1,000-statement policy set, and per-decision evaluation time of the
compiled module vs the generic evaluator (``data.iam2rego.generic``) on real OPA.

Per-decision time = (CPU time of one ``opa eval`` over N requests - time over 1 request) / (N - 1), so
process start-up, parsing and compilation of the modules are subtracted. Two policy sets: a
realistic one (explicit action lists and service-scoped wildcards on table ARNs, some conditions, a
few "*"/NotAction statements) and the differential test's random one (every matching path, ~1,000
distinct regexes). Prints a table.

    python bench/bench_compile.py [--statements 1000] [--requests 400] [--generic-requests 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "differential"))

import gen  # noqa: E402
from iam2rego import ir  # noqa: E402
from iam2rego.api import parse_policy  # noqa: E402
from iam2rego.codegen import CompiledModule, CompileOptions, compile_principals, library_files  # noqa: E402

PER_POLICY = 100  # statements per policy document (10 identity policies for 1,000 statements)


def documents(n_statements: int, make: Callable[[int], dict]) -> list[dict]:
    docs = []
    for start in range(0, n_statements, PER_POLICY):
        n = min(PER_POLICY, n_statements - start)
        docs.append({"Version": "2012-10-17", "Statement": [make(start + i) for i in range(n)]})
    return docs


# ---------------------------------------------------------------------- the realistic policy set

ACCT = "123456789012"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
DDB_ACTIONS = (
    "CreateBackup", "DeleteBackup", "DescribeBackup", "ListBackups", "RestoreTableFromBackup",
    "RestoreTableToPointInTime", "DescribeContinuousBackups", "UpdateContinuousBackups", "DescribeTable",
    "GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "BatchWriteItem", "ExportTableToPointInTime",
    "ImportTable", "DescribeExport", "ListExports", "ListTables", "TagResource", "ListTagsOfResource",
)  # fmt: skip
SERVICE_WILDCARDS = (
    "dynamodb:*Backup*", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:Restore*", "dynamodb:Get*",
    "dynamodb:*Item", "s3:Get*", "s3:Put*", "kms:Describe*", "kms:*", "logs:*", "backup:Start*",
)  # fmt: skip
OTHER_ACTIONS = ("s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogGroup")
REAL_CONDITIONS = (
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"aws:ResourceTag/env": "dev*"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringEquals": {"aws:PrincipalTag/team": "data"}},
)  # fmt: skip


def table_arn(rng: random.Random, i: int) -> str:
    return f"arn:aws:dynamodb:{rng.choice(REGIONS)}:{ACCT}:table/app{i}"


def realistic_statement(rng: random.Random, k: int) -> dict:
    """Mostly explicit action lists or service-scoped wildcards on a few table ARNs; some
    conditions; a few "*" or NotAction statements; Denies are narrow (what real account policies
    look like)."""
    deny = rng.random() < 0.1
    st: dict = {"Sid": f"S{k}", "Effect": "Deny" if deny else "Allow"}
    roll = rng.random()
    if deny:
        st["Action"] = [f"dynamodb:{a}" for a in rng.sample(("DeleteBackup", "DeleteTable", "DeleteItem"), 2)]
    elif roll < 0.02:
        st["Action"] = "*"
    elif roll < 0.04:
        st["NotAction"] = [f"dynamodb:{a}" for a in rng.sample(DDB_ACTIONS, 2)]
    elif roll < 0.35:
        st["Action"] = rng.sample(SERVICE_WILDCARDS, rng.randint(1, 2))
    else:
        acts = [f"dynamodb:{a}" for a in rng.sample(DDB_ACTIONS, rng.randint(1, 4))]
        st["Action"] = acts + (rng.sample(OTHER_ACTIONS, 1) if rng.random() < 0.2 else [])
    table = table_arn(rng, rng.randrange(400))
    roll = rng.random()
    if roll < 0.05 and not deny and "Action" in st and st["Action"] != "*":
        st["Resource"] = "*"
    elif roll < 0.2:
        st["Resource"] = [table, f"{table}/backup/*", f"{table}/index/*"]
    elif roll < 0.3:
        st["Resource"] = f"arn:aws:dynamodb:*:{ACCT}:table/app{rng.randrange(40)}*"
    else:
        st["Resource"] = [table] + ([table_arn(rng, rng.randrange(400))] if rng.random() < 0.3 else [])
    if rng.random() < 0.25:
        st["Condition"] = rng.choice(REAL_CONDITIONS)
    return st


def realistic_module(n_statements: int, rng: random.Random) -> CompiledModule:
    """One identity policy set of ``n_statements`` realistic statements, compiled (bench_decision,
    bench_embedded)."""
    policies = []
    for k, doc in enumerate(documents(n_statements, lambda k: realistic_statement(rng, k))):
        policy, diags = parse_policy(json.dumps(doc), f"bench/p{k}.json", name=f"p{k}")
        assert policy is not None, [d.code for d in diags]
        policies.append(policy)
    return compile_principals(ir.Principals(ir.PolicySet(identity=tuple(policies))), CompileOptions("bench"))


def realistic_request(rng: random.Random) -> dict:
    action = f"dynamodb:{rng.choice(DDB_ACTIONS)}" if rng.random() < 0.85 else rng.choice(OTHER_ACTIONS)
    table = table_arn(rng, rng.randrange(800))  # about half the tables have no statement
    resource = rng.choice((table, table, f"{table}/backup/01489173575360-b308cd7d", f"{table}/index/byDate"))
    return {
        "action": action,
        "resource": resource,
        "context": {
            "aws:RequestedRegion": resource.split(":")[3],
            "aws:SourceIp": rng.choice(("203.0.113.10", "198.51.100.1")),
            "aws:ResourceTag/env": rng.choice(("dev", "prod")),
            "aws:MultiFactorAuthPresent": rng.choice((True, False)),
        },
        "principal": {"arn": f"arn:aws:iam::{ACCT}:user/alice", "account": ACCT, "type": "IAMUser"},
    }


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def opa_time(opa: str, data_dir: Path, inp: dict, query: str, repeat: int) -> float:
    """Best CPU time (user + system, all of opa's threads) of ``repeat`` runs. CPU time rather than
    wall time: the shared 2-core machine is often busy, which inflates wall time, not CPU time."""
    path = data_dir.parent / "input.json"
    path.write_text(json.dumps(inp))
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [opa, "eval", "-f", "json", "-d", str(data_dir), "-i", str(path), query],
            capture_output=True,
            text=True,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, cpu)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
    return best


@dataclass
class Row:
    name: str
    statements: int
    lines: int
    t_parse: float
    t_compile: float
    times: dict[str, tuple[float, float, float]]


def measure(name: str, docs: list[dict], requests: list[dict], args: argparse.Namespace) -> Row:
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
        # The compiled module needs no policies in its input (and a decision patches input.req, so
        # its cost grows with the size of the input document): give each evaluator what it reads.
        for evaluator, q, reqs, extra in (
            ("compiled", q_comp, requests, {}),
            ("generic", q_gen, requests[: args.generic_requests], {"policies": psd}),
        ):
            one = opa_time(args.opa, data, {"requests": reqs[:1], **extra}, q, args.repeat)
            many = opa_time(args.opa, data, {"requests": reqs, **extra}, q, args.repeat)
            times[evaluator] = (one, many, (many - one) / (len(reqs) - 1))
    n = sum(len(d["Statement"]) for d in docs)
    return Row(name, n, lines, t_parse, t_compile, times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=400, help="requests per compiled-module run")
    ap.add_argument("--generic-requests", type=int, default=100, help="requests per generic run (slow)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--opa", default=str(ROOT / "tools" / "bin" / "opa"))
    args = ap.parse_args()
    rows = []
    rng = random.Random(11)
    docs = documents(args.statements, lambda k: realistic_statement(rng, k))
    rows.append(measure("realistic", docs, [realistic_request(rng) for _ in range(args.requests)], args))
    rng = random.Random(7)  # the differential test's generator: every matching path, many regexes
    docs = documents(args.statements, lambda k: gen.statement(rng, f"S{k}"))
    rows.append(measure("random", docs, [gen.request(rng) for _ in range(args.requests)], args))

    print(f"{'policy set':<11} {'stmts':>6} {'lines':>7} {'parse':>9} {'compile':>9} "
          f"{'compiled/decision':>18} {'generic/decision':>17} {'speed-up':>9}")  # fmt: skip
    for r in rows:
        comp, gener = r.times["compiled"][2], r.times["generic"][2]
        speedup = gener / comp if comp > 0 else float("inf")
        print(
            f"{r.name:<11} {r.statements:>6} {r.lines:>7} {r.t_parse * 1e3:>6.0f} ms {r.t_compile * 1e3:>6.0f} ms "
            f"{comp * 1e3:>15.3f} ms {gener * 1e3:>14.3f} ms {speedup:>8.1f}x"
        )
    print("\n(goal: compiled >= 20x faster per decision than generic on the realistic set)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

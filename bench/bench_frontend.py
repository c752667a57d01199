"""Front-end throughput: parse + validate + check on generated policies. Prints a table.

    python bench/bench_frontend.py [--n 3000] [--seed 1]

Goal (docs): >= 1,000 typical policies/s on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable

from iam2rego.checks import check_policy
from iam2rego.validate import parse_policy

ACTIONS = [
    "dynamodb:CreateBackup", "dynamodb:RestoreTableFromBackup", "dynamodb:DescribeBackup", "dynamodb:DeleteBackup",
    "dynamodb:ListBackups", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
    "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:*Backup*", "s3:GetObject",
]  # fmt: skip
TABLES = ["Music", "Movies", "Books", "Games"]


def _statement(rng: random.Random, i: int) -> dict[str, object]:
    table = rng.choice(TABLES)
    st: dict[str, object] = {
        "Sid": f"S{i}",
        "Effect": rng.choice(["Allow", "Allow", "Deny"]),
        "Action": rng.sample(ACTIONS, rng.randint(1, 5)),
        "Resource": rng.choice(
            ["*", f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}",
             [f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}", f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/backup/*"]]
        ),
    }  # fmt: skip
    if rng.random() < 0.3:
        st["Condition"] = {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
    return st


def typical(rng: random.Random) -> str:
    doc = {"Version": "2012-10-17", "Statement": [_statement(rng, i) for i in range(rng.randint(1, 3))]}
    return json.dumps(doc, indent=4)


def large(rng: random.Random) -> str:
    doc = {"Version": "2012-10-17", "Statement": [_statement(rng, i) for i in range(150)]}
    return json.dumps(doc, indent=2)


def _time(texts: list[str], fn: Callable[[str], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU time is the fair per-core figure on a busy host."""
    wall, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        fn(t)
    return time.perf_counter() - wall, time.process_time() - cpu


def _full(text: str) -> None:
    policy, _ = parse_policy(text, "bench.json")
    if policy is not None:
        check_policy(policy)


def _parse_only(text: str) -> None:
    parse_policy(text, "bench.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--large", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    _full(typical(rng))  # build the parser and load the catalog outside the timings
    rows = []
    for label, texts in (
        ("typical 1-3 statements", [typical(rng) for _ in range(args.n)]),
        ("large (150 statements)", [large(rng) for _ in range(args.large)]),
    ):
        mb = sum(len(t.encode()) for t in texts) / 1e6
        for stage, fn in (("parse+validate", _parse_only), ("parse+validate+check", _full)):
            wall, cpu = _time(texts, fn)
            n = len(texts)
            rows.append((label, stage, n, mb / n * 1e6, n / wall, n / cpu, mb / cpu))
    head = (
        f"{'corpus':<24} {'stage':<22} {'policies':>8} {'avg bytes':>10} {'pol/s wall':>11} {'pol/CPU-s':>10}"
    )
    print(head + f" {'MB/CPU-s':>9}")
    for label, stage, n, avg, pps, ppc, mbc in rows:
        print(f"{label:<24} {stage:<22} {n:>8} {avg:>10.0f} {pps:>11.0f} {ppc:>10.0f} {mbc:>9.2f}")


if __name__ == "__main__":
    main()

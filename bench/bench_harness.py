"""Harness benchmark: a generated 10,000-case suite on each engine, wall time including start-up,
next to the cost of one `opa eval` process per case (~50 single evals measured, then extrapolated).

    python bench/bench_harness.py [--cases 10000] [--engines opa,docker,embedded] [--singles 50]

Goal (issue #4): 10,000 cases under 10 s on the opa engine. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iam2rego.engines import get_engine  # noqa: E402
from iam2rego.engines.opa import find_opa  # noqa: E402
from iam2rego.harness.runner import run_suites  # noqa: E402

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Backups",
            "Effect": "Allow",
            "Action": ["dynamodb:*Backup*", "dynamodb:Restore*"],
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Music*",
        },
        {
            "Sid": "Writes",
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
            "Resource": "arn:aws:dynamodb:*:123456789012:table/*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        },
        {
            "Sid": "NoDelete",
            "Effect": "Deny",
            "Action": "dynamodb:DeleteBackup",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}
ACTIONS = ["CreateBackup", "DeleteBackup", "DescribeBackup", "PutItem", "GetItem", "ListBackups", "Scan"]
TABLES = ["Music", "MusicCollection", "Movies", "Books"]


def expected(action: str, table: str, region: str) -> str:
    if action == "DeleteBackup":
        return "explicit_deny"
    if action in ("CreateBackup", "DescribeBackup") and table.startswith("Music") and region == "us-east-1":
        return "allow"
    if action in ("PutItem", "GetItem") and region in ("us-east-1", "eu-west-1"):
        return "allow"
    return "implicit_deny"


def distinct_inputs(n: int) -> int:
    """How many different requests generate() writes (the backup ARNs make some unique)."""
    seen = set()
    for i in range(n):
        action, table = ACTIONS[i % len(ACTIONS)], TABLES[(i // len(ACTIONS)) % len(TABLES)]
        region = ("us-east-1", "eu-west-1", "us-west-2")[i % 3]
        backup = i if action in ("DeleteBackup", "DescribeBackup") else None
        seen.add((action, "*" if action == "ListBackups" else (table, region, backup)))
    return len(seen)


def generate(directory: Path, n: int, distinct: bool = False) -> Path:
    """The suite; ``distinct``: every case also carries its own ``aws:userid`` (ignored by the policy),
    so no two inputs are equal and the harness cannot share any evaluation."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "policy.json").write_text(json.dumps(POLICY, indent=2))
    lines = [
        "suite: bench",
        "policies: {identity: [policy.json]}",
        "context: {aws:PrincipalAccount: '123456789012'}",
        "cases:",
    ]
    for i in range(n):
        action, table = ACTIONS[i % len(ACTIONS)], TABLES[(i // len(ACTIONS)) % len(TABLES)]
        region = ("us-east-1", "eu-west-1", "us-west-2")[i % 3]
        arn = f"arn:aws:dynamodb:{region}:123456789012:table/{table}"
        if action in ("DeleteBackup", "DescribeBackup"):
            arn += f"/backup/0148917357{i:04d}-b308cd7d"
        resource = "*" if action == "ListBackups" else arn
        want = "implicit_deny" if action == "ListBackups" else expected(action, table, region)
        own = f", context: {{aws:userid: u{i}}}" if distinct else ""
        lines.append(
            f"  - {{name: c{i}, action: dynamodb:{action}, resource: '{resource}'{own}, expect: {want}}}"
        )
    path = directory / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_engine(name: str, suite: Path, opts: dict) -> tuple[float, str]:
    start = time.perf_counter()
    engine = get_engine(name, quiet=True, **opts)
    problem = engine.unavailable_reason()
    if problem:
        return float("nan"), f"unavailable: {problem[:60]}"
    result = run_suites([suite], engine)
    secs = time.perf_counter() - start
    note = f"{result.passed} passed, {result.failed} failed"
    if result.errors:
        note = "error: " + result.errors[0].message.splitlines()[0][:70]
    return secs, note


def single_evals(suite: Path, count: int) -> tuple[float, str]:
    """Time `count` separate `opa eval` processes, one case each (modules already written to disk)."""
    from iam2rego.harness.runner import ApiBackend, SuiteRun
    from iam2rego.harness.scenario import load_suite

    opa = find_opa()
    if opa is None:
        return float("nan"), "no opa binary"
    s = load_suite(suite)
    compiled, _, err = SuiteRun(s, list(s.cases), get_engine("opa", quiet=True), ApiBackend(), 0).prepare(
        {}, "bench"
    )
    if compiled is None:
        return float("nan"), f"compile failed: {err}"
    package, modules = compiled
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in modules.items():
            (Path(tmp) / "m" / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / "m" / rel).write_text(text)
        start = time.perf_counter()
        for case in s.cases[:count]:
            (Path(tmp) / "input.json").write_text(json.dumps(case.input))
            subprocess.run(
                [
                    opa,
                    "eval",
                    "--format",
                    "json",
                    "-d",
                    f"{tmp}/m",
                    "--input",
                    f"{tmp}/input.json",
                    f"data.{package}.decision",
                ],
                check=True,
                capture_output=True,
            )
        per = (time.perf_counter() - start) / count
    return per, f"{per * 1000:.0f} ms per process"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--engines", default="opa,docker,embedded")
    ap.add_argument("--singles", type=int, default=50)
    args = ap.parse_args()
    opts = {"opa_image": os.environ.get("IAM2REGO_OPA_IMAGE", "iam2rego/opa:local"), "timeout": 600}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        suite = generate(Path(tmp) / "repeating", args.cases)
        unique = generate(Path(tmp) / "distinct", args.cases, distinct=True)
        for name in args.engines.split(","):
            secs, note = run_engine(name, suite, opts)
            rows.append((f"{name} engine (one batched call)", secs, note))
            secs, note = run_engine(name, unique, opts)
            rows.append((f"{name} engine, every input distinct", secs, note))
        per, note = single_evals(suite, args.singles)
        rows.append((f"opa eval per case x{args.cases} (extrapolated)", per * args.cases, note))
    print(f"\n{args.cases} cases, wall time including start-up and compilation\n")
    print(f"{'how':<46} {'seconds':>10}  {'cases/s':>9}  note")
    print("-" * 110)
    for how, secs, note in rows:
        rate = f"{args.cases / secs:9.0f}" if secs == secs and secs > 0 else "        -"
        shown = f"{secs:10.2f}" if secs == secs else "         -"
        print(f"{how:<46} {shown}  {rate}  {note}")
    print(
        f"\n{distinct_inputs(args.cases)} distinct inputs among the {args.cases} cases of the first suite (the "
        f"harness evaluates each distinct input once); {args.cases} in the second; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("\ngoal: 10,000 cases under 10 s on the opa engine")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the gate pack on a generated plan: conftest wall time and peak memory.

Generates a `terraform show -json`-shaped plan with N resources (default 10,000: 500 tables,
~2,000 IAM policies and attachments, roles, users, groups), writes the pack, runs
`conftest test --namespace iam2rego.gate` with one forbid and one require guardrail, and prints
a table. Goal: under 15 s and under 1 GB.

    python bench/bench_gate.py [--resources 10000] [--conftest tools/bin/conftest]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iam2rego.terraform.pack import pack_files, write_pack  # noqa: E402

ACCOUNT = "123456789012"


def rc(addr: str, type_: str, name: str, after: dict, unknown: dict, index: int | None = None) -> dict:
    out = {
        "address": addr,
        "mode": "managed",
        "type": type_,
        "name": name,
        "change": {"actions": ["create"], "after": after, "after_unknown": unknown},
    }
    if index is not None:
        out["index"] = index
    return out


def policy(i: int, table: str) -> str:
    arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"Backup{i}",
                    "Effect": "Allow",
                    "Action": ["dynamodb:CreateBackup", "dynamodb:DescribeBackup"],
                    "Resource": [arn, f"{arn}/backup/*"],
                },
                {"Sid": "List", "Effect": "Allow", "Action": "dynamodb:ListBackups", "Resource": "*"},
            ],
        }
    )


def generate(n: int) -> dict:
    tables = max(n // 20, 1)  # 500 for 10k
    roles = max(n // 10, 1)  # 1,000 roles
    changes = []
    for t in range(tables):
        changes.append(
            rc(
                f"aws_dynamodb_table.t[{t}]",
                "aws_dynamodb_table",
                "t",
                {"name": f"table-{t:04d}"},
                {"arn": True},
                t,
            )
        )
    for r in range(roles):
        table = f"table-{r % tables:04d}"
        changes.append(
            rc(
                f"aws_iam_role.r[{r}]",
                "aws_iam_role",
                "r",
                {"name": f"role-{r:05d}", "path": "/"},
                {"arn": True},
                r,
            )
        )
        changes.append(
            rc(
                f"aws_iam_role_policy.p[{r}]",
                "aws_iam_role_policy",
                "p",
                {"role": f"role-{r:05d}", "name": "p", "policy": policy(r, table)},
                {},
                r,
            )
        )
        changes.append(
            rc(
                f"aws_iam_policy.m[{r}]",
                "aws_iam_policy",
                "m",
                {"name": f"managed-{r:05d}", "path": "/", "policy": policy(r, table)},
                {"arn": True},
                r,
            )
        )
        changes.append(
            rc(
                f"aws_iam_role_policy_attachment.a[{r}]",
                "aws_iam_role_policy_attachment",
                "a",
                {"role": f"role-{r:05d}", "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/managed-{r:05d}"},
                {},
                r,
            )
        )
    filler = n - len(changes)
    for f in range(max(filler, 0)):  # other resources the gate must skip
        changes.append(
            rc(f"aws_s3_bucket.b[{f}]", "aws_s3_bucket", "b", {"bucket": f"bucket-{f}"}, {"arn": True}, f)
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
        "planned_values": {},
        "configuration": {
            "provider_config": {"aws": {"expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"resources": []},
        },
    }


GUARDRAILS = {
    "iam2rego_gate": {
        "account_id": "123456789012",  # the generated plan names no account
        "guardrails": [
            {
                "id": "no-delete",
                "kind": "forbid",
                "operation": "delete_backup",
                "resources": {"tables": ["table-00*"]},
            },
            {
                "id": "role-0-can-back-up",
                "kind": "require",
                "action": "dynamodb:CreateBackup",
                "principals": {"names": ["role-00000"]},
                "resources": {"tables": ["table-0000"]},
            },
        ],
    }
}


def run(conftest: str, resources_n: int, rego_root: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="iam2rego-bench-") as tmp:
        tmpd = Path(tmp)
        plan = generate(resources_n)
        (tmpd / "plan.json").write_text(json.dumps(plan))
        (tmpd / "gate.json").write_text(json.dumps(GUARDRAILS))
        pack = write_pack(str(tmpd / "pack"), pack_files(rego_root))
        cmd = [
            conftest,
            "test",
            "--no-color",
            "--namespace",
            "iam2rego.gate",
            "-p",
            str(pack),
            "--data",
            str(tmpd / "gate.json"),
            "-o",
            "json",
            str(tmpd / "plan.json"),
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode not in (0, 1):
            raise SystemExit(f"conftest failed ({proc.returncode}): {proc.stderr[-2000:]}")
        [result] = json.loads(proc.stdout)
        return {
            "resources": len(plan["resource_changes"]),
            "iam": sum(1 for c in plan["resource_changes"] if c["type"].startswith("aws_iam_")),
            "tables": sum(1 for c in plan["resource_changes"] if c["type"] == "aws_dynamodb_table"),
            "plan_mb": (tmpd / "plan.json").stat().st_size / 1e6,
            "failures": len(result.get("failures") or []),
            "wall_s": wall,
            "peak_mb": peak_kb / 1024,
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--conftest", default=str(ROOT / "tools" / "bin" / "conftest"))
    ap.add_argument("--rego", type=Path, help="Rego root to pack (default: the repository's rego/)")
    args = ap.parse_args()
    row = run(args.conftest, args.resources, args.rego)
    cols = ["resources", "iam", "tables", "plan_mb", "failures", "wall_s", "peak_mb"]
    print(" | ".join(f"{c:>9}" for c in cols))
    print(" | ".join(f"{row[c]:>9.2f}" if isinstance(row[c], float) else f"{row[c]:>9}" for c in cols))
    ok = row["wall_s"] < 15 and row["peak_mb"] < 1024
    print(f"goal (< 15 s, < 1024 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
